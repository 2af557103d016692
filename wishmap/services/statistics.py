"""Statistics for the city's officers: active wishes and distinct residents, grouped and filtered.

Only ACTIVE wishes count. A row with fewer than `min_residents` distinct residents is
suppressed: its counts are withheld everywhere (page, map, exports, API). Every published count
also carries a small cell-key noise (services/disclosure.py), so that a suppressed row cannot be
recovered by subtracting published figures from one another. Wishes kept anonymously after
an account was deleted count as wishes but add no resident, which can only suppress more,
never less. Rows never carry an e-mail address, a name, a reason or a point: only street,
district, type, group and month.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    cast,
    extract,
    func,
    literal_column,
    select,
)
from sqlalchemy.orm import Session

from wishmap.models import District, ShopType, Street, Wish, WishDistrict, WishStatus
from wishmap.models._types import utcnow
from wishmap.services.disclosure import CellKeys, publish, record_key
from wishmap.services.districts import district_levels
from wishmap.taxonomy import GROUPS

DIMENSIONS = ("street", "district", "type", "group", "month")
GEOMETRY_DIMENSIONS = ("street", "district")
DEFAULT_MIN_RESIDENTS = 3


class StatisticsError(ValueError):
    """A statistics request was malformed; the message says why."""


@dataclass(frozen=True)
class StatsQuery:
    """What to count: the grouping (one or two dimensions) and the filters."""

    by: tuple[str, ...] = ("street",)
    level: str | None = None  # the district level when grouping by district
    since: date | None = None
    until: date | None = None
    type_code: str | None = None
    group: str | None = None
    district_id: int | None = None
    street_id: int | None = None

    def args(self) -> dict[str, str]:
        """Return the query as URL parameters (the same table in another format)."""
        values = {
            "by": self.by[0],
            "then": self.by[1] if len(self.by) > 1 else None,
            "level": self.level,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "type": self.type_code,
            "group": self.group,
            "district": self.district_id,
            "street": self.street_id,
        }
        return {key: str(value) for key, value in values.items() if value not in (None, "")}

    @property
    def has_geometry(self) -> bool:
        return sum(dimension in GEOMETRY_DIMENSIONS for dimension in self.by) == 1


@dataclass(frozen=True)
class StatRow:
    """One group: its key and label per dimension, and its counts (None when suppressed)."""

    keys: tuple[Any, ...]
    codes: tuple[str, ...]
    labels: tuple[str, ...]
    wishes: int | None
    residents: int | None

    @property
    def suppressed(self) -> bool:
        return self.residents is None


@dataclass
class StatsTable:
    query: StatsQuery
    rows: list[StatRow]
    min_residents: int
    level: str | None
    max_noise: int = 0
    generated_at: datetime = field(default_factory=utcnow)

    @property
    def shown(self) -> list[StatRow]:
        return [row for row in self.rows if not row.suppressed]


def _day(args: Mapping[str, str], name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise StatisticsError(_("%(name)s must be a date (YYYY-MM-DD).", name=name)) from None


def _number(args: Mapping[str, str], name: str) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise StatisticsError(_("%(name)s must be a number.", name=name))
    return int(raw)


def parse_query(args: Mapping[str, str]) -> StatsQuery:
    """Return the query named by URL parameters, or raise StatisticsError saying why."""
    by = [(args.get("by") or "street").strip(), (args.get("then") or "").strip()]
    by = [dimension for dimension in by if dimension]
    for dimension in by:
        if dimension not in DIMENSIONS:
            raise StatisticsError(_("Group by one of: %(choices)s.", choices=", ".join(DIMENSIONS)))
    if len(by) == 2 and by[0] == by[1]:
        raise StatisticsError(_("Group by two different things."))
    since, until = _day(args, "since"), _day(args, "until")
    if since and until and since > until:
        raise StatisticsError(_("The start date is after the end date."))
    group = (args.get("group") or "").strip() or None
    if group and group not in GROUPS:
        raise StatisticsError(_("Unknown shop-type group."))
    return StatsQuery(
        by=tuple(by),
        level=(args.get("level") or "").strip() or None,
        since=since,
        until=until,
        type_code=(args.get("type") or "").strip() or None,
        group=group,
        district_id=_number(args, "district"),
        street_id=_number(args, "street"),
    )


def month_key(session: Session) -> ColumnElement[int]:
    """Return the UTC month of a wish as a number yyyymm, on SQLite and PostgreSQL alike."""
    moment: Any = Wish.created_at
    if session.get_bind().dialect.name == "postgresql":
        # timestamptz's fields follow the session time zone; months are counted in UTC.
        moment = func.timezone(literal_column("'UTC'"), Wish.created_at)
    # Literal constants, not bound parameters: PostgreSQL matches GROUP BY expressions by
    # their text, and two renderings of a parameter would not match.
    return cast(extract("year", moment) * literal_column("100") + extract("month", moment), Integer)


def _resolve_level(session: Session, query: StatsQuery) -> str | None:
    levels = district_levels(session)
    if query.level is None:
        return levels[0] if levels else None
    if query.level not in levels:
        raise StatisticsError(_("Unknown district level."))
    return query.level


def _filtered(session: Session, query: StatsQuery, statement: Any) -> Any:
    statement = statement.where(Wish.status == WishStatus.ACTIVE.value)
    if query.since:
        statement = statement.where(Wish.created_at >= datetime.combine(query.since, time(), UTC))
    if query.until:
        end = datetime.combine(query.until + timedelta(days=1), time(), UTC)
        statement = statement.where(Wish.created_at < end)
    if query.type_code:
        type_id = session.scalar(select(ShopType.id).where(ShopType.code == query.type_code))
        if type_id is None:
            raise StatisticsError(_("Unknown shop type."))
        statement = statement.where(Wish.shop_type_id == type_id)
    if query.group:
        statement = statement.where(ShopType.group == query.group)
    if query.district_id is not None:
        if session.get(District, query.district_id) is None:
            raise StatisticsError(_("Unknown district."))
        statement = statement.where(
            Wish.id.in_(
                select(WishDistrict.wish_id).where(WishDistrict.district_id == query.district_id)
            )
        )
    if query.street_id is not None:
        if session.get(Street, query.street_id) is None:
            raise StatisticsError(_("Unknown street."))
        statement = statement.where(Wish.street_id == query.street_id)
    return statement


def _labeller(session: Session, dimension: str, keys: set[Any], locale: str) -> Any:
    """Return key → (code, label) for one dimension's keys."""
    if dimension == "street":
        found = session.execute(select(Street.id, Street.ref, Street.name)).all()
        names = {i: (ref, name) for i, ref, name in found if i in keys}
        return lambda key: names.get(key, ("", _("No street nearby")))
    if dimension == "district":
        found = session.execute(select(District.id, District.ref, District.name)).all()
        names = {i: (ref, name) for i, ref, name in found if i in keys}
        return lambda key: names.get(key, ("", _("Outside every district")))
    if dimension == "type":
        types = {t.id: (t.code, t.label(locale)) for t in session.scalars(select(ShopType))}
        return lambda key: types[key]
    if dimension == "group":
        return lambda key: (key, GROUPS.get(key, {}).get(locale) or GROUPS.get(key, {}).get("en"))
    return lambda key: (f"{key // 100:04d}-{key % 100:02d}",) * 2


def _sort_key(row: StatRow, by: tuple[str, ...]) -> tuple[Any, ...]:
    if by[0] == "month":
        return (row.keys[0], row.suppressed, -(row.residents or 0), row.labels)
    if len(by) == 2 and by[1] == "month":
        # A time series per street (type, …): by name, then in calendar order.
        return (row.labels[0], row.codes[0], row.keys[1])
    # Suppressed rows go last, by name: their order must not hint at their size.
    return (row.suppressed, -(row.residents or 0), -(row.wishes or 0), row.labels)


def _months(first: int, last: int) -> list[int]:
    """Return every yyyymm month from first to last, in calendar order."""
    months, month = [], first
    while month <= last:
        months.append(month)
        month = month + 1 if month % 100 < 12 else (month // 100 + 1) * 100 + 1
    return months


def _empty_months(query: StatsQuery, rows: list[StatRow]) -> list[StatRow]:
    """Return a row for every month in the series that has no wish for a group: suppressed.

    Empty months are shown as suppressed rather than 0: "<n" for "none" and "a few" alike, so
    that an empty month does not set the months with a few residents apart.
    """
    if not rows:
        return []
    found = [row.keys[1] for row in rows]
    first = query.since.year * 100 + query.since.month if query.since else min(found)
    last = query.until.year * 100 + query.until.month if query.until else max(found)
    if len(_months(first, last)) > 600:  # fifty years: a malformed range, not a series
        raise StatisticsError(_("The date range is too long for a monthly series."))
    present = {(row.keys[0], row.keys[1]) for row in rows}
    groups = {row.keys[0]: row for row in rows}
    return [
        StatRow(
            keys=(key, month),
            codes=(row.codes[0], f"{month // 100:04d}-{month % 100:02d}"),
            labels=(row.labels[0], f"{month // 100:04d}-{month % 100:02d}"),
            wishes=None,
            residents=None,
        )
        for key, row in groups.items()
        for month in _months(first, last)
        if (key, month) not in present
    ]


def statistics(
    session: Session,
    query: StatsQuery,
    min_residents: int = DEFAULT_MIN_RESIDENTS,
    locale: str = "en",
    *,
    keys: CellKeys | None = None,
) -> StatsTable:
    """Return active wishes and distinct residents per group, perturbed, small groups suppressed.

    With `keys` (every published figure: pages, map, exports, API, CLI) each count carries its
    cell-key noise (see services/disclosure.py); without, counts are exact (internal use).
    """
    level = _resolve_level(session, query)
    if "district" in query.by and level is None:
        raise StatisticsError(_("No districts have been imported yet."))
    columns = {
        "street": Wish.street_id,
        "district": WishDistrict.district_id,
        "type": Wish.shop_type_id,
        "group": ShopType.group,
        "month": month_key(session),
    }
    grouping = [columns[dimension].label(f"k{i}") for i, dimension in enumerate(query.by)]
    secret = keys or CellKeys(secret="")
    # Per group and resident first, so that the outer query counts residents and sums their
    # record keys once each; anonymous wishes (no user) form one inner row that adds no resident.
    inner = (
        select(
            *grouping,
            Wish.user_id.label("uid"),
            func.count(Wish.id).label("n"),
            func.sum(record_key(Wish.id, secret, "wish")).label("wk"),
        )
        .select_from(Wish)
        .join(ShopType, ShopType.id == Wish.shop_type_id)
    )
    if "district" in query.by:
        inner = inner.outerjoin(
            WishDistrict, and_(WishDistrict.wish_id == Wish.id, WishDistrict.level == level)
        )
    inner = _filtered(session, query, inner).group_by(*grouping, Wish.user_id).subquery()
    outer_keys = [inner.c[f"k{i}"] for i in range(len(query.by))]
    statement = select(
        *outer_keys,
        func.sum(inner.c.n),
        func.count(inner.c.uid),
        func.coalesce(func.sum(record_key(inner.c.uid, secret, "resident")), 0),
        func.coalesce(func.sum(inner.c.wk), 0),
    ).group_by(*outer_keys)
    found = session.execute(statement).all()
    labellers = [
        _labeller(session, dimension, {row[i] for row in found}, locale)
        for i, dimension in enumerate(query.by)
    ]
    rows = []
    for row in found:
        named = [labellers[i](row[i]) for i in range(len(query.by))]
        wishes, residents = int(row[-4]), int(row[-3])
        hidden = residents < min_residents
        shown_residents = publish(residents, int(row[-2]), keys)
        # Post-processing published figures only: a cell never shows fewer wishes than residents.
        shown_wishes = max(publish(wishes, int(row[-1]), keys), shown_residents)
        rows.append(
            StatRow(
                keys=tuple(row[: len(query.by)]),
                codes=tuple(str(code) for code, _label in named),
                labels=tuple(str(label) for _code, label in named),
                wishes=None if hidden else shown_wishes,
                residents=None if hidden else shown_residents,
            )
        )
    if len(query.by) == 2 and query.by[1] == "month":
        rows += _empty_months(query, rows)
    rows.sort(key=lambda row: _sort_key(row, query.by))
    return StatsTable(
        query=query,
        rows=rows,
        min_residents=min_residents,
        level=level,
        max_noise=keys.max_noise if keys else 0,
    )


def geometries(session: Session, dimension: str, keys: set[Any]) -> dict[Any, str]:
    """Return the GeoJSON geometry text of the streets or districts with these ids."""
    model = Street if dimension == "street" else District
    ids = [key for key in keys if key is not None]
    found: dict[Any, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.execute(select(model.id, model.geometry).where(model.id.in_(chunk)))
        found.update((key, text) for key, text in rows)
    return found


@dataclass
class Choices:
    """What the filter form offers."""

    levels: list[str]
    districts: list[District]
    streets: list[tuple[int, str]]
    shop_types: list[ShopType]


def filter_choices(session: Session) -> Choices:
    """Return the district levels, districts, streets and shop types the filters offer."""
    return Choices(
        levels=district_levels(session),
        districts=list(session.scalars(select(District).order_by(District.level, District.name))),
        # Only streets that some active wish counts for: a whole city has thousands of streets
        # (Paris 6,564), and filtering on one without wishes could only show an empty table.
        streets=[
            (i, name)
            for i, name in session.execute(
                select(Street.id, Street.name)
                .where(
                    select(Wish.id)
                    .where(Wish.street_id == Street.id, Wish.status == WishStatus.ACTIVE.value)
                    .exists()
                )
                .order_by(Street.name)
            )
        ],
        shop_types=list(session.scalars(select(ShopType).order_by(ShopType.group, ShopType.code))),
    )


@dataclass
class MapLayer:
    """One map layer: a table grouped by street or by district, and its shapes by key."""

    dimension: str
    table: StatsTable
    shapes: dict[Any, str]


def map_layers(
    session: Session,
    query: StatsQuery,
    min_residents: int,
    locale: str = "en",
    keys: CellKeys | None = None,
) -> list[MapLayer]:
    """Return the filtered demand per street and, when districts exist, per district."""
    layers = []
    dimensions = ["street"] + (["district"] if district_levels(session) else [])
    for dimension in dimensions:
        table = statistics(
            session,
            StatsQuery(**{**query.__dict__, "by": (dimension,)}),
            min_residents,
            locale,
            keys=keys,
        )
        shapes = geometries(session, dimension, {row.keys[0] for row in table.rows})
        layers.append(MapLayer(dimension, table, shapes))
    return layers
