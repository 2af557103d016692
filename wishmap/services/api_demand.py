"""The open API's demand: residents per premise and type, per grid cell, per street and district.

Every figure is protected as on the officers' statistics pages (services/disclosure.py): a
floor of distinct residents below which the count is withheld (null), and cell-key noise on
every count shown, keyed by the SET of residents behind it, so the same residents give the same
figure whether reached here, per street or on a page. The live aggregates
(services/aggregates.py) say which premises, types and cells hold demand and page through them;
only the page's rows are then counted per resident for the floor and the key. Streets and
districts are the statistics service's own protected tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Integer, cast, func, select, tuple_
from sqlalchemy.orm import Session

from wishmap.models import Premise, PremiseTypeCount, ShopType, Street, Wish, WishStatus
from wishmap.models.aggregates import ALL_TYPES
from wishmap.services import aggregates
from wishmap.services import statistics as stats
from wishmap.services.api_params import ApiParamError, BBox, page_links
from wishmap.services.disclosure import CellKeys, publish, record_key
from wishmap.taxonomy import GROUPS

MAX_LEVEL = 14
# Cells a view may span at its level (rows × cols): beyond, ask a coarser level.
MAX_CELLS_IN_VIEW = 250_000


@dataclass(frozen=True)
class Protection:
    """How the figures of one answer are protected."""

    keys: CellKeys
    min_residents: int

    def document(self) -> dict[str, Any]:
        """Return the protection as the API states it in every answer."""
        return {
            "method": "cell key",
            "min_residents": self.min_residents,
            "max_noise": self.keys.max_noise,
            "suppressed_counts": None,
        }


def _counted(found: Any, protection: Protection) -> dict[tuple[int, int], dict[str, Any]]:
    """Return key → published wishes, residents and suppressed, from (k1, k2, n, r, rk, wk)."""
    result = {}
    for k1, k2, wishes, residents, resident_key, wish_key in found:
        hidden = int(residents) < protection.min_residents
        shown = publish(int(residents), int(resident_key), protection.keys)
        result[(int(k1), int(k2))] = {
            "residents": None if hidden else shown,
            "wishes": None
            if hidden
            else max(publish(int(wishes), int(wish_key), protection.keys), shown),
            "suppressed": hidden,
        }
    return result


def _per_resident(
    keys: tuple[ColumnElement[Any], ColumnElement[Any]], where: list[Any], protection: Protection
) -> Any:
    """Return the statement counting wishes and distinct residents per key, with their cell keys
    (the same two-step sum as the statistics service: per resident first, then per key)."""
    secret = protection.keys
    inner = (
        select(
            keys[0].label("k1"),
            keys[1].label("k2"),
            Wish.user_id.label("uid"),
            func.count(Wish.id).label("n"),
            func.sum(record_key(Wish.id, secret, "wish")).label("wk"),
        )
        .where(Wish.status == WishStatus.ACTIVE.value, *where)
        .group_by(keys[0], keys[1], Wish.user_id)
        .subquery()
    )
    return select(
        inner.c.k1,
        inner.c.k2,
        func.sum(inner.c.n),
        func.count(inner.c.uid),
        func.coalesce(func.sum(record_key(inner.c.uid, secret, "resident")), 0),
        func.coalesce(func.sum(inner.c.wk), 0),
    ).group_by(inner.c.k1, inner.c.k2)


def _type_id(session: Session, code: str | None) -> int | None:
    if not code:
        return None
    found = session.scalar(select(ShopType.id).where(ShopType.code == code))
    if found is None:
        raise ApiParamError("type", _("Unknown shop type."))
    return int(found)


def premise_demand(
    session: Session,
    protection: Protection,
    locale: str,
    filters: dict[str, Any],
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """Return one page of (premise, shop type) rows with their protected counts."""
    query = (
        select(PremiseTypeCount.premise_id, PremiseTypeCount.shop_type_id)
        .join(Premise, Premise.id == PremiseTypeCount.premise_id)
        .where(PremiseTypeCount.wishes > 0)
    )
    if filters.get("premise") is not None:
        query = query.where(PremiseTypeCount.premise_id == filters["premise"])
    if filters.get("status"):
        query = query.where(Premise.status == filters["status"])
    if filters.get("street") is not None:
        if session.get(Street, filters["street"]) is None:
            raise ApiParamError("street", _("Unknown street."))
        query = query.where(Premise.street_id == filters["street"])
    type_id = _type_id(session, filters.get("type"))
    if type_id is not None:
        query = query.where(PremiseTypeCount.shop_type_id == type_id)
    bbox: BBox | None = filters.get("bbox")
    if bbox is not None:
        query = query.where(
            Premise.lon.between(bbox.west, bbox.east), Premise.lat.between(bbox.south, bbox.north)
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pairs = [
        (int(p), int(t))
        for p, t in session.execute(
            query.order_by(PremiseTypeCount.premise_id, PremiseTypeCount.shop_type_id)
            .limit(limit)
            .offset(offset)
        )
    ]
    counted: dict[tuple[int, int], dict[str, Any]] = {}
    if pairs:
        statement = _per_resident(
            (Wish.premise_id, Wish.shop_type_id),
            [tuple_(Wish.premise_id, Wish.shop_type_id).in_(pairs)],
            protection,
        )
        counted = _counted(session.execute(statement), protection)
    types = {t.id: t for t in session.scalars(select(ShopType))}
    items = []
    for premise_id, type_id_ in pairs:
        figures = counted.get(
            (premise_id, type_id_), {"residents": None, "wishes": None, "suppressed": True}
        )
        shop_type = types[type_id_]
        items.append(
            {
                "premise_id": premise_id,
                "type": shop_type.code,
                "label": shop_type.label(locale),
                **figures,
            }
        )
    return {
        "protection": protection.document(),
        "items": items,
        **page_links(int(total), limit, offset),
    }


def _base_index(session: Session, value: ColumnElement[float]) -> ColumnElement[int]:
    # Positive indexes: SQLite's truncating CAST is a floor; PostgreSQL's CAST rounds.
    if session.get_bind().dialect.name == "sqlite":
        return cast(value, Integer)
    return cast(func.floor(value), Integer)


def cell_demand(
    session: Session,
    protection: Protection,
    grid: tuple[float, float],
    filters: dict[str, Any],
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """Return one page of grid cells of a level in a bbox, as GeoJSON polygons with their
    protected counts (cells of base × 2**level metres, the public map's grid)."""
    lat0, base_m = grid
    level: int = filters["level"]
    bbox: BBox = filters["bbox"]
    type_ids = _type_filter(session, filters.get("type"), filters.get("group"))
    aggregates.ensure_grid(session, lat0, base_m)
    stored = aggregates.current_grid(session)
    dlat, dlon = (stored.dlat, stored.dlon) if stored else aggregates.grid_degrees(base_m, lat0)
    factor = 2**level
    rows = (
        math.floor((bbox.south + 90) / dlat) // factor,
        math.floor((bbox.north + 90) / dlat) // factor,
    )
    cols = (
        math.floor((bbox.west + 180) / dlon) // factor,
        math.floor((bbox.east + 180) / dlon) // factor,
    )
    if (rows[1] - rows[0] + 1) * (cols[1] - cols[0] + 1) > MAX_CELLS_IN_VIEW:
        raise ApiParamError(
            "level",
            _(
                "The bbox spans too many cells at this level: choose a higher level or a "
                "smaller bbox."
            ),
        )
    cells = sorted(
        (cell.row, cell.col)
        for cell in aggregates.cell_counts(session, level, rows, cols, type_ids)
        if cell.count > 0
    )
    page = cells[offset : offset + limit]
    counted: dict[tuple[int, int], dict[str, Any]] = {}
    if page:
        row = _base_index(session, (Wish.lat + 90) / dlat) // factor
        col = _base_index(session, (Wish.lon + 180) / dlon) // factor
        south, north = (
            min(r for r, _c in page) * factor * dlat - 90,
            (max(r for r, _c in page) + 1) * factor * dlat - 90,
        )
        west, east = (
            min(c for _r, c in page) * factor * dlon - 180,
            (max(c for _r, c in page) + 1) * factor * dlon - 180,
        )
        where = [Wish.lat.between(south, north), Wish.lon.between(west, east)]
        if type_ids:
            where.append(Wish.shop_type_id.in_(type_ids))
        counted = _counted(
            session.execute(_per_resident((row, col), where, protection)), protection
        )
    size = base_m * factor
    features = []
    for r, c in page:
        # Clamped: a coarse edge cell reaches past the poles or the antimeridian.
        s, w = max(r * factor * dlat - 90, -90), max(c * factor * dlon - 180, -180)
        n = min((r + 1) * factor * dlat - 90, 90)
        e = min((c + 1) * factor * dlon - 180, 180)
        figures = counted.get((r, c), {"residents": None, "wishes": None, "suppressed": True})
        features.append(
            {
                "type": "Feature",
                "id": f"{level}/{r}/{c}",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]],
                },
                "properties": {"level": level, "row": r, "col": c, "size_m": size, **figures},
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "protection": protection.document(),
        **page_links(len(cells), limit, offset),
    }


def _type_filter(session: Session, code: str | None, group: str | None) -> list[int]:
    """Return the type ids a type or group names ([] = every type)."""
    if code and group:
        raise ApiParamError("group", _("Give a type or a group, not both."))
    if code:
        return [int(_type_id(session, code) or ALL_TYPES)]
    if group:
        if group not in GROUPS:
            raise ApiParamError("group", _("Unknown shop-type group."))
        return [int(i) for i in session.scalars(select(ShopType.id).where(ShopType.group == group))]
    return []


def area_demand(
    session: Session,
    protection: Protection,
    locale: str,
    dimension: str,
    args: dict[str, str],
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """Return one page of the statistics service's protected table per street or district."""
    try:
        query = stats.parse_query({"by": dimension, **args})
        table = stats.statistics(
            session, query, protection.min_residents, locale, keys=protection.keys
        )
    except stats.StatisticsError as failure:
        # The statistics service names no parameter; its message says which one.
        raise ApiParamError("", str(failure)) from failure
    items = [
        {
            "id": row.keys[0],
            "ref": row.codes[0] or None,
            "name": row.labels[0],
            "wishes": row.wishes,
            "residents": row.residents,
            "suppressed": row.suppressed,
        }
        for row in table.rows[offset : offset + limit]
    ]
    return {
        "protection": protection.document(),
        "level": table.level,
        "items": items,
        **page_links(len(table.rows), limit, offset),
    }
