"""Aggregated demand for the public map: premises with their counts, wishes summed per grid cell.

Nothing here returns a single wish: the public layer only ever sees counts per premise and per
cell of at least MIN_CELL_M metres, so a free wish's exact point is never published.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Integer, cast, func, select
from sqlalchemy.orm import Session

from wishmap.geo import M_PER_DEG_LAT
from wishmap.models import Premise, PremiseStatus, ShopType, Wish, WishStatus
from wishmap.services import aggregates
from wishmap.type_icons import icon_name

MIN_CELL_M = 100.0
# Above this many cells in view the grid doubles its cell size: the payload stays bounded.
MAX_CELLS = 2500
# A street layer wider than this (degrees) is refused; demand and premises answer any view, their
# payload bounded by MAX_CELLS and MAX_PREMISES.
MAX_SPAN_DEG = 1.0
MAX_PREMISES = 2000


class DemandError(ValueError):
    """A demand request was malformed; the message says why."""


@dataclass(frozen=True)
class BBox:
    south: float
    west: float
    north: float
    east: float


@dataclass(frozen=True)
class Cell:
    lat: float
    lon: float
    count: int


@dataclass(frozen=True)
class PremisePoint:
    id: int
    lat: float
    lon: float
    address: str
    status: str
    surface_m2: float | None
    wishes: int
    top_icon: str | None  # the Maki icon name of the most wished type (wishmap/type_icons.py)


def parse_bbox(raw: str | None, max_span: float | None = MAX_SPAN_DEG) -> BBox:
    """Return the bbox "west,south,east,north" (Leaflet's toBBoxString order), or raise.

    max_span=None accepts any view (the demand and premise layers, whose payload is bounded).
    """
    try:
        west, south, east, north = (float(part) for part in (raw or "").split(","))
    except ValueError:
        raise DemandError("bbox must be four numbers: west,south,east,north") from None
    if not all(math.isfinite(value) for value in (west, south, east, north)):
        raise DemandError("bbox must be finite numbers")
    if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
        raise DemandError("bbox must have west < east and south < north, in degrees")
    if max_span is not None and (north - south > max_span or east - west > max_span):
        raise DemandError(f"bbox is too large: at most {max_span}° on each side")
    return BBox(south, west, north, east)


def type_ids(session: Session, code: str | None = None, group: str | None = None) -> list[int]:
    """Return the shop-type ids a filter names ([] = every type); raise DemandError if unknown."""
    query = select(ShopType.id)
    if code:
        query = query.where(ShopType.code == code)
    if group:
        query = query.where(ShopType.group == group)
    if not code and not group:
        return []
    ids = list(session.scalars(query))
    if not ids:
        raise DemandError(f"no shop type matches type={code or ''!s} group={group or ''!s}")
    return ids


def cell_size(bbox: BBox, lat0: float, base_m: float = MIN_CELL_M) -> float:
    """Return the cell size in metres for a view: the base size, doubled until cells are few."""
    size = max(base_m, MIN_CELL_M)
    height_m = (bbox.north - bbox.south) * M_PER_DEG_LAT
    width_m = (bbox.east - bbox.west) * M_PER_DEG_LAT * math.cos(math.radians(lat0))
    while (height_m / size) * (width_m / size) > MAX_CELLS:
        size *= 2
    return size


def _cell_degrees(size_m: float, lat0: float) -> tuple[float, float]:
    # The grid is fixed by the district's latitude, never by the view: moving the map must not
    # shift cells, or overlapping grids would narrow down where a single wish stands.
    # Cells are at least size_m wide wherever |lat| <= |lat0| + a few degrees (cos shrinks north).
    dlat = size_m / M_PER_DEG_LAT
    dlon = size_m / (M_PER_DEG_LAT * math.cos(math.radians(min(abs(lat0) + 5, 85))))
    return dlat, dlon


def _floor(session: Session, value: ColumnElement[float]) -> ColumnElement[int]:
    # The grid indexes are positive, so SQLite's truncating CAST is a floor; PostgreSQL's CAST
    # rounds, and it has floor().
    if session.get_bind().dialect.name == "sqlite":
        return cast(value, Integer)
    return cast(func.floor(value), Integer)


def demand_cells(
    session: Session, bbox: BBox, size_m: float, lat0: float, shop_type_ids: list[int]
) -> list[Cell]:
    """Return active wishes counted per grid cell over the view (premise and free wishes alike).

    From the live aggregates when they are kept for this grid (services/aggregates.py, the map's
    path: only the rows in view are read), else by scanning the wishes.
    """
    grid = aggregates.current_grid(session)
    if grid is not None and grid.lat0 == lat0 and size_m >= grid.base_m:
        level = math.log2(size_m / grid.base_m)
        if level == int(level):  # the view's cells are one of the grid's levels
            return _aggregate_cells(session, bbox, grid.base_m, int(level), lat0, shop_type_ids)
    return scan_cells(session, bbox, size_m, lat0, shop_type_ids)


def _aggregate_cells(
    session: Session, bbox: BBox, base_m: float, level: int, lat0: float, shop_type_ids: list[int]
) -> list[Cell]:
    dlat, dlon = _cell_degrees(base_m * 2**level, lat0)
    rows = (math.floor((bbox.south + 90) / dlat), math.floor((bbox.north + 90) / dlat))
    cols = (math.floor((bbox.west + 180) / dlon), math.floor((bbox.east + 180) / dlon))
    return [
        Cell((c.row + 0.5) * dlat - 90, (c.col + 0.5) * dlon - 180, c.count)
        for c in aggregates.cell_counts(session, level, rows, cols, shop_type_ids)
    ]


def scan_cells(
    session: Session, bbox: BBox, size_m: float, lat0: float, shop_type_ids: list[int]
) -> list[Cell]:
    """demand_cells by reading every active wish in view (the reference the aggregates match)."""
    dlat, dlon = _cell_degrees(size_m, lat0)
    # Widen the view to whole cells, so that an edge cell is not counted in part.
    south = math.floor((bbox.south + 90) / dlat) * dlat - 90
    north = math.ceil((bbox.north + 90) / dlat) * dlat - 90
    west = math.floor((bbox.west + 180) / dlon) * dlon - 180
    east = math.ceil((bbox.east + 180) / dlon) * dlon - 180
    row = _floor(session, (Wish.lat + 90) / dlat).label("row")
    col = _floor(session, (Wish.lon + 180) / dlon).label("col")
    query = (
        select(row, col, func.count())
        .where(
            Wish.status == WishStatus.ACTIVE.value,
            Wish.lat.between(south, north),
            Wish.lon.between(west, east),
        )
        .group_by(row, col)
    )
    if shop_type_ids:
        query = query.where(Wish.shop_type_id.in_(shop_type_ids))
    return [
        Cell((r + 0.5) * dlat - 90, (c + 0.5) * dlon - 180, int(count))
        for r, c, count in session.execute(query)
    ]


def premise_points(
    session: Session, bbox: BBox, status: str | None = PremiseStatus.VACANT.value
) -> tuple[list[PremisePoint], bool]:
    """Return the premises in view with their active-wish count and most wished type's icon.

    The second value is True when the view held more than MAX_PREMISES and was cut.
    """
    query = (
        select(
            Premise.id,
            Premise.lat,
            Premise.lon,
            Premise.address,
            Premise.status,
            Premise.surface_m2,
        )
        .where(
            Premise.lat.between(bbox.south, bbox.north),
            Premise.lon.between(bbox.west, bbox.east),
        )
        .order_by(Premise.id)
        .limit(MAX_PREMISES + 1)
    )
    if status:
        query = query.where(Premise.status == status)
    premises = session.execute(query).all()
    truncated = len(premises) > MAX_PREMISES
    premises = premises[:MAX_PREMISES]
    ids = [premise.id for premise in premises]
    # Icons are vendored SVG files named after the type's code (emoji need a font).
    icons = {
        type_id: icon_name(code)
        for type_id, code in session.execute(select(ShopType.id, ShopType.code))
    }
    per_type: dict[int, list[tuple[int, str]]] = defaultdict(list)
    # The live per-premise counts, not the wishes: a handful of rows per premise in view.
    for premise_id, type_id, count in aggregates.premise_type_counts(session, ids):
        per_type[premise_id].append((count, icons[type_id]))
    points = []
    for premise in premises:
        counts = per_type.get(premise.id, [])
        top = max(counts, default=None)
        points.append(
            PremisePoint(
                id=premise.id,
                lat=premise.lat,
                lon=premise.lon,
                address=premise.address,
                status=premise.status,
                surface_m2=premise.surface_m2,
                wishes=sum(count for count, _icon in counts),
                top_icon=top[1] if top else None,
            )
        )
    return points, truncated
