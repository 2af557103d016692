"""The position of an imported row: a Point, a building outline, or latitude/longitude columns.

Shared by the premises and shops importers. A building outline (OpenStreetMap maps many
shops as the building's polygon) stands for a point on its surface — inside the polygon,
unlike its centroid, which for an L-shaped building can fall in the neighbour's courtyard.
"""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from wishmap.services.importing import Record, first

AREA_TYPES = {"Polygon", "MultiPolygon"}
LAT_FIELDS = ("lat", "latitude", "lat_wgs84", "breedtegraad", "y")
LON_FIELDS = ("lon", "lng", "long", "longitude", "lon_wgs84", "lengtegraad", "x")
XY_NOTE = "positions read from x/y columns as longitude/latitude (WGS84)"


def parse_float(value: Any) -> float:
    """Return value as a float, accepting decimal commas and thin-space thousands ("1 250,5")."""
    if isinstance(value, int | float):
        return float(value)
    return float(str(value).replace(",", ".").replace(" ", "").replace("\u202f", ""))


def record_point(record: Record) -> tuple[tuple[float, float] | None, str, str | None]:
    """Return ((lat, lon) or None, the problem if any, a note on how it was read if any)."""
    note = None
    if record.geometry is not None:
        kind = record.geometry["type"]
        if kind == "Point":
            lon, lat = record.geometry["coordinates"][:2]
        elif kind in AREA_TYPES:
            surface = shape(record.geometry).point_on_surface()
            if surface.is_empty:
                return None, f"the {kind} has no area to place a point on", None
            lon, lat = surface.x, surface.y
        else:
            return None, f"geometry is a {kind}, expected a Point or a building Polygon", None
    else:
        lowered = {str(key).lower() for key in record.props}
        raw_lat = first(record.props, *LAT_FIELDS)
        raw_lon = first(record.props, *LON_FIELDS)
        if raw_lat is None or raw_lon is None:
            return None, "has no position (lat/lon columns or a Point geometry)", None
        try:
            lat, lon = parse_float(raw_lat), parse_float(raw_lon)
        except ValueError:
            return None, f"position {raw_lat!r}, {raw_lon!r} is not a pair of numbers", None
        if not (lowered & set(LAT_FIELDS[:-1]) and lowered & set(LON_FIELDS[:-1])):
            # x/y are as often metres in a national grid as degrees: say how they were read.
            if abs(lat) > 90 or abs(lon) > 180:
                return (
                    None,
                    f"x/y {raw_lon!r}, {raw_lat!r} look like projected coordinates in metres "
                    "(e.g. Lambert-93, RD New); give WGS84 longitude/latitude instead",
                    None,
                )
            note = XY_NOTE
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, f"position {lat}, {lon} is not a WGS84 latitude/longitude", None
    return (float(lat), float(lon)), "", note


class Area:
    """An area rows are kept within (--within), tested point by point."""

    def __init__(self, geometry: BaseGeometry) -> None:
        self.geometry = geometry
        shapely.prepare(geometry)

    def covers(self, lat: float, lon: float) -> bool:
        """Return whether the point lies in the area or on its border."""
        return bool(self.geometry.covers(Point(lon, lat)))


def records_within(records: list[Record], area: BaseGeometry) -> tuple[list[Record], int]:
    """Return the records whose position lies in area, and how many were left out.

    Records without a readable position are kept: their importer names the problem (or, for a
    wish on a premise, finds the position through the premise).
    """
    inside = Area(area)
    kept = []
    for record in records:
        point, _error, _note = record_point(record)
        if point is None or inside.covers(*point):
            kept.append(record)
    return kept, len(records) - len(kept)
