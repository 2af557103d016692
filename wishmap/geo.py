"""Geometry in one place: metric lengths, nearest streets, and rows → GeoJSON features."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import geojson
import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

EARTH_RADIUS_M = 6_371_008.8
M_PER_DEG_LAT = math.pi * EARTH_RADIUS_M / 180


def metric_scale(lat0: float) -> np.ndarray:
    """Return metres per degree of (longitude, latitude) around latitude lat0.

    Equirectangular around the district's own latitude: over a few kilometres its error stays
    far below the precision of a hand-placed pin, and it needs no projection library.
    """
    return np.array([M_PER_DEG_LAT * math.cos(math.radians(lat0)), M_PER_DEG_LAT])


def to_metres(geometry: BaseGeometry, lat0: float) -> BaseGeometry:
    """Return geometry (lon/lat degrees) projected to metres around latitude lat0."""
    scale = metric_scale(lat0)
    return shapely.transform(geometry, lambda coords: coords * scale)


def line_length_m(geometry: dict[str, Any]) -> float:
    """Return the length in metres of a GeoJSON (Multi)LineString in WGS84."""
    line = shape(geometry)
    return float(to_metres(line, line.centroid.y).length)


def bounds(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    """Return (min_lat, min_lon, max_lat, max_lon) of a GeoJSON geometry."""
    min_lon, min_lat, max_lon, max_lat = shape(geometry).bounds
    return min_lat, min_lon, max_lat, max_lon


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in metres between two points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


class StreetLocator:
    """Finds the street a point or an address belongs to, among a set of streets."""

    def __init__(self, streets: Sequence[tuple[int, str, dict[str, Any]]]) -> None:
        """streets: (id, name, GeoJSON geometry) triples."""
        from wishmap.taxonomy import normalise

        self._normalise = normalise
        self.ids = [street_id for street_id, _name, _geometry in streets]
        self.by_name: dict[str, int] = {}
        for street_id, name, _geometry in streets:
            self.by_name.setdefault(normalise(name), street_id)
        shapes = [shape(geometry) for _id, _name, geometry in streets]
        lat0 = sum(line.centroid.y for line in shapes) / len(shapes) if shapes else 0.0
        self._scale = metric_scale(lat0)
        self._lines = [to_metres(line, lat0) for line in shapes]
        self._tree = STRtree(self._lines) if self._lines else None

    def by_street_name(self, name: str | None) -> int | None:
        """Return the id of the street with this name (accents and case ignored), if any."""
        return self.by_name.get(self._normalise(name)) if name else None

    def nearest(self, lat: float, lon: float, max_distance_m: float = 200.0) -> int | None:
        """Return the id of the street nearest to the point, within max_distance_m."""
        if self._tree is None:
            return None
        point = Point(lon * self._scale[0], lat * self._scale[1])
        index = self._tree.query_nearest(point, max_distance=max_distance_m)
        return self.ids[int(index[0])] if len(index) else None

    def locate(self, lat: float, lon: float, name: str | None = None) -> int | None:
        """Return the street of an address: by its name when known, else the nearest one."""
        return self.by_street_name(name) or self.nearest(lat, lon)


def point_feature(
    lat: float, lon: float, properties: dict[str, Any], id: Any = None
) -> dict[str, Any]:
    """Return a GeoJSON Point feature (coordinates rounded to ~1 m to keep payloads small)."""
    # Plain dicts, the same JSON: geojson.Feature/Point validate and copy every coordinate,
    # 12 ms of the 400-premise map data request's 30 (bench.wish_profile's map check).
    feature: dict[str, Any] = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": properties,
    }
    if id is not None:
        feature["id"] = id
    return feature


def feature_collection(features: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Return a FeatureCollection of features."""
    return {"type": "FeatureCollection", "features": list(features)}


def premise_feature(point: Any) -> dict[str, Any]:
    """Return one premise point as a Feature (services/map_payload.py serialises it once)."""
    return point_feature(
        point.lat,
        point.lon,
        {
            "address": point.address,
            "status": point.status,
            "surface_m2": round(point.surface_m2) if point.surface_m2 else None,
            "wishes": point.wishes,
            "icon": point.top_icon,
        },
        id=point.id,
    )


def premise_features(points: Iterable[Any], truncated: bool = False) -> dict[str, Any]:
    """Return premise points (id, lat, lon, address, wishes…) as a FeatureCollection.

    Only what a marker needs travels: the popup asks for details when it opens.
    """
    collection = feature_collection(premise_feature(point) for point in points)
    if truncated:
        collection["truncated"] = True
    return collection


# Premises with wishes are split into this many classes of about equal size (terciles).
DEMAND_CLASSES = 3


def demand_breaks(counts: Iterable[int], classes: int = DEMAND_CLASSES) -> list[int]:
    """Return the ascending upper bounds of the demand classes of the wished premises' counts.

    Each bound is a quantile (k / classes) of the counts above zero, so every class holds about
    as many premises whatever the scale; ties merge classes rather than leave one empty.
    """
    wished = sorted(n for n in counts if n > 0)
    if not wished:
        return []
    bounds: list[int] = []
    for k in range(1, classes):
        quantile = wished[math.ceil(k * len(wished) / classes) - 1]
        if quantile < wished[-1] and quantile not in bounds:
            bounds.append(quantile)
    return [*bounds, wished[-1]]


def demand_level(count: int, breaks: list[int]) -> int:
    """Return a count's class: 0 without wishes, else 1 + the first bound it does not pass."""
    if count <= 0:
        return 0
    return 1 + next((i for i, bound in enumerate(breaks) if count <= bound), len(breaks) - 1)


def demand_classes(breaks: list[int]) -> list[dict[str, int]]:
    """Return the legend of the demand classes: each level with its lowest and highest count."""
    lows = [1, *(bound + 1 for bound in breaks[:-1])] if breaks else []
    return [
        {"level": index + 1, "min": low, "max": high}
        for index, (low, high) in enumerate(zip(lows, breaks, strict=True))
    ]


def with_demand_classes(collection: dict) -> dict:
    """Give each premise feature its demand `level` and the collection its legend `classes`."""
    breaks = demand_breaks(f["properties"]["wishes"] for f in collection["features"])
    for feature in collection["features"]:
        feature["properties"]["level"] = demand_level(feature["properties"]["wishes"], breaks)
    collection["classes"] = demand_classes(breaks)
    return collection


def cell_features(cells: Iterable[Any], size_m: float) -> dict[str, Any]:
    """Return demand grid cells as Point features at each cell's centre with its wish count."""
    collection = feature_collection(
        geojson.Feature(
            geometry=geojson.Point((round(cell.lon, 5), round(cell.lat, 5))),
            properties={"n": cell.count},
        )
        for cell in cells
    )
    collection["cell_m"] = size_m
    return collection


def street_features(rows: Iterable[Any]) -> dict[str, Any]:
    """Return streets as a FeatureCollection of their line geometries and names."""
    import json

    return feature_collection(
        geojson.Feature(
            geometry=json.loads(street.geometry), properties={"name": street.name}, id=street.id
        )
        for street in rows
    )


def shape_features(items: Iterable[tuple[str | None, dict[str, Any]]]) -> dict[str, Any]:
    """Return Features from (GeoJSON geometry text or None, properties) pairs, e.g. statistics."""
    import json

    return feature_collection(
        geojson.Feature(geometry=json.loads(text) if text else None, properties=properties)
        for text, properties in items
    )
