"""Shops, hotspots and streets near a premise: its report's competitors, map and share image.

Each is a bounding box in SQL, cut to the exact distance in Python over the few rows it returns.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wishmap.geo import M_PER_DEG_LAT, metric_scale
from wishmap.models import Hotspot, Premise, Shop, Street
from wishmap.services.demand import BBox

# Competitors farther than this are named by distance only (their row is not looked up).
NAMED_COMPETITOR_M = 1500.0


@dataclass(frozen=True)
class NearShop:
    """A shop of a shown type near the premise, with its distance."""

    shop_type_id: int
    name: str | None
    lat: float
    lon: float
    distance_m: float


@dataclass(frozen=True)
class StreetLine:
    """A street drawn on the report's map: its name and GeoJSON geometry."""

    name: str
    geometry: dict


def box_around(lat: float, lon: float, radius_m: float) -> BBox:
    """Return the box holding every point within radius_m of (lat, lon)."""
    dlat = radius_m / M_PER_DEG_LAT
    dlon = radius_m / (M_PER_DEG_LAT * max(math.cos(math.radians(lat)), 0.01))
    return BBox(lat - dlat, lon - dlon, lat + dlat, lon + dlon)


def distance_m(
    scale: tuple[float, float], lat0: float, lon0: float, lat: float, lon: float
) -> float:
    """Return the distance in metres at the local scale (metres per degree lon, lat)."""
    return math.hypot((lon - lon0) * scale[0], (lat - lat0) * scale[1])


def nearby_shops(
    session: Session, premise: Premise, type_ids: list[int], reach_m: float
) -> tuple[list[NearShop], dict[int, NearShop]]:
    """Return shops of these types within reach_m (nearest first), and the nearest per type."""
    if not type_ids:
        return [], {}
    box = box_around(premise.lat, premise.lon, max(reach_m, NAMED_COMPETITOR_M))
    scale = tuple(metric_scale(premise.lat))
    shops = []
    for type_id, name, lat, lon in session.execute(
        select(Shop.shop_type_id, Shop.name, Shop.lat, Shop.lon).where(
            Shop.shop_type_id.in_(type_ids),
            Shop.lat.between(box.south, box.north),
            Shop.lon.between(box.west, box.east),
        )
    ):
        distance = distance_m(scale, premise.lat, premise.lon, lat, lon)
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
    box = box_around(premise.lat, premise.lon, reach_m + 500)
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
        if distance_m(scale, premise.lat, premise.lon, spot.lat, spot.lon) - spot.radius_m
        <= reach_m
    ]


def nearby_streets(session: Session, premise: Premise, reach_m: float) -> list[StreetLine]:
    """Return the streets whose bounding box meets the map's reach."""
    box = box_around(premise.lat, premise.lon, reach_m)
    rows = session.execute(
        select(Street.name, Street.geometry).where(
            Street.max_lat >= box.south,
            Street.min_lat <= box.north,
            Street.max_lon >= box.west,
            Street.min_lon <= box.east,
        )
    )
    return [StreetLine(name, json.loads(geometry)) for name, geometry in rows]
