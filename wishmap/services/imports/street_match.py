"""The street of an imported premise or shop: by the name in its address, else the nearest one,
and none at all when every street is farther than a set distance.

DEFAULT_MAX_STREET_DISTANCE_M = 150. On the Paris open data every registered shop of the 19th
lies within 21 m of a street centre line (half within 9 m), and the one shop farther away, at
1.2 km, carries a wrong postcode (its street is in the 2nd). Registers that geocode a premise
to its parcel or to the middle of a large building put it farther back (Paris parcels run 50
to 100 m deep behind the façade), so the limit leaves that room; a point beyond 150 m is in a
park, on a railway or in another district, and linking it to the nearest street would move
one street's demand onto another. `.venv/bin/python -m bench.street_names` prints these figures.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shapely import STRtree
from shapely.geometry import Point, shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from wishmap.geo import metric_scale, to_metres
from wishmap.models import Street
from wishmap.services.importing import ImportReport
from wishmap.services.imports.addresses import loose_street_key, street_key

DEFAULT_MAX_STREET_DISTANCE_M = 150.0
NO_STREET_NOTE = "without a street (none within {:g} m)"
NO_STREETS_WARNING = (
    "the database has no streets yet, so no {noun} is linked to a street: import streets "
    "first (import-streets or import-osm), then import this file again"
)


@dataclass(frozen=True)
class StreetMatch:
    """The street found for a point, how (by name, nearest or none) and its name."""

    street_id: int | None
    how: str  # "name", "nearest" or "none"
    name: str | None = None
    distance_m: float | None = None


class StreetMatcher:
    """Finds the street of an address among a set of streets."""

    def __init__(self, streets: Sequence[tuple[int, str, dict[str, Any]]]) -> None:
        """streets: (id, name, GeoJSON geometry) triples."""
        self.ids = [street_id for street_id, _name, _geometry in streets]
        self.names = [name for _id, name, _geometry in streets]
        self.by_key: dict[str, list[int]] = {}
        self.by_loose_key: dict[str, list[int]] = {}
        for index, (_id, name, _geometry) in enumerate(streets):
            self.by_key.setdefault(street_key(name), []).append(index)
            self.by_loose_key.setdefault(loose_street_key(name), []).append(index)
        shapes = [shape(geometry) for _id, _name, geometry in streets]
        lat0 = sum(line.centroid.y for line in shapes) / len(shapes) if shapes else 0.0
        self._scale = metric_scale(lat0)
        self._lines = [to_metres(line, lat0) for line in shapes]
        self._tree = STRtree(self._lines) if self._lines else None

    def __len__(self) -> int:
        return len(self.ids)

    def match(
        self,
        lat: float,
        lon: float,
        street_name: str | None = None,
        max_distance_m: float = DEFAULT_MAX_STREET_DISTANCE_M,
    ) -> StreetMatch:
        """Return the street of a point: the nearest one bearing street_name within
        max_distance_m, else the nearest street within it, else none."""
        if self._tree is None:
            return StreetMatch(None, "none")
        point = Point(lon * self._scale[0], lat * self._scale[1])
        if street_name:
            # The exact spelling first; without articles only if no street bears it nearby.
            for named in (
                self.by_key.get(street_key(street_name)),
                self.by_loose_key.get(loose_street_key(street_name)),
            ):
                if not named:
                    continue
                distance, index = min((self._lines[i].distance(point), i) for i in named)
                if distance <= max_distance_m:
                    return StreetMatch(self.ids[index], "name", self.names[index], distance)
        found, distances = self._tree.query_nearest(
            point, max_distance=max_distance_m, return_distance=True
        )
        if not len(found):
            return StreetMatch(None, "none")
        index = int(found[0])
        return StreetMatch(self.ids[index], "nearest", self.names[index], float(distances[0]))


def street_matcher(session: Session) -> StreetMatcher:
    """Return a matcher over every street in the database."""
    rows = session.execute(select(Street.id, Street.name, Street.geometry))
    return StreetMatcher([(street_id, name, json.loads(text)) for street_id, name, text in rows])


def link_streets(
    session: Session,
    rows: list[dict[str, Any]],
    names: list[str | None],
    report: ImportReport,
    noun: str,
    max_distance_m: float = DEFAULT_MAX_STREET_DISTANCE_M,
) -> list[StreetMatch]:
    """Set street_id on each row (with lat, lon) from its street name (names[i]) or position.

    A row farther than max_distance_m from every street gets none, counted as a note in the
    report; an import into a database without streets gets a warning instead.
    """
    matcher = street_matcher(session) if rows else StreetMatcher([])
    if rows and not len(matcher):
        report.warn(NO_STREETS_WARNING.format(noun=noun))
    matches = []
    for fields, name in zip(rows, names, strict=True):
        found = matcher.match(fields["lat"], fields["lon"], name, max_distance_m)
        fields["street_id"] = found.street_id
        if found.how == "none" and len(matcher):
            report.note(NO_STREET_NOTE.format(max_distance_m), f"ref {fields['ref']}")
        matches.append(found)
    return matches
