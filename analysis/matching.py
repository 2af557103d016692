"""Tenant matching: rank candidate shop types for one premise, with the figures behind each score.

``score = gap × surface_fit × rent_fit`` (0–100):

* ``gap`` is the premise's gap score for the candidate's type (see :mod:`analysis.premise_demand`).
* ``surface_fit`` is 1 when the premise's surface lies within the candidate's [min, max] need;
  outside it, with ``x`` the relative shortfall ``(min − s)/min`` or excess ``(s − max)/max``,
  ``surface_fit = 2^(−(x / surface_half)²)`` with ``surface_half`` = 0.5: a room half the size
  needed halves the score, 10 % too small costs under 3 %.
* ``rent_fit`` is 1 when the rent is within budget; over it, with ``x = (rent − budget)/budget``,
  ``rent_fit = 2^(−(x / rent_half)²)`` with ``rent_half`` = 0.4: 40 % over budget halves the
  score, 26 % over keeps 75 % of it (a gap of 79 scores 59), 80 % over keeps 6 %.

Both penalties are smooth half-Gaussians (``exp(−ln 2 · (x/h)²)``): flat at the edge of the range
(a few euros over budget cost almost nothing, as in a real negotiation), continuous, and never a
cliff, so a strong local demand is not wiped out by a moderate gap in rent or size. A budget of 0
against a positive rent is infinitely over (fit 0).

A premise whose surface or rent is unknown (NaN) gets a neutral factor 1 for it and the status
``"unknown"``: missing data neither rewards nor punishes a candidate.

The matches carry no words: each has the numbers and status keys (``"fits"``, ``"below"``,
``"above"``, ``"within"``, ``"over"``, ``"unknown"``) from which the web layer writes a reason in
the reader's language, naming the competitor it looks up itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.premise_demand import PremiseDemand

SURFACE_HALF = 0.5
RENT_HALF = 0.4


@dataclass(frozen=True)
class TenantCandidate:
    """A prospective tenant: shop type and the premises it can take."""

    type_idx: int
    min_surface_m2: float
    max_surface_m2: float
    max_rent: float
    name: str | None = None


@dataclass(frozen=True)
class SurfaceFit:
    """How the premise's surface compares with the candidate's range."""

    status: str  # "fits", "below", "above" or "unknown"
    surface_m2: float | None
    min_m2: float
    max_m2: float
    off_pct: float  # relative shortfall or excess in %, 0 when it fits or is unknown
    fit: float


@dataclass(frozen=True)
class RentFit:
    """How the premise's rent compares with the candidate's budget."""

    status: str  # "within", "over" or "unknown"
    rent: float | None
    budget: float
    over_pct: float  # % over budget (inf for a zero budget), 0 when within or unknown
    fit: float


@dataclass(frozen=True)
class TenantMatch:
    """One ranked candidate with the figures behind its score."""

    candidate: int
    type_idx: int
    score: float
    gap: float
    residents: int
    radius_m: float
    competitors: int
    nearest_competitor_m: float | None
    surface: SurfaceFit
    rent: RentFit

    @property
    def surface_fit(self) -> float:
        return self.surface.fit

    @property
    def rent_fit(self) -> float:
        return self.rent.fit


def smooth_fit(excess: float, half: float) -> float:
    """Return 2^(−(excess/half)²) for excess ≥ 0 (1 at 0, ½ at half, → 0); 1 for excess ≤ 0."""
    if excess <= 0:
        return 1.0
    if math.isinf(excess):
        return 0.0
    return 2.0 ** (-((excess / half) ** 2))


def surface_fit(surface_m2: float, lo: float, hi: float, half: float = SURFACE_HALF) -> SurfaceFit:
    """Return how a surface fits the range [lo, hi] (NaN surface: neutral, "unknown")."""
    if math.isnan(surface_m2):
        return SurfaceFit("unknown", None, lo, hi, 0.0, 1.0)
    if surface_m2 < lo:
        off = (lo - surface_m2) / lo
        return SurfaceFit("below", surface_m2, lo, hi, 100 * off, smooth_fit(off, half))
    if surface_m2 > hi:
        off = (surface_m2 - hi) / hi
        return SurfaceFit("above", surface_m2, lo, hi, 100 * off, smooth_fit(off, half))
    return SurfaceFit("fits", surface_m2, lo, hi, 0.0, 1.0)


def rent_fit(rent: float, budget: float, half: float = RENT_HALF) -> RentFit:
    """Return how a rent fits a budget (NaN rent: neutral, "unknown")."""
    if math.isnan(rent):
        return RentFit("unknown", None, budget, 0.0, 1.0)
    if rent <= budget:
        return RentFit("within", rent, budget, 0.0, 1.0)
    over = (rent - budget) / budget if budget > 0 else math.inf
    return RentFit("over", rent, budget, 100 * over, smooth_fit(over, half))


def match_tenants(
    demand: PremiseDemand,
    premise: int,
    surface_m2: float,
    rent: float,
    candidates: Sequence[TenantCandidate],
    surface_half: float = SURFACE_HALF,
    rent_half: float = RENT_HALF,
) -> list[TenantMatch]:
    """Return the candidates ranked by score (best first), each with the figures of its reason.

    surface_m2 and rent are NaN when the premise does not say (neutral factor).
    """
    out: list[TenantMatch] = []
    for i, cand in enumerate(candidates):
        ev = demand.evidence(premise, cand.type_idx)
        s = surface_fit(surface_m2, cand.min_surface_m2, cand.max_surface_m2, surface_half)
        r = rent_fit(rent, cand.max_rent, rent_half)
        out.append(
            TenantMatch(
                candidate=i,
                type_idx=cand.type_idx,
                score=ev.gap * s.fit * r.fit,
                gap=ev.gap,
                residents=ev.residents,
                radius_m=ev.radius_m,
                competitors=ev.competitors,
                nearest_competitor_m=ev.nearest_competitor_m,
                surface=s,
                rent=r,
            )
        )
    # Ties keep the caller's order so the ranking is reproducible.
    return sorted(out, key=lambda m: (-m.score, m.candidate))
