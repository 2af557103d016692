"""Merging the pieces of one street: same name, connected → one street with a MultiLineString.

Street networks (OpenStreetMap, most municipal centre-line files) cut a street into pieces at
every crossing or change of a tag: a real street becomes 16 rows, and its demand is split and
suppressed piece by piece. Pieces are joined when they carry the same name (accents and case
ignored) and come within SNAP_M of each other, directly or through other pieces; two streets
of one name in different parts of a city do not, and stay two streets.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from shapely import STRtree
from shapely.geometry import LineString, MultiLineString, mapping
from shapely.ops import linemerge

from wishmap.geo import to_metres
from wishmap.services.importing import Record
from wishmap.taxonomy import normalise

# Two pieces of one name closer than this are one street. OSM ways of a street share a node
# (0 m); centre-line files leave a gap of a metre or two at a crossing; dual carriageways and
# sidewalks mapped as ways of their own run 5–20 m beside each other (measured on Helsinki:
# Mannerheimintie's two carriageways are 14 m apart and meet only outside the extract).
SNAP_M = 25.0

Coordinates = Sequence[Sequence[float]]


@dataclass(frozen=True)
class Piece:
    """One piece of a street as read from a file: its id there, its name, its lines (lon, lat)."""

    ref: int | str
    name: str
    lines: tuple[Coordinates, ...]


@dataclass(frozen=True)
class MergedStreet:
    """Connected pieces of one name: ids smallest first, one GeoJSON (Multi)LineString."""

    name: str
    refs: tuple[int | str, ...]
    geometry: dict[str, Any]
    members: tuple[int, ...]  # positions of the pieces in the input, in the order of refs

    @property
    def ref(self) -> int | str:
        """The smallest id: stable across re-imports as long as that piece exists."""
        return self.refs[0]


def _order(ref: int | str) -> tuple[int, str, int, str]:
    """Sort ids by their number ("way/99" before "way/100"), ids without one as text."""
    match = re.fullmatch(r"(\D*)(\d+)", str(ref))
    if match:
        return (0, match[1], int(match[2]), "")
    return (1, "", 0, str(ref))


def _components(lines: list[LineString], snap_m: float) -> list[list[int]]:
    """Return groups of indices of lines connected within snap_m (lines in metres)."""
    parent = list(range(len(lines)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    if len(lines) > 1:
        tree = STRtree(lines)
        left, right = tree.query(lines, predicate="dwithin", distance=snap_m)
        for a, b in zip(left.tolist(), right.tolist(), strict=True):
            parent[root(a)] = root(b)
    groups: dict[int, list[int]] = defaultdict(list)
    for index in range(len(lines)):
        groups[root(index)].append(index)
    return list(groups.values())


def _spelling(names: list[str]) -> str:
    """Return the most used spelling; on a tie, one in mixed case ("Rue X", not "RUE X")."""
    counts = Counter(names)
    return max(counts, key=lambda name: (counts[name], name not in (name.lower(), name.upper())))


def merged_geometry(pieces: list[Piece]) -> dict[str, Any]:
    """Return the pieces' lines joined end to end where they meet, as GeoJSON."""

    def rounded(coords: Any) -> list[Any]:
        return [[round(float(x), 7), round(float(y), 7)] for x, y, *_z in coords]

    if len(pieces) == 1:  # nothing joined: the piece's own geometry, as the file gave it
        lines = [[list(point) for point in line] for line in pieces[0].lines]
        if len(lines) == 1:
            return {"type": "LineString", "coordinates": lines[0]}
        return {"type": "MultiLineString", "coordinates": lines}
    lines = [line for piece in pieces for line in piece.lines]
    geometry = mapping(linemerge(MultiLineString([LineString(line) for line in lines])))
    if geometry["type"] == "LineString":
        return {"type": "LineString", "coordinates": rounded(geometry["coordinates"])}
    return {
        "type": "MultiLineString",
        "coordinates": [rounded(line) for line in geometry["coordinates"]],
    }


def merge_by_name(pieces: Sequence[Piece], snap_m: float = SNAP_M) -> list[MergedStreet]:
    """Return one street per name and connected group of pieces, in the order first seen."""
    by_name: dict[str, list[int]] = defaultdict(list)
    for index, piece in enumerate(pieces):
        by_name[normalise(piece.name)].append(index)
    streets: list[MergedStreet] = []
    for at in by_name.values():
        group = [pieces[index] for index in at]
        if len(group) == 1:
            components = [[0]]  # most names in a city file: nothing to join
        else:
            lat0 = float(np.mean([line[0][1] for piece in group for line in piece.lines]))
            # One shape per piece (a MultiLineString piece counts as one) to test connectivity.
            shapes = [
                to_metres(MultiLineString([LineString(line) for line in piece.lines]), lat0)
                for piece in group
            ]
            components = _components(shapes, snap_m)
        for component in components:
            component.sort(key=lambda index: _order(group[index].ref))
            members = [group[index] for index in component]
            streets.append(
                MergedStreet(
                    name=_spelling([piece.name.strip() for piece in members]),
                    refs=tuple(piece.ref for piece in members),
                    geometry=merged_geometry(members),
                    members=tuple(at[index] for index in component),
                )
            )
    return sorted(streets, key=lambda street: min(street.members))


def _lines(geometry: dict[str, Any]) -> tuple[Coordinates, ...]:
    if geometry["type"] == "LineString":
        return (geometry["coordinates"],)
    return tuple(geometry["coordinates"])


def _has_lines(geometry: dict[str, Any]) -> bool:
    """True when every line has two points or more (the importer judges anything else)."""
    lines = _lines(geometry)
    return bool(lines) and all(isinstance(line, list | tuple) and len(line) >= 2 for line in lines)


def merge_records(
    records: Sequence[Record],
    name_of: Callable[[Record], Any],
    ref_of: Callable[[Record], Any],
    snap_m: float = SNAP_M,
) -> list[Record]:
    """Return street records with connected pieces of one name merged into one record each.

    A merged record keeps the properties of its piece with the smallest id, and that id. A
    record that cannot take part (a problem, no line geometry, no name or id) passes through
    unchanged, so the importer still reports it by its own line or feature number.
    """
    pieces: list[Piece] = []
    sources: list[int] = []  # position in records of each piece
    passed: list[tuple[int, Record]] = []
    for index, record in enumerate(records):
        geometry = record.geometry
        name, ref = name_of(record), ref_of(record)
        usable = (
            record.problem is None
            and geometry is not None
            and geometry.get("type") in {"LineString", "MultiLineString"}
            and _has_lines(geometry)
            and name not in (None, "")
            and ref not in (None, "")
        )
        if not usable:
            passed.append((index, record))
            continue
        pieces.append(Piece(ref=ref, name=str(name), lines=_lines(geometry)))
        sources.append(index)
    merged: list[tuple[int, Record]] = []
    for street in merge_by_name(pieces, snap_m):
        first = records[sources[street.members[0]]]
        count = len(street.members)
        if count == 1:
            merged.append((sources[street.members[0]], first))  # as it was in the file
            continue
        where = first.where if count == 1 else f"{first.where} (+{count - 1} merged)"
        props = {**first.props, "ref": street.ref, "name": street.name}
        position = min(sources[member] for member in street.members)
        merged.append((position, Record(where, props, street.geometry)))
    return [record for _index, record in sorted(merged + passed, key=lambda item: item[0])]
