"""Tenant candidates ranked for one premise, with a reason in the reader's language.

`analysis.matching` scores a candidate (gap × smooth surface and rent fits) and returns numbers
and status keys only. This module feeds it the stored analysis run, looks up the competitor a
reason names — the nearest existing shop of the candidate's type, by its name in the shops
table, never the candidate's own business — marks the types that may not be recommended here
(`recommendations.forbidden_types`: shown, ranked last, never recommended), and words it all
with Flask-Babel when a page reads `RankedTenant.reason`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from babel import Locale
from babel.numbers import format_currency, format_decimal
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from wishmap.i18n import type_label
from wishmap.models import AnalysisRun, Premise, PremiseGap, Shop, ShopType
from wishmap.services.recommendations import forbidden_types

if TYPE_CHECKING:
    # Imported where used: analysis.matching and analysis.premise_demand pull in scipy, which
    # only the analysis needs, and this module is loaded with the views at start-up.
    from analysis import PremiseDemand, TenantMatch

M_PER_DEG_LAT = 111_195.0
# Shops looked at per type when the nearest one turns out to be the candidate's own.
NEAREST_KEPT = 5


@dataclass(frozen=True)
class Competitor:
    """The nearest existing shop of a type: its name (None when the source gives none)."""

    name: str | None
    distance_m: float


@dataclass
class RankedTenant:
    """One candidate for a premise: the analysis' figures and what the reason needs to say."""

    candidate: int  # position in the caller's list
    name: str  # the business name, else the type's label
    shop_type: ShopType
    match: TenantMatch
    competitor: Competitor | None
    not_allowed: str | None = None  # why this type may not be recommended here

    @property
    def score(self) -> float:
        return self.match.score

    @property
    def recommended(self) -> bool:
        return self.not_allowed is None

    @property
    def reason_parts(self) -> list[str]:
        """The reason in the current language, one clause per factor."""
        return word_reason(self)

    @property
    def reason(self) -> str:
        """The reason on one line, after the candidate's name."""
        return _("%(name)s: %(reason)s", name=self.name, reason="; ".join(self.reason_parts))


def money(value: float) -> str:
    """Return whole euros in the current locale's currency format (€1,800 / 1 800 €)."""
    locale = get_locale() or Locale.parse("en")
    pattern = locale.currency_formats["standard"].pattern.replace(".00", "")
    return format_currency(value, "EUR", format=pattern, locale=locale, currency_digits=False)


def _number(value: float) -> str:
    return format_decimal(round(value), format="#,##0", locale=get_locale() or "en")


def word_reason(ranked: RankedTenant) -> list[str]:
    """Return the clauses of a candidate's reason in the current language (no nan, no €0)."""
    m = ranked.match
    label = type_label(ranked.shop_type)
    parts = [
        ngettext(
            "gap %(gap)s/100 (%(num)d resident within %(radius)s m)",
            "gap %(gap)s/100 (%(num)d residents within %(radius)s m)",
            m.residents,
            gap=_number(m.gap),
            radius=_number(m.radius_m),
        )
    ]
    if ranked.competitor is None:
        parts.append(_("no competing %(type)s known", type=label))
    elif ranked.competitor.name:
        parts.append(
            _(
                "nearest competitor: %(shop)s (%(type)s), %(distance)s m",
                shop=ranked.competitor.name,
                type=label,
                distance=_number(ranked.competitor.distance_m),
            )
        )
    else:
        parts.append(
            _(
                "nearest competitor: an unnamed %(type)s, %(distance)s m",
                type=label,
                distance=_number(ranked.competitor.distance_m),
            )
        )
    s = m.surface
    span = {"min": _number(s.min_m2), "max": _number(s.max_m2)}
    if s.status == "unknown" or s.surface_m2 is None:
        parts.append(_("surface not given"))
    elif s.status == "fits":
        parts.append(
            _("%(surface)s m² fits %(min)s–%(max)s m²", surface=_number(s.surface_m2), **span)
        )
    elif s.status == "below":
        parts.append(
            _(
                "%(surface)s m² is %(pct)s %% below %(min)s–%(max)s m²",
                surface=_number(s.surface_m2),
                pct=_number(s.off_pct),
                **span,
            )
        )
    else:
        parts.append(
            _(
                "%(surface)s m² is %(pct)s %% above %(min)s–%(max)s m²",
                surface=_number(s.surface_m2),
                pct=_number(s.off_pct),
                **span,
            )
        )
    r = m.rent
    if r.status == "unknown" or r.rent is None:
        parts.append(_("rent not given"))
    elif r.status == "within":
        parts.append(
            _(
                "rent %(rent)s within budget %(budget)s",
                rent=money(r.rent),
                budget=money(r.budget),
            )
        )
    elif math.isinf(r.over_pct):
        parts.append(_("rent %(rent)s, no rent budget given", rent=money(r.rent)))
    else:
        parts.append(
            _(
                "rent %(rent)s is %(pct)s %% over budget %(budget)s",
                rent=money(r.rent),
                pct=_number(r.over_pct),
                budget=money(r.budget),
            )
        )
    if ranked.not_allowed:
        # recommendations.forbidden_types words it already, in the reader's language.
        parts.append(ranked.not_allowed)
    return parts


def stored_demand(
    run: AnalysisRun | None, gaps: Iterable[PremiseGap], type_ids: Sequence[int]
) -> PremiseDemand:
    """Return a one-premise PremiseDemand over type_ids from a run's stored gap rows."""
    from analysis import PremiseDemand  # deferred: see TYPE_CHECKING above

    type_index = {type_id: index for index, type_id in enumerate(type_ids)}
    shape = (1, len(type_ids))
    fields = {
        name: np.zeros(shape)
        for name in ("demand", "wishes", "residents", "supply", "competitors", "unserved", "gap")
    }
    fields["nearest_competitor_m"] = np.full(shape, np.inf)
    profile = np.zeros((1, len(type_ids), 4))
    for row in gaps:
        t = type_index[row.shop_type_id]
        fields["gap"][0, t], fields["demand"][0, t] = row.gap, row.demand
        fields["wishes"][0, t], fields["residents"][0, t] = row.wishes, row.residents
        fields["competitors"][0, t] = row.competitors
        if row.nearest_competitor_m is not None:
            fields["nearest_competitor_m"][0, t] = row.nearest_competitor_m
        profile[0, t] = (row.within_100, row.within_200, row.within_300, row.within_400)
    params = json.loads(run.params or "{}").get("demand", {}) if run else {}
    return PremiseDemand(
        profile=profile,
        params={
            "profile_radii_m": params.get("profile_radii_m", [100, 200, 300, 400]),
            "radius_m": params.get("radius_m", 400.0),
        },
        **fields,
    )


def nearest_shops(
    session: Session, lat: float, lon: float, type_ids: Iterable[int], hints: dict[int, float]
) -> dict[int, list[Competitor]]:
    """Return, per type, the few existing shops nearest to (lat, lon), nearest first.

    hints: the stored distance to the nearest shop of a type, which bounds the search box.
    """
    found: dict[int, list[Competitor]] = {}
    m_per_deg_lon = M_PER_DEG_LAT * math.cos(math.radians(lat))
    for type_id in set(type_ids):
        query = select(Shop.name, Shop.lat, Shop.lon).where(Shop.shop_type_id == type_id)
        rows: list[Any] = []
        if type_id in hints:
            reach = hints[type_id] + 200.0  # room for shops the own-name rule skips
            rows = list(
                session.execute(
                    query.where(
                        Shop.lat.between(lat - reach / M_PER_DEG_LAT, lat + reach / M_PER_DEG_LAT),
                        Shop.lon.between(lon - reach / m_per_deg_lon, lon + reach / m_per_deg_lon),
                    )
                )
            )
        if not rows:
            rows = list(session.execute(query))
        if not rows:
            continue
        lats = np.array([row[1] for row in rows])
        lons = np.array([row[2] for row in rows])
        distance = np.hypot((lats - lat) * M_PER_DEG_LAT, (lons - lon) * m_per_deg_lon)
        order = np.argsort(distance, kind="stable")[:NEAREST_KEPT]
        found[type_id] = [Competitor(rows[i][0], float(distance[i])) for i in order]
    return found


def _competitor(shops: list[Competitor], own_name: str | None) -> Competitor | None:
    """Return the nearest shop that is not the candidate's own business (same name)."""
    own = (own_name or "").strip().casefold()
    for shop in shops:
        if not own or (shop.name or "").strip().casefold() != own:
            return shop
    return None


def rank(
    session: Session,
    premise: Premise,
    candidates: Sequence[dict[str, Any]],
    run: AnalysisRun | None,
    gaps: Iterable[PremiseGap],
) -> list[RankedTenant]:
    """Rank candidates for premise: allowed types by score, then those not allowed here.

    candidates: dicts with shop_type (code), min_surface_m2, max_surface_m2, max_rent and an
    optional name. Raises ValueError naming an unknown shop type.
    """
    from analysis import TenantCandidate, match_tenants  # deferred: see TYPE_CHECKING above

    types = {shop_type.code: shop_type for shop_type in session.scalars(select(ShopType))}
    type_ids = sorted(shop_type.id for shop_type in types.values())
    type_index = {type_id: index for index, type_id in enumerate(type_ids)}
    parsed, chosen = [], []
    for candidate in candidates:
        shop_type = types.get(candidate["shop_type"])
        if shop_type is None:
            raise ValueError(f"unknown shop type {candidate['shop_type']!r}")
        chosen.append(shop_type)
        parsed.append(
            TenantCandidate(
                type_idx=type_index[shop_type.id],
                min_surface_m2=float(candidate["min_surface_m2"]),
                max_surface_m2=float(candidate["max_surface_m2"]),
                max_rent=float(candidate["max_rent"]),
                name=candidate.get("name"),
            )
        )
    gap_rows = list(gaps)
    matches = match_tenants(
        stored_demand(run, gap_rows, type_ids),
        0,
        float(premise.surface_m2) if premise.surface_m2 else math.nan,
        float(premise.rent_eur_month) if premise.rent_eur_month is not None else math.nan,
        parsed,
    )
    hints = {
        row.shop_type_id: row.nearest_competitor_m
        for row in gap_rows
        if row.nearest_competitor_m is not None
    }
    shops = nearest_shops(session, premise.lat, premise.lon, (t.id for t in chosen), hints)
    forbidden = forbidden_types(session, [premise.id]).get(premise.id, {})
    ranked = []
    for match in matches:
        shop_type = chosen[match.candidate]
        name = parsed[match.candidate].name
        ranked.append(
            RankedTenant(
                candidate=match.candidate,
                name=name or type_label(shop_type),
                shop_type=shop_type,
                match=match,
                competitor=_competitor(shops.get(shop_type.id, []), name),
                not_allowed=forbidden.get(shop_type.id),
            )
        )
    # A type that may not be recommended here still shows, after every allowed one.
    return sorted(ranked, key=lambda r: (not r.recommended, -r.score, r.candidate))
