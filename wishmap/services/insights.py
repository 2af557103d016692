"""Matching reports for the people who let premises: what the surroundings ask for, and who fits.

A report reads the newest analysis run (gap scores and their evidence, never re-running it)
and adds live figures from within the same radius (report_surroundings). It leads with one
plain-language recommendation: the allowed shop type with the highest gap score. Types that
zoning or the manager exclude (recommendations.forbidden_types) are shown, marked, never
recommended. Never exposes who wished: counts and moderated reasons only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from wishmap.models import (
    AnalysisRun,
    Premise,
    PremiseGap,
    PremiseStatus,
    Role,
    ShopType,
    User,
    ZoningArea,
)
from wishmap.models._types import utcnow
from wishmap.services.activity_codes import activity_codes
from wishmap.services.analysis import latest_run
from wishmap.services.portfolio.query import (
    PortfolioQuery,
    listing,
    premise_filters,
    restrictions,
    shop_type_of,
)
from wishmap.services.recommendations import forbidden_types
from wishmap.services.report_surroundings import NearShop, Surroundings, TypeFigures, surroundings
from wishmap.services.zoning import Protection, premise_protection

READERS_OF_ALL = {Role.OFFICER.value, Role.ADMIN.value}
# Shop types listed as recommendations, and drawn on the report's map.
LISTED_TYPES = 8
MAPPED_TYPES = 3


class NotFound(LookupError):
    """No such premise."""


class NotAllowed(PermissionError):
    """The user may not read this premise's report."""


@dataclass
class GapLine:
    """One shop type on the report: its stored gap score and the live figures behind it."""

    shop_type: ShopType
    row: PremiseGap
    figures: TypeFigures = field(default_factory=TypeFigures)
    nearest: NearShop | None = None
    not_allowed: str | None = None  # why it may not be recommended here
    activity_code: str | None = None  # the city's official code for the type, when known

    @property
    def score(self) -> int:
        return round(self.row.gap)

    @property
    def profile(self) -> list[tuple[int, int]]:
        return [
            (100, self.row.within_100),
            (200, self.row.within_200),
            (300, self.row.within_300),
            (400, self.row.within_400),
        ]

    @property
    def weekly(self) -> int:
        return self.figures.frequency.get("weekly", 0)

    @property
    def monthly(self) -> int:
        return self.figures.frequency.get("monthly", 0)

    @property
    def occasionally(self) -> int:
        return self.figures.frequency.get("occasionally", 0)

    @property
    def trend(self) -> str:
        """rising, falling or steady: residents who wished in the last 90 days vs the 90 before."""
        recent, previous = self.figures.recent, self.figures.previous
        if recent > previous:
            return "rising"
        return "falling" if recent < previous else "steady"


@dataclass
class PremiseReport:
    premise: Premise
    run: AnalysisRun | None
    radius_m: float
    lines: list[GapLine]  # allowed types, highest gap first: the recommendations
    not_allowed: list[GapLine]  # types that may not be recommended here, with the reason
    surroundings: Surroundings
    live: list[tuple[ShopType, int]]  # residents within the radius per type (no run yet)
    today: date
    # The zoning protection classes the premise lies under; None: no zoning layer imported.
    zoning: list[Protection] | None = None

    @property
    def headline(self) -> GapLine | None:
        return self.lines[0] if self.lines and self.lines[0].row.gap > 0 else None

    @property
    def next_best(self) -> list[GapLine]:
        return self.lines[1:4] if self.headline else []

    @property
    def mapped(self) -> list[GapLine]:
        return self.lines[:MAPPED_TYPES]

    @property
    def days_vacant(self) -> int | None:
        since = self.premise.vacant_since
        if since is None or self.premise.status != PremiseStatus.VACANT.value:
            return None
        return max((self.today - since).days, 0)


def may_read(user: User, premise: Premise) -> bool:
    """Return True when user may read the report: its manager, an officer or an admin."""
    return user.role in READERS_OF_ALL or (
        user.role in {Role.OWNER.value, Role.AGENCY.value} and premise.manager_id == user.id
    )


def managed_premises(session: Session, user: User) -> list[Premise]:
    """Return the premises whose reports user may read (all of them for officers and admins)."""
    # Vacant premises first: they are the ones being let.
    vacant_first = case((Premise.status == PremiseStatus.VACANT.value, 0), else_=1)
    query = select(Premise).order_by(vacant_first, Premise.street_name, Premise.address, Premise.id)
    if user.role not in READERS_OF_ALL:
        query = query.where(Premise.manager_id == user.id)
    return list(session.scalars(query))


def premises_for_reports(
    session: Session, reader: User, query: PortfolioQuery, cap: int
) -> tuple[list[int], int]:
    """Return the ids of the reader's portfolio premises matching query, in the portfolio's
    order (strongest allowed score first by default), at most cap of them, and how many match.

    Raises PortfolioError for a filter naming nothing that exists (type, district).
    """
    shop_type = shop_type_of(session, query.type_code)
    where = premise_filters(session, reader, query)
    run = latest_run(session)
    statement, count = listing(
        session,
        where,
        run.id if run else None,
        query,
        shop_type.id if shop_type else None,
        restrictions(session) if run else {},
    )
    ids = [row.id for row in session.execute(statement.limit(cap))]
    return ids, session.scalar(count) or 0


def readable_premise(session: Session, user: User, premise_id: int) -> Premise:
    """Return the premise if user may read its report; raise NotFound / NotAllowed."""
    premise = session.get(Premise, premise_id)
    if premise is None:
        raise NotFound(premise_id)
    if not may_read(user, premise):
        raise NotAllowed(premise_id)
    return premise


def _radius(run: AnalysisRun | None) -> float:
    # The radius the stored scores were computed with; the analysis default before any run.
    try:
        stored = json.loads(run.params).get("demand", {}).get("radius_m") if run else None
    except (ValueError, AttributeError):
        stored = None
    if stored:
        return float(stored)
    # Deferred: analysis.premise_demand imports scipy, which only the analysis needs otherwise.
    from analysis.premise_demand import DemandParams

    return float(DemandParams().radius_m)


def _zoning(session: Session, premise: Premise) -> list[Protection] | None:
    # None when no zoning layer was ever imported: the report then says "not given", not
    # "unprotected", since nobody checked.
    if session.scalar(select(ZoningArea.id).limit(1)) is None:
        return None
    return premise_protection(session, premise)


def _activity_codes(session: Session) -> dict[int, str]:
    # The city's official codes per shop type (several codes may map onto one type).
    return {
        type_id: ", ".join(code for code, _label in codes[:3])
        for type_id, codes in activity_codes(session).items()
    }


def _gap_rows(session: Session, run: AnalysisRun | None, premise_id: int) -> list[PremiseGap]:
    # Every type scored for the premise in the run, highest gap first.
    if run is None:
        return []
    return list(
        session.scalars(
            select(PremiseGap)
            .where(PremiseGap.run_id == run.id, PremiseGap.premise_id == premise_id)
            .order_by(PremiseGap.gap.desc(), PremiseGap.residents.desc(), PremiseGap.shop_type_id)
        )
    )


def premise_report(
    session: Session,
    user: User,
    premise_id: int,
    grid: tuple[float, float] = (48.8839, 100.0),
    now: datetime | None = None,
) -> PremiseReport:
    """Return the report of one premise, or raise NotFound / NotAllowed.

    grid: (district latitude, cell size in m) of the public demand grid, for the map's cells.
    """
    premise = readable_premise(session, user, premise_id)
    now = now or utcnow()
    run = latest_run(session)
    radius = _radius(run)
    types = {shop_type.id: shop_type for shop_type in session.scalars(select(ShopType))}
    forbidden = forbidden_types(session, [premise.id]).get(premise.id, {})
    codes = _activity_codes(session)
    rows = _gap_rows(session, run, premise.id)
    allowed = [row for row in rows if row.shop_type_id not in forbidden][:LISTED_TYPES]
    refused = [row for row in rows if row.shop_type_id in forbidden]
    shown = [row.shop_type_id for row in allowed + refused]
    around = surroundings(
        session,
        premise,
        radius,
        run.id if run else None,
        shown if run else None,
        [row.shop_type_id for row in allowed[:MAPPED_TYPES]],
        grid,
        now,
    )

    def line(row: PremiseGap) -> GapLine:
        return GapLine(
            types[row.shop_type_id],
            row,
            figures=around.figures.get(row.shop_type_id, TypeFigures()),
            nearest=around.nearest.get(row.shop_type_id),
            not_allowed=forbidden.get(row.shop_type_id),
            activity_code=codes.get(row.shop_type_id),
        )

    live = sorted(
        ((types[type_id], figures.residents) for type_id, figures in around.figures.items()),
        key=lambda item: (-item[1], item[0].code),
    )
    return PremiseReport(
        premise=premise,
        run=run,
        radius_m=radius,
        lines=[line(row) for row in allowed],
        not_allowed=[line(row) for row in refused],
        surroundings=around,
        live=live if run is None else [],
        today=now.date(),
        zoning=_zoning(session, premise),
    )
