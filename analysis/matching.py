"""Tenant matching: rank candidate shop types for one premise, with a one-line reason each.

``score = gap × surface_fit × rent_fit`` (0–100):

* ``gap`` is the premise's gap score for the candidate's type (see :mod:`analysis.premise_demand`).
* ``surface_fit`` is 1 when the premise's surface lies within the candidate's [min, max] need and
  falls linearly to 0 at ``surface_tolerance`` (50 %) relative shortfall or excess: a shop can
  often adapt to a 10 % smaller room, rarely to one half the size.
* ``rent_fit`` is 1 when the rent is within budget and falls linearly to 0 at ``rent_tolerance``
  (25 %) over budget: rent is the hardest constraint of a small retailer's business plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.premise_demand import PremiseDemand


@dataclass(frozen=True)
class TenantCandidate:
    """A prospective tenant: shop type and the premises it can take."""

    type_idx: int
    min_surface_m2: float
    max_surface_m2: float
    max_rent: float
    name: str | None = None


@dataclass(frozen=True)
class TenantMatch:
    """One ranked candidate with the figures behind its score."""

    candidate: int
    type_idx: int
    score: float
    gap: float
    surface_fit: float
    rent_fit: float
    reason: str


def _fit(shortfall: float, tolerance: float) -> float:
    return float(np.clip(1.0 - shortfall / tolerance, 0.0, 1.0))


def _money(v: float) -> str:
    return f"€{v:,.0f}"


def match_tenants(
    demand: PremiseDemand,
    premise: int,
    surface_m2: float,
    rent: float,
    candidates: Sequence[TenantCandidate],
    type_names: Sequence[str] | None = None,
    surface_tolerance: float = 0.5,
    rent_tolerance: float = 0.25,
) -> list[TenantMatch]:
    """Return the candidates ranked by score (best first), each with a one-line reason."""
    out: list[TenantMatch] = []
    for i, cand in enumerate(candidates):
        ev = demand.evidence(premise, cand.type_idx)
        name = cand.name or (
            type_names[cand.type_idx] if type_names is not None else f"type {cand.type_idx}"
        )
        lo, hi = cand.min_surface_m2, cand.max_surface_m2
        if surface_m2 < lo:
            s_fit = _fit((lo - surface_m2) / lo, surface_tolerance)
            s_txt = f"{surface_m2:.0f} m² is {100 * (lo - surface_m2) / lo:.0f} % below"
        elif surface_m2 > hi:
            s_fit = _fit((surface_m2 - hi) / hi, surface_tolerance)
            s_txt = f"{surface_m2:.0f} m² is {100 * (surface_m2 - hi) / hi:.0f} % above"
        else:
            s_fit, s_txt = 1.0, f"{surface_m2:.0f} m² fits"
        if rent <= cand.max_rent:
            r_fit, r_txt = 1.0, f"rent {_money(rent)} within budget {_money(cand.max_rent)}"
        else:
            over = (rent - cand.max_rent) / cand.max_rent if cand.max_rent > 0 else np.inf
            r_fit = _fit(over, rent_tolerance)
            r_txt = f"rent {_money(rent)} over budget {_money(cand.max_rent)}"
        near = (
            f"nearest {name} {ev.nearest_competitor_m:,.0f} m"
            if ev.nearest_competitor_m is not None
            else f"no {name} in the city"
        )
        reason = (
            f"{name}: gap {ev.gap:.0f}/100 ({ev.residents} residents within "
            f"{ev.radius_m:.0f} m, {near}); {s_txt} {lo:.0f}–{hi:.0f} m²; {r_txt}"
        )
        out.append(
            TenantMatch(i, cand.type_idx, ev.gap * s_fit * r_fit, ev.gap, s_fit, r_fit, reason)
        )
    # Ties keep the caller's order so the ranking is reproducible.
    return sorted(out, key=lambda m: (-m.score, m.candidate))
