"""Matching reports for the people who let premises: what the surroundings ask for, and who fits.

Reads the newest analysis run (gap scores, evidence) and the live wishes on the premise
(counts, how often residents would shop there). Never exposes who wished: counts only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from analysis import TenantMatch
from wishmap.models import (
    AnalysisRun,
    Premise,
    PremiseGap,
    PremiseStatus,
    Role,
    ShopType,
    User,
    Wish,
    WishStatus,
)
from wishmap.services.analysis import latest_run, premise_gaps, rank_tenants

READERS_OF_ALL = {Role.OFFICER.value, Role.ADMIN.value}
MAX_CANDIDATES = 8


class NotFound(LookupError):
    """No such premise."""


class NotAllowed(PermissionError):
    """The user may not read this premise's report."""


@dataclass
class GapLine:
    shop_type: ShopType
    row: PremiseGap
    weekly: int = 0
    monthly: int = 0
    occasionally: int = 0

    @property
    def profile(self) -> list[tuple[int, int]]:
        return [
            (100, self.row.within_100),
            (200, self.row.within_200),
            (300, self.row.within_300),
            (400, self.row.within_400),
        ]


@dataclass
class PremiseReport:
    premise: Premise
    run: AnalysisRun | None
    gaps: list[GapLine]
    live: list[tuple[ShopType, int]]  # active wishes on the premise itself, per type
    matches: list[TenantMatch] = field(default_factory=list)


def may_read(user: User, premise: Premise) -> bool:
    """Return True when user may read the report: its manager, an officer or an admin."""
    return user.role in READERS_OF_ALL or (
        user.role in {Role.OWNER.value, Role.AGENCY.value} and premise.manager_id == user.id
    )


def managed_premises(session: Session, user: User) -> list[Premise]:
    """Return the premises whose reports user may read (all of them for officers and admins)."""
    # Vacant premises first: they are the ones being let.
    vacant_first = case((Premise.status == PremiseStatus.VACANT.value, 0), else_=1)
    query = select(Premise).order_by(vacant_first, Premise.street_name, Premise.address)
    if user.role not in READERS_OF_ALL:
        query = query.where(Premise.manager_id == user.id)
    return list(session.scalars(query))


def premise_report(session: Session, user: User, premise_id: int, limit: int = 8) -> PremiseReport:
    """Return the matching report of one premise, or raise NotFound / NotAllowed."""
    premise = session.get(Premise, premise_id)
    if premise is None:
        raise NotFound(premise_id)
    if not may_read(user, premise):
        raise NotAllowed(premise_id)
    types = {shop_type.id: shop_type for shop_type in session.scalars(select(ShopType))}
    frequency: dict[tuple[int, str | None], int] = {
        (type_id, how): count
        for type_id, how, count in session.execute(
            select(Wish.shop_type_id, Wish.frequency, func.count())
            .where(Wish.premise_id == premise.id, Wish.status == WishStatus.ACTIVE.value)
            .group_by(Wish.shop_type_id, Wish.frequency)
        )
    }
    live: dict[int, int] = {}
    for (type_id, _how), count in frequency.items():
        live[type_id] = live.get(type_id, 0) + count
    gaps = [
        GapLine(
            types[row.shop_type_id],
            row,
            weekly=frequency.get((row.shop_type_id, "weekly"), 0),
            monthly=frequency.get((row.shop_type_id, "monthly"), 0),
            occasionally=frequency.get((row.shop_type_id, "occasionally"), 0),
        )
        for row in premise_gaps(session, premise.id, limit=limit)
    ]
    return PremiseReport(
        premise=premise,
        run=latest_run(session),
        gaps=gaps,
        live=sorted(((types[t], n) for t, n in live.items()), key=lambda item: -item[1]),
    )


def parse_candidates(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the filled candidate rows as numbers, or raise ValueError naming the bad one."""
    candidates = []
    for number, row in enumerate(rows, start=1):
        if not row.get("shop_type"):
            continue
        try:
            values = {
                key: float(str(row[key]).replace(",", "."))
                for key in ("min_surface_m2", "max_surface_m2", "max_rent")
            }
        except (KeyError, ValueError):
            raise ValueError(f"candidate {number}: surface and rent must be numbers") from None
        if not 0 < values["min_surface_m2"] <= values["max_surface_m2"]:
            raise ValueError(f"candidate {number}: the surface range is empty")
        if values["max_rent"] < 0:
            raise ValueError(f"candidate {number}: the rent budget is negative")
        name = str(row.get("name") or "").strip()[:80] or None
        candidates.append({"shop_type": row["shop_type"], "name": name, **values})
    if not candidates:
        raise ValueError("give at least one candidate with a shop type")
    if len(candidates) > MAX_CANDIDATES:
        raise ValueError(f"at most {MAX_CANDIDATES} candidates at a time")
    return candidates


def match_candidates(
    session: Session, user: User, premise_id: int, rows: list[dict[str, Any]]
) -> PremiseReport:
    """Return the report with the candidates ranked; raise ValueError for bad candidate rows."""
    report = premise_report(session, user, premise_id)
    report.matches = rank_tenants(session, report.premise, parse_candidates(rows))
    return report
