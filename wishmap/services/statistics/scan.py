"""The statistics counted by scanning the wishes: the reference the aggregates must equal.

Pages read the live aggregates (services/statistics_aggregates.py); this scan counts what they
cannot: levels no district import rebuilt them for. It is what the tests and the benchmark
compare them with.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    and_,
    cast,
    extract,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session

from wishmap.models import ShopType, Wish, WishDistrict, WishStatus
from wishmap.services.disclosure import MODULUS
from wishmap.services.statistics.query import StatsQuery
from wishmap.services.statistics_aggregates import Tally


def month_key(session: Session) -> ColumnElement[int]:
    """Return the UTC month of a wish as a number yyyymm, on SQLite and PostgreSQL alike."""
    moment: Any = Wish.created_at
    if session.get_bind().dialect.name == "postgresql":
        # timestamptz's fields follow the session time zone; months are counted in UTC.
        moment = func.timezone(literal_column("'UTC'"), Wish.created_at)
    # Literal constants, not bound parameters: PostgreSQL matches GROUP BY expressions by
    # their text, and two renderings of a parameter would not match.
    return cast(extract("year", moment) * literal_column("100") + extract("month", moment), Integer)


def _filtered(query: StatsQuery, type_id: int | None, statement: Any) -> Any:
    statement = statement.where(Wish.status == WishStatus.ACTIVE.value)
    if query.since:
        statement = statement.where(Wish.created_at >= datetime.combine(query.since, time(), UTC))
    if query.until:
        end = datetime.combine(query.until + timedelta(days=1), time(), UTC)
        statement = statement.where(Wish.created_at < end)
    if type_id is not None:
        statement = statement.where(Wish.shop_type_id == type_id)
    if query.group:
        statement = statement.where(ShopType.group == query.group)
    if query.district_id is not None:
        statement = statement.where(
            Wish.id.in_(
                select(WishDistrict.wish_id).where(WishDistrict.district_id == query.district_id)
            )
        )
    if query.street_id is not None:
        statement = statement.where(Wish.street_id == query.street_id)
    return statement


def scan_tallies(
    session: Session,
    query: StatsQuery,
    level: str | None,
    type_id: int | None,
    districts: Collection[int | None] | None = None,
) -> list[Tally]:
    """Exact counts per group by reading every matching active wish.

    `districts` keeps, when grouping by district, the groups of these districts only (None:
    outside every district of the level).
    """
    columns = {
        "street": Wish.street_id,
        "district": WishDistrict.district_id,
        "type": Wish.shop_type_id,
        "group": ShopType.group,
        "month": month_key(session),
    }
    grouping = [columns[dimension].label(f"k{i}") for i, dimension in enumerate(query.by)]
    wish_mod = cast(Wish.id, BigInteger) % literal_column(str(MODULUS))
    # Per group and resident first, so that the outer query counts residents and sums their
    # ids once each; anonymous wishes (no user) form one inner row that adds no resident.
    inner = (
        select(
            *grouping,
            Wish.user_id.label("uid"),
            func.count(Wish.id).label("n"),
            func.sum(wish_mod).label("w1"),
            func.sum(wish_mod * wish_mod).label("w2"),
        )
        .select_from(Wish)
        .join(ShopType, ShopType.id == Wish.shop_type_id)
    )
    if "district" in query.by:
        inner = inner.outerjoin(
            WishDistrict, and_(WishDistrict.wish_id == Wish.id, WishDistrict.level == level)
        )
    if "district" in query.by and districts is not None:
        chosen = [key for key in districts if key is not None]
        condition = WishDistrict.district_id.in_(chosen)
        if None in districts:
            condition = or_(condition, WishDistrict.district_id.is_(None))
        inner = inner.where(condition)
    inner = _filtered(query, type_id, inner).group_by(*grouping, Wish.user_id).subquery()
    outer_keys = [inner.c[f"k{i}"] for i in range(len(query.by))]
    uid_mod = cast(inner.c.uid, BigInteger) % literal_column(str(MODULUS))
    statement = select(
        *outer_keys,
        func.sum(inner.c.n),
        func.count(inner.c.uid),
        func.coalesce(func.sum(uid_mod), 0),
        func.coalesce(func.sum(uid_mod * uid_mod), 0),
        func.sum(inner.c.w1),
        func.sum(inner.c.w2),
    ).group_by(*outer_keys)
    width = len(query.by)
    return [
        Tally(tuple(row[:width]), *(int(value) for value in row[width:]))
        for row in session.execute(statement)
    ]
