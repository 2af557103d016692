"""What a portfolio request asks for (filters, sort, page) and the SQL that answers it.

Every statement starts from `scope(reader)`: the premises a reader may see. A later scope (a
campaign, a district programme) is one more clause here, not a change to the pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    not_,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased

from wishmap.models import (
    District,
    Premise,
    PremiseGap,
    PremiseStatus,
    PremiseZone,
    Role,
    ShopType,
    TypeExclusion,
    User,
    ZoningArea,
)
from wishmap.services.caching import cached_per_database
from wishmap.services.districts import districts_of
from wishmap.services.recommendations import forbidden_types

READERS_OF_ALL = frozenset({Role.OFFICER.value, Role.ADMIN.value})
SORTS = ("score", "days", "address", "street")
PAGE_SIZE = 50
# Larger than any page a portfolio can have; beyond it a page number is a mistake.
MAX_PAGE = 1_000_000


class PortfolioError(ValueError):
    """A portfolio request was malformed; the message says why."""


@dataclass(frozen=True)
class PortfolioQuery:
    """Filters, sort and page of a portfolio or of a "where should a … go?" ranking."""

    street: str | None = None  # part of the street name, any case
    district_id: int | None = None
    status: str | None = None
    type_code: str | None = None  # ranks by this type's score and keeps premises that have one
    min_score: float | None = None
    sort: str = "score"
    page: int = 1

    def args(self, **changes: object) -> dict[str, str]:
        """Return the query as URL parameters, with some changed (another page, another sort)."""
        values = {
            "street": self.street,
            "district": self.district_id,
            "status": self.status,
            "type": self.type_code,
            "min_score": None if self.min_score is None else f"{self.min_score:g}",
            "sort": self.sort if self.sort != "score" else None,
            "page": self.page if self.page != 1 else None,
        }
        values.update(changes)
        return {key: str(value) for key, value in values.items() if value not in (None, "")}


def _whole(args: Mapping[str, str], name: str, what: str, high: int) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9 or not 1 <= int(raw) <= high:
        raise PortfolioError(
            _("%(what)s must be a whole number from 1 to %(high)s.", what=what, high=high)
        )
    return int(raw)


def parse_query(args: Mapping[str, str]) -> PortfolioQuery:
    """Return the query the URL parameters ask for, or raise PortfolioError saying what is wrong."""
    status = (args.get("status") or "").strip() or None
    if status is not None and status not in {s.value for s in PremiseStatus}:
        raise PortfolioError(_("Unknown premise status."))
    sort = (args.get("sort") or "").strip() or "score"
    if sort not in SORTS:
        raise PortfolioError(_("Unknown sort order."))
    min_score = None
    raw = (args.get("min_score") or "").strip().replace(",", ".")
    if raw:
        try:
            min_score = float(raw)
        except ValueError:
            min_score = float("nan")
        if not 0 <= min_score <= 100:  # also refuses nan
            raise PortfolioError(_("The minimum score is a number from 0 to 100."))
    street = (args.get("street") or "").strip()[:200] or None
    return PortfolioQuery(
        street=street,
        district_id=_whole(args, "district", _("District"), 2**31 - 1),
        status=status,
        type_code=(args.get("type") or "").strip()[:40] or None,
        min_score=min_score,
        sort=sort,
        page=_whole(args, "page", _("Page"), MAX_PAGE) or 1,
    )


def scope(reader: User) -> ColumnElement[bool]:
    """Return the condition on Premise for the premises reader may see in a portfolio."""
    if reader.role in READERS_OF_ALL:
        return true()
    # Owners and agencies: the premises they manage.
    return Premise.manager_id == reader.id


def shop_type_of(session: Session, code: str | None) -> ShopType | None:
    """Return the shop type with this code (None for none), or raise PortfolioError if unknown."""
    if code is None:
        return None
    found = session.scalar(select(ShopType).where(ShopType.code == code))
    if found is None:
        raise PortfolioError(_("Unknown shop type."))
    return found


def _in_district(session: Session, where: list[ColumnElement[bool]], district_id: int) -> list[int]:
    district = session.get(District, district_id)
    if district is None:
        raise PortfolioError(_("Unknown district."))
    # The bounding box narrows the premises in SQL; the polygon decides.
    rows = session.execute(
        select(Premise.id, Premise.lat, Premise.lon).where(
            *where,
            Premise.lat.between(district.min_lat, district.max_lat),
            Premise.lon.between(district.min_lon, district.max_lon),
        )
    ).all()
    if not rows:
        return []
    points = np.array([(row[1], row[2]) for row in rows], dtype=float)
    found = districts_of(session, points[:, 0], points[:, 1]).get(district.level)
    if found is None:
        return []
    return [row[0] for row, inside in zip(rows, found == district_id, strict=True) if inside]


def premise_filters(
    session: Session, reader: User, query: PortfolioQuery
) -> list[ColumnElement[bool]]:
    """Return the conditions on Premise for the reader's scope and the query's filters."""
    where = [scope(reader)]
    if query.status:
        where.append(Premise.status == query.status)
    if query.street:
        where.append(
            func.lower(Premise.street_name).contains(query.street.lower(), autoescape=True)
        )
    if query.district_id is not None:
        where.append(Premise.id.in_(_in_district(session, where, query.district_id)))
    return where


def excluded_gaps(
    forbidden: Mapping[int, Iterable[int]], gap: Any = PremiseGap
) -> ColumnElement[bool] | None:
    """Return the condition matching gap rows of forbidden uses (None when nothing is forbidden).

    Premises sharing the same forbidden types (one zoning class, one agency's exclusions) share
    one clause, so the statement stays small however many premises are restricted.
    """
    by_types: dict[frozenset[int], list[int]] = {}
    for premise_id, types in forbidden.items():
        if types:
            by_types.setdefault(frozenset(types), []).append(premise_id)
    if not by_types:
        return None
    return or_(
        *(
            and_(gap.premise_id.in_(sorted(ids)), gap.shop_type_id.in_(sorted(types)))
            for types, ids in by_types.items()
        )
    )


def _restrictions_fingerprint(session: Session) -> Any:
    # Cheap aggregates over every table forbidden_types() reads: zoning links and classes,
    # exclusions, and who manages which premise.
    return tuple(
        session.execute(statement).one()
        for statement in (
            select(
                func.count(), func.sum(PremiseZone.premise_id), func.sum(PremiseZone.zoning_area_id)
            ),
            select(
                func.count(), func.max(ZoningArea.id), func.sum(func.length(ZoningArea.class_code))
            ),
            select(
                func.count(),
                func.max(TypeExclusion.id),
                func.sum(TypeExclusion.shop_type_id),
                func.sum(func.coalesce(TypeExclusion.manager_id, 0)),
            ),
            select(
                func.count(), func.max(Premise.id), func.sum(func.coalesce(Premise.manager_id, 0))
            ),
        )
    )


def _all_restrictions(session: Session) -> dict[int, frozenset[int]]:
    ids = list(session.scalars(select(Premise.id)))
    found = forbidden_types(session, ids) if ids else {}
    return {premise_id: frozenset(types) for premise_id, types in found.items() if types}


def restrictions(session: Session) -> dict[int, frozenset[int]]:
    """Return {premise id: shop type ids that may not be recommended there} for every premise.

    Asking forbidden_types() about 5,000 premises takes longer than a page may; its answer only
    changes with zoning, exclusions or managers, so it is kept until one of those changes.
    """
    return cached_per_database(
        session, "portfolio-restrictions", _restrictions_fingerprint, _all_restrictions
    )


def reasons(session: Session, premise_ids: list[int]) -> dict[int, dict[int, str]]:
    """Return forbidden_types() for these premises: why each restricted use may not go there."""
    return forbidden_types(session, premise_ids) if premise_ids else {}


def _house_number(session: Session) -> ColumnElement[int]:
    """The leading house number of an address (0 when it has none), for a natural sort."""
    if session.get_bind().dialect.name == "postgresql":
        digits = func.substring(Premise.address, r"^\s*([0-9]{1,9})")
        return func.coalesce(cast(digits, Integer), 0)
    # SQLite reads the leading digits of a text as its integer value (0 when there are none).
    return cast(func.substr(Premise.address, 1, 9), Integer)


def listing(
    session: Session,
    where: list[ColumnElement[bool]],
    run_id: int | None,
    query: PortfolioQuery,
    type_id: int | None,
    forbidden: Mapping[int, Iterable[int]],
) -> tuple[Select, Select]:
    """Return the statements of the portfolio rows (premise id and score, sorted) and their count.

    A premise's score is its best allowed gap (or the chosen type's), read from the newest run
    by one indexed lookup per premise: the page never aggregates every stored gap.
    """
    count = select(func.count()).select_from(Premise).where(*where)
    if run_id is None:
        # No analysis yet: the premises are listed, without scores.
        statement = select(Premise.id, null().label("score")).where(*where)
        if query.min_score is not None or type_id is not None:
            # Without an analysis no premise has any score.
            statement = statement.where(Premise.id.is_(None))
            count = count.where(Premise.id.is_(None))
        scored = None
    else:
        gap = aliased(PremiseGap, name="gap")
        excluded = excluded_gaps(forbidden, gap)
        allowed = [not_(excluded)] if excluded is not None else []
        if type_id is not None:
            # One type: its stored row, joined by primary key; no row, no place in the ranking.
            score: Any = gap.gap
            joined = and_(
                gap.run_id == run_id, gap.premise_id == Premise.id, gap.shop_type_id == type_id
            )
            statement = select(Premise.id, gap.gap.label("score")).join(gap, joined)
            count = count.join(gap, joined)
            conditions = allowed
        else:
            # The best allowed type: the first of the premise's rows in gap order.
            best = select(gap.gap).where(
                gap.run_id == run_id, gap.premise_id == Premise.id, *allowed
            )
            score = best.order_by(gap.gap.desc()).limit(1).correlate(Premise).scalar_subquery()
            statement = select(Premise.id, score.label("score"))
            conditions = []
        if query.min_score is not None:
            conditions = [*conditions, score >= query.min_score]
        statement = statement.where(*where, *conditions)
        count = count.where(*conditions)
        scored = statement.selected_columns.score
    strongest = (scored.desc().nulls_last(),) if scored is not None else ()
    number = _house_number(session)
    rest = func.lower(func.ltrim(Premise.address, " ,0123456789"))
    orders = {
        "score": (*strongest, rest, number),
        # Longest vacant first; premises that are not vacant (no days) last.
        "days": (
            case((Premise.status == PremiseStatus.VACANT.value, 0), else_=1),
            case((Premise.vacant_since.is_(None), 1), else_=0),
            Premise.vacant_since,
            *strongest,
        ),
        "address": (rest, number, Premise.address),
        "street": (func.lower(Premise.street_name), *strongest, number),
    }
    return statement.order_by(*orders[query.sort], Premise.id), count
