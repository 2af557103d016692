"""Key figures for officers at a glance: vacancy, wishes this month against last, unmet demand,
and the wishes that came true — for the city and per district, side by side.

Figures that count people (wishes, residents) come from the statistics service, so they carry
the same floor and cell-key noise as every other published figure (services/disclosure.py).
Figures that count premises (vacancy, lettings) are about buildings, not people, and are exact.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap.models import District, Premise, PremiseGap, PremiseStatus, ShopType, Wish, WishStatus
from wishmap.models._types import utcnow
from wishmap.services import statistics as stats
from wishmap.services.analysis import latest_run
from wishmap.services.disclosure import CellKeys
from wishmap.services.districts import district_levels, districts_of

CHART_MONTHS = 12
TOP_UNMET = 8


@dataclass
class Figures:
    """One area's key figures; a people count is None when suppressed."""

    premises: int = 0
    vacant: int = 0
    median_days_vacant: float | None = None
    let: int = 0
    came_true: int = 0
    wishes_this_month: int | None = None
    wishes_last_month: int | None = None

    @property
    def vacancy_rate(self) -> float | None:
        return self.vacant / self.premises if self.premises else None

    @property
    def trend(self) -> int | None:
        """Return this month's wishes minus last month's, when both are published."""
        if self.wishes_this_month is None or self.wishes_last_month is None:
            return None
        return self.wishes_this_month - self.wishes_last_month


@dataclass
class UnmetDemand:
    """A wished shop type with vacant premises that have no such shop within walking distance."""

    code: str
    label: str
    residents: int | None
    premises: int


@dataclass
class Dashboard:
    city: Figures
    districts: list[tuple[District, Figures]]
    level: str | None
    months: list[tuple[str, int | None]]
    unmet: list[UnmetDemand]
    min_residents: int
    max_noise: int
    this_month: str
    last_month: str
    analysed_at: datetime | None
    generated_at: datetime = field(default_factory=utcnow)


def _month_start(day: date, back: int = 0) -> date:
    months = day.year * 12 + day.month - 1 - back
    return date(months // 12, months % 12 + 1, 1)


def _premise_figures(premises: list[Any], top_types: dict[int, set[int]], today: date) -> Figures:
    figures = Figures(premises=len(premises))
    days = []
    for premise in premises:
        if premise.status == PremiseStatus.VACANT.value:
            figures.vacant += 1
            if premise.vacant_since:
                days.append((today - premise.vacant_since).days)
        else:
            figures.let += 1
            if premise.opened_shop_type_id in top_types.get(premise.id, set()):
                figures.came_true += 1
    figures.median_days_vacant = float(median(days)) if days else None
    return figures


def _top_types(session: Session) -> dict[int, set[int]]:
    """Return, per premise that was let, the three shop types its residents wished most."""
    counts: dict[int, Counter[int]] = defaultdict(Counter)
    # A wish withdrawn after the letting still was a wish; held or hidden ones were not.
    counted = Wish.status.in_([WishStatus.ACTIVE.value, WishStatus.WITHDRAWN.value])
    per_type = select(Wish.premise_id, Wish.shop_type_id, func.count())
    let = Premise.status != PremiseStatus.VACANT.value
    if session.get_bind().dialect.name == "sqlite":
        # SQLite joins from the wishes (all 1,000,000 of a city: 0.8-5 s); per let premise
        # through the (premise, status, type) index it takes 12-18 ms. PostgreSQL plans the
        # join well (2-5 ms) and the IN lists badly (175-500 ms).
        ids = list(session.scalars(select(Premise.id).where(let)))
        chunks = [ids[start : start + 500] for start in range(0, len(ids), 500)]
        queries = [per_type.where(Wish.premise_id.in_(chunk), counted) for chunk in chunks]
    else:
        queries = [per_type.join(Premise, Premise.id == Wish.premise_id).where(let, counted)]
    for query in queries:
        for premise_id, type_id, n in session.execute(
            query.group_by(Wish.premise_id, Wish.shop_type_id)
        ):
            counts[premise_id][type_id] = n
    # Ties broken by type id, so that the same data always gives the same top three.
    return {
        premise_id: {t for t, _n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:3]}
        for premise_id, c in counts.items()
    }


def _unmet(
    session: Session, by_type: dict[int, int | None], locale: str
) -> tuple[list[UnmetDemand], datetime | None]:
    run = latest_run(session)
    if run is None:
        return [], None
    rows = session.execute(
        select(PremiseGap.shop_type_id, func.count(func.distinct(PremiseGap.premise_id)))
        .join(Premise, Premise.id == PremiseGap.premise_id)
        .where(
            PremiseGap.run_id == run.id,
            PremiseGap.competitors == 0,
            Premise.status == PremiseStatus.VACANT.value,
        )
        .group_by(PremiseGap.shop_type_id)
    ).all()
    types = {t.id: t for t in session.scalars(select(ShopType))}
    found = [
        UnmetDemand(types[type_id].code, types[type_id].label(locale), by_type.get(type_id), n)
        for type_id, n in rows
        # Only types some published figure shows wished: a suppressed type stays unnamed here.
        if by_type.get(type_id)
    ]
    found.sort(key=lambda u: (-(u.residents or 0), u.label))
    return found[:TOP_UNMET], run.finished_at


def dashboard(
    session: Session,
    min_residents: int,
    keys: CellKeys | None,
    locale: str = "en",
    today: date | None = None,
) -> Dashboard:
    """Return the city's key figures and each district's, people counts protected."""
    today = today or utcnow().date()
    this_month, last_month = _month_start(today), _month_start(today, 1)
    first_month = _month_start(today, CHART_MONTHS - 1)

    def table(by: tuple[str, ...], since: date) -> stats.StatsTable:
        query = stats.StatsQuery(by=by, since=since, until=today)
        return stats.statistics(session, query, min_residents, locale, keys=keys)

    def month_code(day: date) -> str:
        return f"{day:%Y-%m}"

    series = {row.codes[0]: row.residents for row in table(("month",), first_month).rows}
    months = []
    for back in range(CHART_MONTHS - 1, -1, -1):
        code = month_code(_month_start(today, back))
        months.append((code, series.get(code)))
    wishes_by_month = {row.codes[0]: row.wishes for row in table(("month",), last_month).rows}

    premises = session.execute(
        select(
            Premise.id,
            Premise.lat,
            Premise.lon,
            Premise.status,
            Premise.vacant_since,
            Premise.opened_shop_type_id,
        )
    ).all()
    top_types = _top_types(session)
    city = _premise_figures(premises, top_types, today)
    city.wishes_this_month = wishes_by_month.get(month_code(this_month))
    city.wishes_last_month = wishes_by_month.get(month_code(last_month))

    levels = district_levels(session)
    level = levels[0] if levels else None
    districts: list[tuple[District, Figures]] = []
    if level:
        located = (
            districts_of(
                session,
                np.array([p.lat for p in premises], dtype=float),
                np.array([p.lon for p in premises], dtype=float),
            ).get(level)
            if premises
            else None
        )
        members: dict[int, list[Any]] = defaultdict(list)
        if located is not None:
            for premise, district_id in zip(premises, located.tolist(), strict=True):
                members[int(district_id)].append(premise)
        query = stats.StatsQuery(by=("district", "month"), level=level, since=last_month)
        counts = {
            (row.keys[0], row.codes[1]): row.wishes
            for row in stats.statistics(session, query, min_residents, locale, keys=keys).rows
        }
        for district in session.scalars(
            select(District).where(District.level == level).order_by(District.name)
        ):
            figures = _premise_figures(members.get(district.id, []), top_types, today)
            figures.wishes_this_month = counts.get((district.id, month_code(this_month)))
            figures.wishes_last_month = counts.get((district.id, month_code(last_month)))
            districts.append((district, figures))

    by_type = {row.keys[0]: row.residents for row in table(("type",), date(1970, 1, 1)).rows}
    unmet, analysed_at = _unmet(session, by_type, locale)
    return Dashboard(
        city=city,
        districts=districts,
        level=level,
        months=months,
        unmet=unmet,
        min_residents=min_residents,
        max_noise=keys.max_noise if keys else 0,
        this_month=month_code(this_month),
        last_month=month_code(last_month),
        analysed_at=analysed_at,
    )
