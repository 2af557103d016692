"""What lies within walking distance of a premise, read live for its report.

The gap scores come from the stored analysis; these are the figures a report adds around them:
how often the residents who count for the premise would shop there, whether their number is
rising, what they said, which competitors stand nearest, and aggregated demand for its map.
Every query is a bounding box on wishes(status, lat, lon) (index ix_wishes_status_lat_lon)
narrowed to the few types shown, then cut to the exact radius here; nothing names a resident.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from wishmap.geo import M_PER_DEG_LAT, metric_scale
from wishmap.models import Hotspot, Premise, Shop, Street, Wish, WishFrequency, WishStatus
from wishmap.services.demand import BBox, Cell, _cell_degrees

TREND_DAYS = 90
# Newest reasons quoted per shop type.
REASONS_PER_TYPE = 3
# Competitors farther than this are named by distance only (their row is not looked up).
NAMED_COMPETITOR_M = 1500.0
# How far around the premise the map reaches, beyond the radius.
MAP_MARGIN_M = 150.0
# A resident counts once per type, at the most frequent answer they gave.
_FREQUENCY_ORDER = (WishFrequency.WEEKLY, WishFrequency.MONTHLY, WishFrequency.OCCASIONALLY)


@dataclass
class TypeFigures:
    """Live figures for one shop type within the radius."""

    residents: int = 0
    frequency: dict[str, int] = field(default_factory=dict)  # weekly/monthly/occasionally
    recent: int = 0  # distinct residents who wished in the last TREND_DAYS
    previous: int = 0  # ... in the TREND_DAYS before those
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NearShop:
    shop_type_id: int
    name: str | None
    lat: float
    lon: float
    distance_m: float


@dataclass(frozen=True)
class StreetLine:
    name: str
    geometry: dict


@dataclass
class Surroundings:
    """Everything a report shows around one premise, besides the stored gap scores."""

    lat: float
    lon: float
    radius_m: float
    figures: dict[int, TypeFigures]
    competitors: list[NearShop]  # shops of the shown types within the map's reach, nearest first
    nearest: dict[int, NearShop]  # nearest shop per shown type (within NAMED_COMPETITOR_M)
    hotspots: list[Hotspot]
    cells: dict[int, list[Cell]]  # aggregated demand per top type (cells of the public map)
    cell_m: float
    streets: list[StreetLine]

    @property
    def reach_m(self) -> float:
        return self.radius_m + MAP_MARGIN_M


def _box(lat: float, lon: float, radius_m: float) -> BBox:
    dlat = radius_m / M_PER_DEG_LAT
    dlon = radius_m / (M_PER_DEG_LAT * max(math.cos(math.radians(lat)), 0.01))
    return BBox(lat - dlat, lon - dlon, lat + dlat, lon + dlon)


def _distance(
    scale: tuple[float, float], lat0: float, lon0: float, lat: float, lon: float
) -> float:
    return math.hypot((lon - lon0) * scale[0], (lat - lat0) * scale[1])


def _whole_cells(box: BBox, dlat: float, dlon: float) -> BBox:
    # Widened to whole cells of the public grid, as demand.demand_cells does: an edge cell is
    # never counted in part.
    return BBox(
        math.floor((box.south + 90) / dlat) * dlat - 90,
        math.floor((box.west + 180) / dlon) * dlon - 180,
        math.ceil((box.north + 90) / dlat) * dlat - 90,
        math.ceil((box.east + 180) / dlon) * dlon - 180,
    )


def read_wishes(
    session: Session,
    premise: Premise,
    radius_m: float,
    type_ids: list[int] | None,
    map_type_ids: list[int],
    grid: tuple[float, float],
    now: datetime,
) -> tuple[dict[int, TypeFigures], dict[int, list[Cell]]]:
    """Return the live figures per type within radius_m, and the map's demand cells per type.

    One bounded scan of the active wishes around the premise serves both: per type, the
    distinct residents within the radius, per frequency and per 90-day window, the newest
    reasons (mapped types only), and wishes counted per cell of the public map's grid over
    the map's reach (mapped types only). type_ids None reads every type (no analysis yet).
    """
    if type_ids is not None and not type_ids:
        return {}, {}
    lat0, cell_m = grid
    # The public map's own grid (services/demand.py): the same cells, never finer ones.
    dlat, dlon = _cell_degrees(cell_m, lat0)
    box = _whole_cells(_box(premise.lat, premise.lon, radius_m + MAP_MARGIN_M), dlat, dlon)
    query = select(
        Wish.shop_type_id,
        Wish.lat,
        Wish.lon,
        Wish.user_id,
        Wish.id,
        Wish.created_at,
        Wish.frequency,
        Wish.reason,
    ).where(
        Wish.status == WishStatus.ACTIVE.value,
        Wish.lat.between(box.south, box.north),
        Wish.lon.between(box.west, box.east),
    )
    if type_ids is not None:
        query = query.where(Wish.shop_type_id.in_(type_ids))
    sx, sy = (float(scale) for scale in metric_scale(premise.lat))
    mapped = set(map_type_ids)
    recent_from = now - timedelta(days=TREND_DAYS)
    previous_from = now - timedelta(days=2 * TREND_DAYS)
    rank = {str(how): index for index, how in enumerate(_FREQUENCY_ORDER)}
    best: dict[tuple[int, int], int] = {}  # (type, resident) → best frequency rank
    recent: dict[int, set[int]] = defaultdict(set)
    previous: dict[int, set[int]] = defaultdict(set)
    said: dict[int, list[tuple[datetime, int, str]]] = defaultdict(list)
    counts: dict[int, dict[tuple[int, int], int]] = {type_id: {} for type_id in map_type_ids}
    for type_id, lat, lon, user_id, wish_id, created_at, how, reason in session.execute(query):
        if type_id in mapped:
            cell = (math.floor((lat + 90) / dlat), math.floor((lon + 180) / dlon))
            counts[type_id][cell] = counts[type_id].get(cell, 0) + 1
        if math.hypot((lon - premise.lon) * sx, (lat - premise.lat) * sy) > radius_m:
            continue
        # A wish kept from a deleted account counts as its own anonymous resident.
        resident = user_id if user_id is not None else -wish_id
        key = (type_id, resident)
        best[key] = min(best.get(key, len(rank)), rank.get(how or "", len(rank)))
        if recent_from < created_at <= now:
            recent[type_id].add(resident)
        elif previous_from < created_at <= recent_from:
            previous[type_id].add(resident)
        # Only active wishes are read: held, hidden and pending ones have not passed moderation.
        if reason and type_id in mapped:
            said[type_id].append((created_at, wish_id, reason))
    figures: dict[int, TypeFigures] = defaultdict(TypeFigures)
    for (type_id, _resident), how in best.items():
        line = figures[type_id]
        line.residents += 1
        if how < len(_FREQUENCY_ORDER):
            name = str(_FREQUENCY_ORDER[how])
            line.frequency[name] = line.frequency.get(name, 0) + 1
    for type_id, line in figures.items():
        line.recent = len(recent[type_id])
        line.previous = len(previous[type_id])
        for _created, _id, reason in sorted(said[type_id], reverse=True):
            text = " ".join(reason.split())
            if text and text not in line.reasons:
                line.reasons.append(text)
                if len(line.reasons) == REASONS_PER_TYPE:
                    break
    cells = {
        type_id: [
            Cell((row + 0.5) * dlat - 90, (col + 0.5) * dlon - 180, count)
            for (row, col), count in sorted(per_cell.items())
        ]
        for type_id, per_cell in counts.items()
    }
    return dict(figures), cells


def nearby_shops(
    session: Session, premise: Premise, type_ids: list[int], reach_m: float
) -> tuple[list[NearShop], dict[int, NearShop]]:
    """Return shops of these types within reach_m (nearest first), and the nearest per type."""
    if not type_ids:
        return [], {}
    box = _box(premise.lat, premise.lon, max(reach_m, NAMED_COMPETITOR_M))
    scale = tuple(metric_scale(premise.lat))
    shops = []
    for type_id, name, lat, lon in session.execute(
        select(Shop.shop_type_id, Shop.name, Shop.lat, Shop.lon).where(
            Shop.shop_type_id.in_(type_ids),
            Shop.lat.between(box.south, box.north),
            Shop.lon.between(box.west, box.east),
        )
    ):
        distance = _distance(scale, premise.lat, premise.lon, lat, lon)
        if distance <= NAMED_COMPETITOR_M:
            shops.append(NearShop(type_id, (name or "").strip() or None, lat, lon, distance))
    shops.sort(key=lambda shop: (shop.distance_m, shop.name or ""))
    nearest: dict[int, NearShop] = {}
    for shop in shops:
        nearest.setdefault(shop.shop_type_id, shop)
    return [shop for shop in shops if shop.distance_m <= reach_m], nearest


def nearby_hotspots(
    session: Session, run_id: int | None, premise: Premise, type_ids: list[int], reach_m: float
) -> list[Hotspot]:
    """Return the run's hotspots of these types that reach within reach_m of the premise."""
    if run_id is None or not type_ids:
        return []
    box = _box(premise.lat, premise.lon, reach_m + 500)
    scale = tuple(metric_scale(premise.lat))
    spots = session.scalars(
        select(Hotspot)
        .where(
            Hotspot.run_id == run_id,
            Hotspot.shop_type_id.in_(type_ids),
            Hotspot.lat.between(box.south, box.north),
            Hotspot.lon.between(box.west, box.east),
        )
        .order_by(Hotspot.residents.desc(), Hotspot.id)
    )
    return [
        spot
        for spot in spots
        if _distance(scale, premise.lat, premise.lon, spot.lat, spot.lon) - spot.radius_m <= reach_m
    ]


def nearby_streets(session: Session, premise: Premise, reach_m: float) -> list[StreetLine]:
    """Return the streets whose bounding box meets the map's reach."""
    box = _box(premise.lat, premise.lon, reach_m)
    rows = session.execute(
        select(Street.name, Street.geometry).where(
            Street.max_lat >= box.south,
            Street.min_lat <= box.north,
            Street.max_lon >= box.west,
            Street.min_lon <= box.east,
        )
    )
    return [StreetLine(name, json.loads(geometry)) for name, geometry in rows]


def surroundings(
    session: Session,
    premise: Premise,
    radius_m: float,
    run_id: int | None,
    shown_type_ids: list[int] | None,
    map_type_ids: list[int],
    grid: tuple[float, float],
    now: datetime,
) -> Surroundings:
    """Return the live figures, competitors, hotspots, demand cells and streets of a report.

    shown_type_ids: the types the report lists (None: all, when there is no analysis run);
    map_type_ids: the few types drawn on the map; grid: (district latitude, cell size in m) of
    the public map's demand grid, so the report never shows a finer grid than the public map.
    """
    figures, cells = read_wishes(
        session, premise, radius_m, shown_type_ids, map_type_ids, grid, now
    )
    listed = shown_type_ids if shown_type_ids is not None else list(figures)
    reach = radius_m + MAP_MARGIN_M
    competitors, nearest = nearby_shops(session, premise, listed, reach)
    return Surroundings(
        lat=premise.lat,
        lon=premise.lon,
        radius_m=radius_m,
        figures=figures,
        competitors=[shop for shop in competitors if shop.shop_type_id in map_type_ids],
        nearest=nearest,
        hotspots=nearby_hotspots(session, run_id, premise, map_type_ids, reach),
        cells=cells,
        cell_m=grid[1],
        streets=nearby_streets(session, premise, reach),
    )
