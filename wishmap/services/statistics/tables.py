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

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from wishmap.models import District, ShopType, Street
from wishmap.models.statistics_aggregates import DISTRICT, GROUP, STREET, TYPE
from wishmap.services import statistics_aggregates as live
from wishmap.services.disclosure import MODULUS, CellKeys, publish
from wishmap.services.districts import district_levels
from wishmap.services.statistics import nesting
from wishmap.services.statistics.query import (
    DEFAULT_MIN_RESIDENTS,
    StatisticsError,
    StatRow,
    StatsQuery,
    StatsTable,
)
from wishmap.services.statistics.scan import scan_tallies
from wishmap.services.statistics_aggregates import Selection, Tally
from wishmap.taxonomy import GROUPS

logger = logging.getLogger(__name__)


def _resolve_level(session: Session, query: StatsQuery) -> str | None:
    levels = district_levels(session)
    if query.level is None:
        return levels[0] if levels else None
    if query.level not in levels:
        raise StatisticsError(_("Unknown district level."))
    return query.level


def _checked(session: Session, query: StatsQuery) -> tuple[int | None, District | None]:
    """Return the filter's shop type id and district, refusing unknown ones."""
    type_id = None
    if query.type_code:
        type_id = session.scalar(select(ShopType.id).where(ShopType.code == query.type_code))
        if type_id is None:
            raise StatisticsError(_("Unknown shop type."))
    district = None
    if query.district_id is not None:
        district = session.get(District, query.district_id)
        if district is None:
            raise StatisticsError(_("Unknown district."))
    if query.street_id is not None and session.get(Street, query.street_id) is None:
        raise StatisticsError(_("Unknown street."))
    return type_id, district


def _yyyymmdd(day: Any) -> int | None:
    return day.year * 10000 + day.month * 100 + day.day if day else None


def selection_for(
    session: Session,
    query: StatsQuery,
    level: str | None,
    type_id: int | None,
    district: District | None,
    within: tuple[int, ...] | None = None,
) -> Selection:
    """The aggregates' kind and filters answering the query.

    A district filter of another level than the grouping's is read as `within`: the districts
    of the grouping's level lying wholly in it (nesting.py).
    """
    kind, chosen_level = 0, None
    district_id = district.id if district is not None else None
    if "street" in query.by or query.street_id is not None:
        kind |= STREET
    if "district" in query.by:
        kind, chosen_level = kind | DISTRICT, level
        if district is not None and district.level != level:
            district_id = None
    elif district is not None:
        kind, chosen_level = kind | DISTRICT, district.level
    type_ids = None
    if "type" in query.by or type_id is not None:
        kind |= TYPE
        if query.group:
            type_ids = tuple(
                session.scalars(select(ShopType.id).where(ShopType.group == query.group))
            )
    elif "group" in query.by or query.group:
        kind |= GROUP
    return Selection(
        kind=kind,
        by=query.by,
        level=chosen_level,
        street_id=query.street_id,
        district_id=district_id,
        district_ids=within,
        type_id=type_id,
        type_ids=type_ids,
        group=query.group,
        since=_yyyymmdd(query.since),
        until=_yyyymmdd(query.until),
    )


def counted(session: Session, query: StatsQuery, level: str | None) -> list[Tally]:
    """Exact counts per group for a valid query, from the live aggregates where they answer."""
    type_id, district = _checked(session, query)
    levels = {district.level} if district is not None else set()
    if "district" in query.by and level is not None:
        levels.add(level)
    if levels and not levels <= set(live.kept_levels(session)):
        # Districts written without `flask import-districts`, which rebuilds the aggregates for
        # a new level in its own transaction: counted exactly, if slowly, until a rebuild.
        logger.warning("statistics: no aggregates for %s; run flask rebuild-aggregates", levels)
        return scan_tallies(session, query, level, type_id)
    if "district" in query.by and district is not None and district.level != level:
        parts = nesting.split(session, level or "", district)
        if parts.within_one:
            # Every wish of the filter's district lies in one district of the grouping's level
            # (or outside them all): its own rows are the answer, under that district's key.
            own = selection_for(session, query, district.level, type_id, district)
            key, at = (parts.straddling or (None,))[0], query.by.index("district")
            return [
                dataclasses.replace(tally, keys=(*tally.keys[:at], key, *tally.keys[at + 1 :]))
                for tally in live.tallies(session, own)
            ]
        # The districts across the filter's border (0: outside every district of the grouping's
        # level) are read from the cross rows of the two levels, which pair their districts.
        across = dataclasses.replace(
            selection_for(session, query, level, type_id, district),
            across=(district.level, district.id),
        )
        if not parts.whole:  # levels that do not nest
            return live.tallies(session, across)
        whole = selection_for(session, query, level, type_id, district, parts.whole)
        found = live.tallies(session, whole)
        if parts.straddling:
            straddling = tuple(key or 0 for key in parts.straddling)
            found += live.tallies(session, dataclasses.replace(across, district_ids=straddling))
        return found
    return live.tallies(session, selection_for(session, query, level, type_id, district))


def _cell_key(coefficients: tuple[int, int, int, int], count: int, s1: int, s2: int) -> int:
    """The sum of count records' keys, from the sums of their ids and squares (mod MODULUS).

    A record's key is (a·u + b)·(u + d) + c mod MODULUS, so the sum over a set is
    a·Σu² + (a·d + b)·Σu + n·(b·d + c) mod MODULUS, for any secret.
    """
    a, b, c, d = coefficients
    return (a * s2 + (a * d + b) * s1 + count * (b * d + c)) % MODULUS


def _labeller(session: Session, dimension: str, keys: set[Any], locale: str) -> Any:
    """Return key → (code, label) for one dimension's keys."""
    if dimension in ("street", "district"):
        model = Street if dimension == "street" else District
        found = session.execute(select(model.id, model.ref, model.name)).all()
        names = {i: (ref, name) for i, ref, name in found if i in keys}
        # Translated once per table, not once per row (a street × month table has thousands).
        nowhere = ("", _("No street nearby") if model is Street else _("Outside every district"))
        return lambda key: names.get(key, nowhere)
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
    months = [(month, f"{month // 100:04d}-{month % 100:02d}") for month in _months(first, last)]
    return [
        StatRow(
            keys=(key, month),
            codes=(row.codes[0], name),
            labels=(row.labels[0], name),
            wishes=None,
            residents=None,
        )
        for key, row in groups.items()
        for month, name in months
        if (key, month) not in present
    ]


def statistics(
    session: Session,
    query: StatsQuery,
    min_residents: int = DEFAULT_MIN_RESIDENTS,
    locale: str = "en",
    *,
    keys: CellKeys | None = None,
    scan: bool = False,
) -> StatsTable:
    """Return active wishes and distinct residents per group, perturbed, small groups suppressed.

    With `keys` (every published figure: pages, map, exports, API, CLI) each count carries its
    cell-key noise (see services/disclosure.py); without, counts are exact (internal use).
    `scan` counts by reading the wishes instead of the live aggregates (tests, benchmark).
    """
    level = _resolve_level(session, query)
    if "district" in query.by and level is None:
        raise StatisticsError(_("No districts have been imported yet."))
    if scan:
        type_id, _district = _checked(session, query)
        found = scan_tallies(session, query, level, type_id)
    else:
        found = counted(session, query, level)
    labellers = [
        _labeller(session, dimension, {tally.keys[i] for tally in found}, locale)
        for i, dimension in enumerate(query.by)
    ]
    secret = keys or CellKeys(secret="")
    # Once per table: each is an HMAC of the secret.
    per_resident, per_wish = secret.coefficients("resident"), secret.coefficients("wish")
    rows = []
    for tally in found:
        named = [labellers[i](tally.keys[i]) for i in range(len(query.by))]
        hidden = tally.residents < min_residents
        resident_key = _cell_key(per_resident, tally.residents, tally.r1, tally.r2)
        wish_key = _cell_key(per_wish, tally.wishes, tally.w1, tally.w2)
        shown_residents = publish(tally.residents, resident_key, keys)
        # Post-processing published figures only: a cell never shows fewer wishes than residents.
        shown_wishes = max(publish(tally.wishes, wish_key, keys), shown_residents)
        rows.append(
            StatRow(
                keys=tally.keys,
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
    with_wishes = live.streets_with_wishes(session)
    return Choices(
        levels=district_levels(session),
        districts=list(session.scalars(select(District).order_by(District.level, District.name))),
        # Only streets that some active wish counts for: a whole city has thousands of streets
        # (Paris 6,564), and filtering on one without wishes could only show an empty table.
        streets=[
            (i, name)
            for i, name in session.execute(select(Street.id, Street.name).order_by(Street.name))
            if i in with_wishes
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
