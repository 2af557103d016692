"""Reading an OpenStreetMap extract (.osm.pbf) into street pieces, shop and premise records.

pyosmium reads the file in C++; only objects with one of KEYS reach Python. Ways get their node
coordinates from osmium's location cache, multipolygon relations come assembled as areas.
Nothing here writes: import_osm() in wishmap/services/imports/osm_import.py hands the records
to the importers.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import osmium
from shapely.geometry import LineString, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

from wishmap.geo import StreetLocator
from wishmap.osm_tags import SHOP_LIKE_AMENITIES, osm_shop_tag, osm_skip_reason
from wishmap.services.importing import ImportFailed, Record, RowError
from wishmap.services.imports.street_merge import (
    MergedStreet,
    Piece,
    merge_by_name,
    merged_geometry,
)
from wishmap.taxonomy import code_for_osm_tags

SayFn = Callable[[str], None]

# highway=* ways that are no street a shop could face.
NOT_STREETS = frozenset(
    {"platform", "bus_stop", "proposed", "construction", "abandoned", "razed", "raceway"}
    | {"corridor", "elevator", "services", "rest_area", "escape", "bus_guideway"}
)
# A premise that was a shop and is empty now: the lifecycle prefixes of the OSM wiki.
LIFECYCLE_PREFIXES = ("disused:", "was:", "abandoned:", "vacant:")
# Streets named before the number in these words' languages ("12 rue de Belleville").
NUMBER_FIRST_WORDS = frozenset(
    {
        "rue",
        "avenue",
        "av",
        "boulevard",
        "bd",
        "place",
        "chemin",
        "allee",
        "impasse",
        "quai",
        "cours",
        "passage",
        "route",
        "square",
        "villa",
        "cite",
        "sentier",
        "rond-point",
        "esplanade",
        "parvis",
    }
)
NUMBER_FIRST_ENDINGS = frozenset(
    {
        "street",
        "st",
        "road",
        "rd",
        "avenue",
        "ave",
        "lane",
        "ln",
        "drive",
        "dr",
        "way",
        "court",
        "ct",
        "place",
        "boulevard",
        "blvd",
        "parkway",
        "terrace",
        "crescent",
        "close",
        "row",
    }
)
# The keys worth reading: osmium drops every other object (buildings, addresses, untagged
# nodes, most of a city file) before it reaches Python.
KEYS = (
    "highway",
    "shop",
    "amenity",
    "craft",
    "leisure",
    "vacant",
    *(f"{prefix}{key}" for prefix in LIFECYCLE_PREFIXES for key in ("shop", "amenity")),
)
REPORT_EVERY = 100_000


@dataclass
class OsmExtract:
    """What an extract holds for Wishmap, and what was left out of it and why."""

    pieces: list[Piece] = field(default_factory=list)  # named street ways (ref: way id)
    streets: list[MergedStreet] = field(default_factory=list)  # the pieces, merged or not
    shops: list[Record] = field(default_factory=list)
    premises: list[Record] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # reason → count
    shop_like: int = 0  # features with a shop=*, craft=* or storefront amenity=* tag
    mapped: int = 0  # of which map to a shop type
    skipped_on_purpose: Counter[str] = field(default_factory=Counter)  # reason → count
    skipped_tags: dict[str, Counter[str]] = field(default_factory=dict)  # reason → tag → count
    unmapped: Counter[str] = field(default_factory=Counter)  # "shop=xyz" → count
    objects: int = 0

    @property
    def mapping_share(self) -> float:
        """Share of shop-like features that map to a type or are skipped on purpose (0–1)."""
        if not self.shop_like:
            return 1.0
        return (self.mapped + sum(self.skipped_on_purpose.values())) / self.shop_like


def _is_vacant(tags: dict[str, str], tag: str | None) -> bool:
    """True for an empty shop: shop=vacant, vacant=yes, or only a past shop (was:shop=…)."""
    if tags.get("shop") == "vacant":
        return True
    if tags.get("vacant") == "yes" and (tag or "building" in tags or "addr:housenumber" in tags):
        return True
    if tag is not None:
        return False  # a was:shop on a feature with a current shop is history, not vacancy
    for prefix in LIFECYCLE_PREFIXES:
        if tags.get(f"{prefix}shop"):
            return True
        if tags.get(f"{prefix}amenity", "").split(";")[0] in SHOP_LIKE_AMENITIES:
            return True
    return False


def format_address(number: str | None, street: str) -> str:
    """Return "12 Rue de Belleville" or "Siltasaarenkatu 12", as the street's language has it."""
    if not number:
        return street
    words = street.lower().replace("é", "e").split()
    if words and (words[0] in NUMBER_FIRST_WORDS or words[-1] in NUMBER_FIRST_ENDINGS):
        return f"{number} {street}"
    return f"{street} {number}"


class _Reader:
    """Turns the tagged objects of one file into an OsmExtract."""

    def __init__(self, within: BaseGeometry | None) -> None:
        self.within = within
        self.extract = OsmExtract()
        self.points: list[tuple[str, dict[str, str], float, float, str]] = []

    def node(self, obj: Any) -> None:
        tags = dict(obj.tags)
        if "highway" in tags and osm_shop_tag(tags) is None:
            self.extract.skipped["highway point (not a street)"] += 1
            return
        if obj.location.valid():
            self._feature(tags, f"node/{obj.id}", obj.location.lon, obj.location.lat)

    def way(self, obj: Any) -> None:
        tags = dict(obj.tags)
        coords = [(node.lon, node.lat) for node in obj.nodes if node.location.valid()]
        if "highway" in tags:
            self._street(obj.id, tags, coords)
        if osm_shop_tag(tags) is None and not _is_vacant(tags, None):
            return
        if len(coords) < 2:
            self.extract.skipped["shop outline outside the extract"] += 1
            return
        if obj.is_closed() and len(coords) >= 4:
            # A shop drawn as a building outline: its point is one inside the outline.
            outline = Polygon(coords)
            if not outline.is_valid:
                outline = outline.buffer(0)
            point = outline.point_on_surface() if not outline.is_empty else LineString(coords)
        else:
            point = LineString(coords).interpolate(0.5, normalized=True)
        self._feature(tags, f"way/{obj.id}", point.x, point.y)

    def area(self, obj: Any, factory: Any) -> None:
        if obj.from_way():
            return  # closed ways were handled by way()
        tags = dict(obj.tags)
        if osm_shop_tag(tags) is None and not _is_vacant(tags, None):
            return
        try:
            geometry = shape(json.loads(factory.create_multipolygon(obj)))
        except RuntimeError:
            self.extract.skipped["shop outline outside the extract"] += 1
            return
        point = geometry.point_on_surface()
        self._feature(tags, f"relation/{obj.orig_id()}", point.x, point.y)

    def _street(self, way_id: int, tags: dict[str, str], coords: list[tuple[float, float]]) -> None:
        skipped = self.extract.skipped
        if tags["highway"] in NOT_STREETS:
            skipped[f"highway={tags['highway']} (not a street)"] += 1
        elif not tags.get("name", "").strip():
            skipped["unnamed way"] += 1
        elif len(coords) < 2:
            skipped["way outside the extract"] += 1
        else:
            self.extract.pieces.append(Piece(way_id, tags["name"].strip(), (tuple(coords),)))

    def _feature(self, tags: dict[str, str], osm_id: str, lon: float, lat: float) -> None:
        tag = osm_shop_tag(tags)
        vacant = _is_vacant(tags, tag)
        extract = self.extract
        if tag is not None:
            extract.shop_like += 1
            code = code_for_osm_tags(tags)
            reason = osm_skip_reason(tag)
            if code is not None:
                extract.mapped += 1
            elif reason is not None:
                extract.skipped_on_purpose[reason] += 1
                extract.skipped_tags.setdefault(reason, Counter())[tag] += 1
            else:
                extract.unmapped[tag] += 1
            if not vacant and code is None:
                return
        elif not vacant:
            return
        if self.within is not None and not self.within.covers(Point(lon, lat)):
            extract.skipped["outside the area"] += 1
            return
        kind = "premise" if vacant else "shop"
        self.points.append((kind, tags, lon, lat, osm_id))


def _address(tags: dict[str, str], near: str | None) -> tuple[str, str | None]:
    """Return (address, street name) from addr:*, else from the nearest street."""
    if tags.get("addr:full"):
        return tags["addr:full"], tags.get("addr:street")
    street = tags.get("addr:street") or tags.get("addr:place") or near
    if street:
        return format_address(tags.get("addr:housenumber"), street), street
    return "", None


def _records(reader: _Reader, streets: list[MergedStreet]) -> None:
    """Turn the points read into shop and premise records, each with an address."""
    locator = StreetLocator(
        [(index, street.name, street.geometry) for index, street in enumerate(streets)]
    )
    for kind, tags, lon, lat, osm_id in reader.points:
        near = None
        if not tags.get("addr:street"):
            index = locator.nearest(lat, lon)
            near = streets[index].name if index is not None else None
        address, street = _address(tags, near)
        geometry = {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]}
        where = f"osm {osm_id}"
        ref = f"osm:{osm_id}"
        if kind == "shop":
            props = {"ref": ref, "name": tags.get("name"), "address": address or None}
            reader.extract.shops.append(Record(where, {**props, "tags": tags}, geometry))
        else:
            if not address:
                address = f"near {lat:.5f}, {lon:.5f}"
            props = {"ref": ref, "address": address, "street": street, "status": "vacant"}
            reader.extract.premises.append(Record(where, props, geometry))


def _unmerged(pieces: list[Piece]) -> list[MergedStreet]:
    """Return each piece as a street of its own (--no-merge)."""
    return [
        MergedStreet(piece.name, (piece.ref,), merged_geometry([piece]), (index,))
        for index, piece in enumerate(pieces)
    ]


def read_osm(
    path: str | Path,
    within: BaseGeometry | None = None,
    merge: bool = True,
    say: SayFn | None = None,
) -> OsmExtract:
    """Return what an .osm.pbf file holds for Wishmap: streets, shops, vacant premises.

    merge: join the ways of one name along connectivity into one street (street_merge.py).
    within: keep only shops and premises inside this area (streets are filtered by the
    streets importer, which keeps a street crossing the border whole).
    """
    path = Path(path)
    if not path.is_file():
        raise ImportFailed([RowError("file", f"cannot read {path}")], str(path))
    reader = _Reader(within)
    factory = osmium.geom.GeoJSONFactory()
    processor = (
        osmium.FileProcessor(str(path)).with_areas().with_filter(osmium.filter.KeyFilter(*KEYS))
    )
    try:
        for obj in processor:
            reader.extract.objects += 1
            if say and reader.extract.objects % REPORT_EVERY == 0:
                say(f"osm: {reader.extract.objects:,} objects read")
            if obj.is_node():
                reader.node(obj)
            elif obj.is_way():
                reader.way(obj)
            elif obj.is_area():
                reader.area(obj, factory)
    except RuntimeError as exc:
        # libosmium's message for a file that is no OSM data ("PBF error: …", "Unknown file …").
        raise ImportFailed(
            [RowError("file", f"not an OpenStreetMap file: {exc}")], str(path)
        ) from None
    pieces = reader.extract.pieces
    reader.extract.streets = merge_by_name(pieces) if merge else _unmerged(pieces)
    _records(reader, reader.extract.streets)
    if say:
        extract = reader.extract
        say(
            f"osm: {extract.objects:,} objects with street or shop tags, "
            f"{len(extract.pieces)} named street ways, {len(extract.shops)} shops, "
            f"{len(extract.premises)} vacant premises"
        )
    return reader.extract
