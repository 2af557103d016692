"""Portfolio: the premises a reader manages, ranked by the demand the latest analysis found.

Pages read stored results only (premise_gaps of the newest run) with indexed queries and
paginate in SQL: a portfolio page never runs the analysis nor counts wishes. A use that
`recommendations.forbidden_types` forbids for a premise is never ranked for it: it is left out
of the scores and of the best types, and only shown marked as not allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap.models import AnalysisRun, Premise, PremiseGap, PremiseStatus, ShopType, User
from wishmap.models._types import utcnow
from wishmap.services.analysis import latest_run
from wishmap.services.applications import candidate_counts
from wishmap.services.districts import list_districts
from wishmap.services.portfolio.query import (
    PAGE_SIZE,
    SORTS,
    PortfolioError,
    PortfolioQuery,
    listing,
    parse_query,
    premise_filters,
    reasons,
    restrictions,
    scope,
    shop_type_of,
)

__all__ = [
    "PAGE_SIZE",
    "SORTS",
    "Choices",
    "PortfolioError",
    "PortfolioPage",
    "PortfolioQuery",
    "PortfolioRow",
    "TypeScore",
    "filter_choices",
    "parse_query",
    "portfolio",
    "scope",
]

TOP_TYPES = 3


@dataclass
class TypeScore:
    """One shop type's gap score at a premise, with the evidence behind it."""

    shop_type: ShopType
    gap: float
    residents: int = 0
    competitors: int = 0
    nearest_competitor_m: float | None = None
    forbidden: str | None = None  # why this use may not be recommended here


@dataclass
class PortfolioRow:
    """One premise of a portfolio."""

    premise: Any  # the row's premise columns (id, ref, address, street_name, status, dates…)
    score: float | None
    best: list[TypeScore] = field(default_factory=list)
    not_allowed: list[TypeScore] = field(default_factory=list)
    candidates: int = 0
    days_vacant: int | None = None
    focus: TypeScore | None = None  # the chosen shop type's score, in a type ranking

    @property
    def last_letting(self) -> date | None:
        """The day the premise was last let or opened, if known."""
        days = [day for day in (self.premise.let_on, self.premise.opened_on) if day]
        return max(days) if days else None


@dataclass
class PortfolioPage:
    """One page of a portfolio (or of a type ranking) and what it was asked."""

    query: PortfolioQuery
    rows: list[PortfolioRow]
    total: int
    pages: int
    run: AnalysisRun | None
    shop_type: ShopType | None
    types: dict[int, ShopType]

    @property
    def page(self) -> int:
        return min(self.query.page, self.pages)


PREMISE_COLUMNS = (
    Premise.id,
    Premise.ref,
    Premise.address,
    Premise.street_name,
    Premise.status,
    Premise.lat,
    Premise.lon,
    Premise.surface_m2,
    Premise.rent_eur_month,
    Premise.vacant_since,
    Premise.let_on,
    Premise.opened_on,
    Premise.opened_shop_type_id,
)


def _scores(
    session: Session,
    run_id: int,
    premise_ids: list[int],
    forbidden: dict[int, dict[int, str]],
    types: dict[int, ShopType],
) -> dict[int, tuple[list[TypeScore], list[TypeScore]]]:
    """Return, per premise, its best allowed types and the forbidden ones ranking above them."""
    # Only each premise's first rows in gap order can be shown: enough for the best allowed
    # types even when every forbidden type ranks above them.
    keep = TOP_TYPES + max((len(types) for types in forbidden.values()), default=0)
    found: dict[int, tuple[list[TypeScore], list[TypeScore]]] = {}
    for start in range(0, len(premise_ids), 900):
        order = func.row_number().over(
            partition_by=PremiseGap.premise_id,
            order_by=(PremiseGap.gap.desc(), PremiseGap.residents.desc(), PremiseGap.shop_type_id),
        )
        ranked = (
            select(
                PremiseGap.premise_id,
                PremiseGap.shop_type_id,
                PremiseGap.gap,
                PremiseGap.residents,
                PremiseGap.competitors,
                PremiseGap.nearest_competitor_m,
                order.label("place"),
            )
            .where(
                PremiseGap.run_id == run_id,
                PremiseGap.premise_id.in_(premise_ids[start : start + 900]),
            )
            .subquery()
        )
        rows = session.execute(
            select(*list(ranked.c)[:6])
            .where(ranked.c.place <= keep)
            .order_by(ranked.c.premise_id, ranked.c.place)
        )
        for premise_id, type_id, gap, residents, competitors, nearest in rows:
            best, barred = found.setdefault(premise_id, ([], []))
            if len(best) >= TOP_TYPES:
                continue
            why = forbidden.get(premise_id, {}).get(type_id)
            score = TypeScore(types[type_id], gap, residents, competitors, nearest, why)
            (barred if why else best).append(score)
    return found


def _focus(
    session: Session, run_id: int, premise_ids: list[int], type_id: int
) -> dict[int, TypeScore]:
    rows = session.scalars(
        select(PremiseGap).where(
            PremiseGap.run_id == run_id,
            PremiseGap.shop_type_id == type_id,
            PremiseGap.premise_id.in_(premise_ids),
        )
    )
    return {row.premise_id: row for row in rows}


def portfolio(
    session: Session,
    reader: User,
    query: PortfolioQuery,
    page_size: int | None = PAGE_SIZE,
    today: date | None = None,
) -> PortfolioPage:
    """Return one page of the reader's portfolio (every row when page_size is None).

    Raises PortfolioError for a filter naming nothing that exists (type, district).
    """
    today = today or utcnow().date()
    shop_type = shop_type_of(session, query.type_code)
    where = premise_filters(session, reader, query)
    run = latest_run(session)
    restricted = restrictions(session) if run is not None else {}
    statement, count = listing(
        session,
        where,
        run.id if run else None,
        query,
        shop_type.id if shop_type else None,
        restricted,
    )
    total = session.scalar(count) or 0
    pages = max(1, -(-total // page_size)) if page_size else 1
    if page_size:
        statement = statement.limit(page_size).offset((min(query.page, pages) - 1) * page_size)
    ranked = session.execute(statement).all()
    ids = [row.id for row in ranked]
    premises = (
        {
            row.id: row
            for row in session.execute(select(*PREMISE_COLUMNS).where(Premise.id.in_(ids)))
        }
        if ids
        else {}
    )
    types = {t.id: t for t in session.scalars(select(ShopType))}
    # Why a use may not go in a premise is asked for the rows shown only (in the reader's language).
    restricted_ids = [premise_id for premise_id in ids if premise_id in restricted]
    forbidden = reasons(session, restricted_ids)
    scores = _scores(session, run.id, ids, forbidden, types) if run and ids else {}
    focus = {}
    if run and ids and shop_type is not None:
        for premise_id, row in _focus(session, run.id, ids, shop_type.id).items():
            focus[premise_id] = TypeScore(
                shop_type, row.gap, row.residents, row.competitors, row.nearest_competitor_m
            )
    candidates = candidate_counts(session, ids) if ids else {}
    rows = []
    for premise_id, score in ranked:
        premise = premises[premise_id]
        best, barred = scores.get(premise_id, ([], []))
        vacant = premise.status == PremiseStatus.VACANT.value and premise.vacant_since
        rows.append(
            PortfolioRow(
                premise=premise,
                score=score,
                best=best,
                not_allowed=barred,
                candidates=candidates.get(premise_id, 0),
                days_vacant=(today - premise.vacant_since).days if vacant else None,
                focus=focus.get(premise_id),
            )
        )
    return PortfolioPage(query, rows, total, pages, run, shop_type, types)


# Beyond this many streets a suggestion list weighs more than it helps: the field still
# filters by any part of a street's name.
MAX_STREET_CHOICES = 300


@dataclass
class Choices:
    """What the filter form offers a reader."""

    shop_types: list[ShopType]
    districts: list[Any]
    streets: list[str]


def filter_choices(session: Session, reader: User) -> Choices:
    """Return the shop types, districts and (when few) street names the filters offer."""
    streets = list(
        session.scalars(
            select(Premise.street_name)
            .where(scope(reader))
            .distinct()
            .order_by(Premise.street_name)
            .limit(MAX_STREET_CHOICES + 1)
        )
    )
    return Choices(
        shop_types=list(session.scalars(select(ShopType).order_by(ShopType.group, ShopType.code))),
        districts=list_districts(session),
        streets=streets if len(streets) <= MAX_STREET_CHOICES else [],
    )
