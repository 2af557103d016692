"""Where the demo's premises stand: shop fronts along the real streets of the extract.

Works in metres on a local plane around the demo area. Premises stand on the pavement of
their street, denser on the shopping streets, and get house numbers counted along the street,
oriented and offset so that the real shops of the extract keep their own numbers.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, Point, shape
from shapely.geometry.base import BaseGeometry

from wishmap.geo import M_PER_DEG_LAT

EXTRACT = Path(__file__).resolve().parent / "paris19"
# The neighbourhood's shopping streets: most premises stand on them, rents are higher there.
SHOPPING_STREETS = (
    "Rue de Belleville",
    "Avenue Secrétan",
    "Rue de Meaux",
    "Avenue Jean Jaurès",
    "Avenue Simon Bolivar",
    "Rue de Crimée",
    "Avenue Mathurin Moreau",
    "Rue Armand Carrel",
    "Boulevard de la Villette",
    "Rue Rébeval",
    "Avenue de Laumière",
    "Rue de Lorraine",
)
# Paths, courtyards, gated "villas" and the park's drives (C_DOMOFF "I") have no shop fronts.
NO_FRONTS = {"ALL", "CITE", "COUR", "VLA", "VOIE", "SQ", "PROM", "CRS", "HAM"}
# Paris numbers about one building per 7 m of each side of a street (two numbers per 14 m).
M_PER_NUMBER = 7.0


class Plane:
    """Metres east and north of the demo area's centre, and back to (lon, lat)."""

    def __init__(self, lat0: float, lon0: float) -> None:
        self.lat0, self.lon0 = lat0, lon0
        self.kx = M_PER_DEG_LAT * math.cos(math.radians(lat0))

    def xy(self, geometry: BaseGeometry) -> BaseGeometry:
        """Return a (lon, lat) geometry in metres on this plane."""
        offset, scale = np.array([self.lon0, self.lat0]), np.array([self.kx, M_PER_DEG_LAT])
        return shapely.transform(geometry, lambda coords: (coords - offset) * scale)

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        """Return (lon, lat) of a point on this plane, to about a centimetre."""
        return round(self.lon0 + x / self.kx, 7), round(self.lat0 + y / M_PER_DEG_LAT, 7)


@dataclass
class FrontStreet:
    """A street of the extract, as premises are placed and numbered along it."""

    name: str
    axis: tuple[np.ndarray, np.ndarray, float, float]  # see _axis
    inside: list[LineString]  # its parts within the demo area
    weight: float  # shop fronts per metre, relative
    reverse: bool = False  # numbers grow from the axis's far end
    first_number: int = 1

    @property
    def length(self) -> float:
        return self.axis[3]

    def along(self, x: float, y: float) -> float:
        """Return how far up the street (in numbering order) the point stands, in metres."""
        centre, direction, start, length = self.axis
        distance = float((np.array([x, y]) - centre) @ direction) - start
        return length - distance if self.reverse else distance


def read_extract(name: str) -> list[dict]:
    """Return the features of one GeoJSON file of the extract."""
    return json.loads((EXTRACT / name).read_text(encoding="utf-8"))["features"]


def _axis(geometry: BaseGeometry) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Return (centre, direction, start, length) of a street's main axis, for numbering along it.

    A straight axis rather than the line itself: the export lists a street's parts in no order,
    and a boulevard's two carriageways as two parts, so distances along the line would jump.
    """
    coords = np.array([c for part in getattr(geometry, "geoms", [geometry]) for c in part.coords])
    centre = coords.mean(axis=0)
    direction = np.linalg.svd(coords - centre, full_matrices=False)[2][0]
    along = (coords - centre) @ direction
    return centre, direction, float(along.min()), float(along.max() - along.min())


def streets_in_area(plane: Plane, area: BaseGeometry, shops: list[dict]) -> list[FrontStreet]:
    """Return the extract's streets in metres, with their parts inside the area and numbering."""
    streets = []
    for feature in read_extract("streets.geojson"):
        props = feature["properties"]
        geometry = plane.xy(shape(feature["geometry"]))
        clipped = geometry.intersection(area)
        inside = [
            part
            for part in getattr(clipped, "geoms", [clipped])
            if isinstance(part, LineString) and part.length > 10
        ]
        if props["C_DESI"] in NO_FRONTS or props["C_DOMOFF"] == "I":
            weight = 0.0
        elif props["L_LONGMIN"] in SHOPPING_STREETS:
            weight = 4.0
        else:
            weight = 0.5 if props["C_DESI"] == "PAS" else 1.0
        street = FrontStreet(props["L_LONGMIN"], _axis(geometry), inside, weight)
        _number_like_the_real_shops(street, plane, shops)
        streets.append(street)
    return streets


def _number_like_the_real_shops(street: FrontStreet, plane: Plane, shops: list[dict]) -> None:
    """Orient and offset the street's numbering so that its real shops keep their numbers."""
    anchors = []
    for shop in shops:
        match = re.match(r"\s*(\d+)\D.*", shop["properties"].get("adresse") or "")
        address = (shop["properties"].get("adresse") or "").lower()
        if match and street.name.lower() in address.replace("bd ", "boulevard "):
            point = plane.xy(shape(shop["geometry"]))
            anchors.append((int(match.group(1)), street.along(point.x, point.y)))
    if not anchors:
        return
    length = street.length
    forward = [number - along / M_PER_NUMBER for number, along in anchors]
    backward = [number - (length - along) / M_PER_NUMBER for number, along in anchors]

    def misfit(offsets: list[float]) -> float:
        # Numbers that agree with each other, and a street that starts near number 1.
        return float(np.std(offsets)) + 0.1 * abs(float(np.mean(offsets)) - 1)

    street.reverse = misfit(backward) < misfit(forward)
    street.first_number = max(1, round(float(np.mean(backward if street.reverse else forward))))


def shop_fronts(
    streets: list[FrontStreet], count: int, rng: np.random.Generator, area: BaseGeometry
) -> list[tuple[float, float, str, int]]:
    """Return count (x, y, street, house number) shop fronts along the streets inside the area."""
    pieces = [(street, part) for street in streets for part in street.inside if street.weight]
    weights = np.array([street.weight * part.length for street, part in pieces])
    fronts: list[tuple[float, float, str, int]] = []
    taken: set[tuple[str, int]] = set()
    while len(fronts) < count:
        street, part = pieces[int(rng.choice(len(pieces), p=weights / weights.sum()))]
        distance = rng.uniform(0.03, 0.97) * part.length
        here = part.interpolate(distance)
        ahead = part.interpolate(min(distance + 1.0, part.length))
        dx, dy = ahead.x - here.x, ahead.y - here.y
        norm = math.hypot(dx, dy) or 1.0
        side = 1 if rng.random() < 0.5 else -1
        # Shop fronts stand about 9 m off the centre line: half a street plus a pavement.
        x, y = here.x - side * 9 * dy / norm, here.y + side * 9 * dx / norm
        if not area.contains(Point(x, y)):
            continue
        # Odd numbers on the left going up the street, as in Paris.
        up = street.along(ahead.x, ahead.y) > street.along(here.x, here.y)
        left = (side > 0) == up
        number = street.first_number + int(street.along(x, y) / M_PER_NUMBER)
        number += (number % 2 == 0) if left else (number % 2 == 1)
        while (street.name, number) in taken:
            number += 2
        taken.add((street.name, number))
        fronts.append((x, y, street.name, number))
    return fronts
