"""Zoning: importing a layer of protected frontages, linking premises to it, a premise's protection.

Which uses a class forbids lives in wishmap/zoning_rules.py; services/recommendations.py turns
a premise's classes into shop types that are never recommended there. Each premise's zones are
stored in premise_zones when zoning or premises are imported, so pages read one indexed join
and never test geometry per request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from analysis.projection import LocalProjection
from wishmap.geo import bounds
from wishmap.i18n import current_language
from wishmap.models import Premise, PremiseZone, ZoningArea
from wishmap.services.importing import (
    ImportFailed,
    ImportReport,
    ProgressFn,
    Record,
    RowError,
    RowOutcome,
    Skip,
    check_rows,
    first,
    upsert_by_ref,
)
from wishmap.services.imports.addresses import street_key
from wishmap.zoning_rules import (
    FLAG_ALL,
    FLAG_SIDES,
    ZONING_CLASSES,
    ZoningClass,
    use_label,
    zoning_class,
)

# How a premise (a point at its address) is found on a zone:
# - A layer drawn along the facades, or polygons, with no street names: the zone within
#   FRONTAGE_DISTANCE_M. Geocoders put an address on the facade or a few metres behind it
#   (entrance, parcel); 15 m takes in that offset and the drawing's error, yet stays under the
#   width of most shopping streets (12–20 m), so the frontage across the street rarely matches.
# - A layer drawn on the street's axis with its name and house numbers per side (Paris: each
#   block of a street, "23–29" on the left, "2–10" on the right): the premise must be on that
#   street, with a number in a range of the same parity (its side), as CMaRue checked every
#   address. The distance only keeps a same-named street of another town out, so it allows
#   half of a wide boulevard (30–40 m) plus the setback: AXIS_NUMBERED_DISTANCE_M. Without a
#   house number, the premise must lie within half a usual shopping street of the axis.
FRONTAGE_DISTANCE_M = 15.0
AXIS_NUMBERED_DISTANCE_M = 60.0
AXIS_DISTANCE_M = 25.0

REF_FIELDS = ("ref", "n_sq_pca", "id", "@id", "identifiant", "objectid", "fid", "gid")
CLASS_FIELDS = ("class", "class_code", "classe", "protection", "categorie", "category")
STREET_FIELDS = ("nom_voie", "street", "street_name", "name", "l_longmin", "straatnaam")
# Paris gives the house numbers a segment covers, per side: début/fin, gauche/droite.
NUMBER_FIELDS = (("n_vo_addg", "n_vo_adfg"), ("n_vo_addd", "n_vo_adfd"))
ZONE_TYPES = {"LineString", "MultiLineString", "Polygon", "MultiPolygon"}
NO_FLAGS = frozenset({"", "n", "non", "no", "nee", "false", "0"})
CHUNK = 500


def _int(value: Any) -> int | None:
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _numbers(props: dict[str, Any]) -> str | None:
    """Return the house numbers a segment covers per side, as printed ("23–29, 2–10")."""
    ranges = []
    for start_field, end_field in NUMBER_FIELDS:
        start, end = _int(first(props, start_field)), _int(first(props, end_field))
        if start or end:
            low, high = sorted((start or end or 0, end or start or 0))
            ranges.append(f"{low}–{high}" if low != high else str(low))
    return ", ".join(ranges)[:40] or None


_RANGE = re.compile(r"(\d+)(?:–(\d+))?")


def number_ranges(numbers: str | None) -> list[tuple[int, int]]:
    """Return the (low, high) house-number ranges of a zone's numbers text."""
    return [(int(low), int(high or low)) for low, high in _RANGE.findall(numbers or "")]


def _in_ranges(number: int, ranges: list[tuple[int, int]]) -> bool:
    # Each range is one side of the street: same parity as its first number.
    return any(low <= number <= high and number % 2 == low % 2 for low, high in ranges)


def _classes(props: dict[str, Any], class_field: str | None) -> list[tuple[str, str | None]] | str:
    """Return [(class code, side or None)] of a feature, or why they cannot be read."""
    field_name = class_field
    if field_name is None:
        flags = {str(key).lower(): value for key, value in props.items()}
        found: list[tuple[str, str | None]] = []
        flag_columns = [code for code in ZONING_CLASSES if code.lower() in flags]
        for code in flag_columns:
            value = str(flags[code.lower()] or "").strip().lower()
            if value in FLAG_ALL:
                found.append((code, None))
            elif value in FLAG_SIDES:
                found.append((code, FLAG_SIDES[value]))
            elif value not in NO_FLAGS:
                return f"{code} is {flags[code.lower()]!r}, expected O, N, P (even side) or I (odd)"
        if flag_columns:
            return found
        field_name = next((name for name in CLASS_FIELDS if first(props, name) is not None), None)
        if field_name is None:
            known = ", ".join(ZONING_CLASSES)
            return f"has no protection class (give --class-field, or flag columns {known})"
    value = first(props, field_name)
    if value is None:
        return []
    zone = zoning_class(str(value))
    if zone is None:
        return (
            f"class {value!r} is not in the rule table (wishmap/zoning_rules.py knows "
            f"{', '.join(ZONING_CLASSES)})"
        )
    return [(zone.code, None)]


def _zone_row(
    record: Record,
    class_field: str | None,
    ref_field: str | None,
    within: BaseGeometry | None,
) -> RowOutcome:
    geometry = record.geometry
    if geometry is None:
        return "has no geometry"
    if geometry["type"] not in ZONE_TYPES:
        return f"geometry is a {geometry['type']}, expected lines or polygons"
    ref = first(record.props, ref_field) if ref_field else first(record.props, *REF_FIELDS)
    if ref is None:
        return f"has no id (looked for {ref_field or ', '.join(REF_FIELDS)})"
    if isinstance(ref, float) and ref.is_integer():
        ref = int(ref)  # Paris writes N_SQ_PCA as 261.0
    classes = _classes(record.props, class_field)
    if isinstance(classes, str):
        return classes
    if not classes:
        return Skip("no protection class")
    if within is not None and not within.intersects(shape(geometry)):
        return Skip("outside the area")
    numbers = _numbers(record.props)
    street = first(record.props, *STREET_FIELDS)
    min_lat, min_lon, max_lat, max_lon = bounds(geometry)
    return {
        "ref": str(ref)[:60],
        "classes": classes,
        "street_name": str(street).strip()[:200] if street else None,
        "numbers": numbers,
        "geometry": json.dumps(geometry, separators=(",", ":")),
        "min_lat": min_lat,
        "min_lon": min_lon,
        "max_lat": max_lat,
        "max_lon": max_lon,
    }


def import_zoning(
    session: Session,
    records: list[Record],
    class_field: str | None = None,
    ref_field: str | None = None,
    within: BaseGeometry | None = None,
    progress: ProgressFn | None = None,
    source: str = "",
) -> ImportReport:
    """Create or update protected frontages by id and class, relink every premise; all or nothing.

    One row per feature and class (a Paris segment flagged PCA and PRCA gives two). Commits once.
    """
    report = ImportReport()
    features = check_rows(
        records,
        lambda record: _zone_row(record, class_field, ref_field, within),
        report,
        progress,
        source,
    )
    if not features:
        # Nothing to import is a mistake (a wrong --class-field, an area with no frontage), and
        # importing nothing would silently unlink every premise from the zones it had.
        why = "; ".join(f"{count} {reason}" for reason, count in sorted(report.skipped.items()))
        reason = f"no feature to import ({why})" if why else "no feature with a protection class"
        raise ImportFailed([RowError("file", reason)], source)
    rows = []
    for feature in features:
        classes = feature.pop("classes")
        for code, side in classes:
            rows.append(
                {**feature, "ref": f"{feature['ref']}/{code}", "class_code": code, "side": side}
            )
    # A feature that lost a class since the last import loses that row.
    fresh = {row["ref"] for row in rows}
    in_file = {feature["ref"] for feature in features}
    stale = [
        zone_id
        for zone_id, ref in session.execute(select(ZoningArea.id, ZoningArea.ref))
        if ref.rpartition("/")[0] in in_file and ref not in fresh
    ]
    for start in range(0, len(stale), CHUNK):
        session.execute(delete(ZoningArea).where(ZoningArea.id.in_(stale[start : start + CHUNK])))
    upsert_by_ref(session, ZoningArea, rows, report)
    session.flush()
    link_premises(session)
    session.commit()
    return report


_LEADING_NUMBER = re.compile(r"^\s*(\d+)")
_TRAILING_NUMBER = re.compile(r"\s(\d+)\s*[a-zA-Z]?\s*$")


def house_number(address: str) -> int | None:
    """Return the house number of "12 rue X", "12bis rue X" or "Damrak 12", or None."""
    found = _LEADING_NUMBER.match(address) or _TRAILING_NUMBER.search(address)
    return int(found.group(1)) if found else None


def _on_zone(premise: Any, zone: Any, distance: float) -> bool:
    """Return whether a premise near a zone lies on it (see FRONTAGE_DISTANCE_M)."""
    number = house_number(premise.address)
    if zone.side is not None and number is not None and (number % 2 == 0) != (zone.side == "even"):
        return False
    if not zone.street_name:
        return distance <= FRONTAGE_DISTANCE_M
    if premise.street_name and street_key(premise.street_name) != street_key(zone.street_name):
        return False
    ranges = number_ranges(zone.numbers)
    if ranges and number is not None:
        return distance <= AXIS_NUMBERED_DISTANCE_M and _in_ranges(number, ranges)
    return distance <= AXIS_DISTANCE_M


def link_premises(session: Session, premise_ids: Iterable[int] | None = None) -> int:
    """Rewrite the zones of these premises (all when None); return the links written.

    How a premise is found on a zone: see FRONTAGE_DISTANCE_M. Does not commit: the links
    land with the import that called it.
    """
    zones = list(
        session.execute(
            select(
                ZoningArea.id,
                ZoningArea.side,
                ZoningArea.street_name,
                ZoningArea.numbers,
                ZoningArea.geometry,
            )
        )
    )
    query = select(Premise.id, Premise.lat, Premise.lon, Premise.address, Premise.street_name)
    if premise_ids is None:
        session.execute(delete(PremiseZone))
        # A city without a zoning layer pays nothing on each premises import.
        premises = list(session.execute(query)) if zones else []
    else:
        ids = list(premise_ids)
        premises = []
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            session.execute(delete(PremiseZone).where(PremiseZone.premise_id.in_(chunk)))
            if zones:
                premises += list(session.execute(query.where(Premise.id.in_(chunk))))
    if not premises or not zones:
        return 0
    lats = np.array([row.lat for row in premises])
    lons = np.array([row.lon for row in premises])
    projection = LocalProjection.around([lats], [lons])
    shapes = projection.project_geometries([shape(json.loads(zone.geometry)) for zone in zones])
    tree = STRtree(shapes)
    xs, ys = projection.to_xy(lats, lons)
    points = shapely.points(xs, ys)
    reach = max(FRONTAGE_DISTANCE_M, AXIS_DISTANCE_M, AXIS_NUMBERED_DISTANCE_M)
    point_index, zone_index = tree.query(points, predicate="dwithin", distance=reach)
    distances = shapely.distance(points[point_index], shapes[zone_index])
    links = []
    for p, z, distance in zip(point_index, zone_index, distances, strict=True):
        premise, zone = premises[p], zones[z]
        if _on_zone(premise, zone, float(distance)):
            links.append(
                {
                    "premise_id": premise.id,
                    "zoning_area_id": zone.id,
                    "distance_m": round(float(distance), 1),
                }
            )
    if links:
        session.execute(insert(PremiseZone), links)
    return len(links)


@dataclass
class Protection:
    """One protection class a premise lies under, as its report shows it."""

    code: str
    label: str
    # Uses it forbids, in the reader's language (taxonomy types and others such as offices).
    forbids: list[str] = field(default_factory=list)
    # When the class lets only some shop types open (crafts only), their names.
    only: list[str] | None = None
    street_name: str | None = None
    numbers: str | None = None


def describe(zone: ZoningClass, language: str) -> Protection:
    """Return what a class means for a premise, in language."""
    only = sorted(use_label(code, language) for code in zone.requires) if zone.requires else None
    return Protection(
        code=zone.code,
        label=zone.label(language),
        forbids=[use_label(code, language) for code in sorted(zone.forbids)],
        only=only,
    )


def premise_protection(
    session: Session, premise: Premise, language: str | None = None
) -> list[Protection]:
    """Return the protection classes the premise lies under (none: an empty list)."""
    language = language or current_language()
    rows = session.execute(
        select(ZoningArea.class_code, ZoningArea.street_name, ZoningArea.numbers)
        .join(PremiseZone, PremiseZone.zoning_area_id == ZoningArea.id)
        .where(PremiseZone.premise_id == premise.id)
        .order_by(PremiseZone.distance_m, ZoningArea.class_code)
    )
    found: dict[str, Protection] = {}
    for code, street_name, numbers in rows:
        zone = ZONING_CLASSES.get(code)
        if zone is None or code in found:
            continue  # a class dropped from the rule table no longer protects anything
        protection = describe(zone, language)
        protection.street_name, protection.numbers = street_name, numbers
        found[code] = protection
    return list(found.values())


def zone_classes(session: Session, premise_ids: list[int]) -> dict[int, set[str]]:
    """Return {premise id: its protection class codes} for the premises that have any.

    A page of a few hundred premises asks with IN; a larger one reads every link (one row per
    protected premise and class, a few thousand in Paris) and keeps its own: binding thousands
    of ids costs more than reading the table.
    """
    query = (
        select(PremiseZone.premise_id, ZoningArea.class_code)
        .join(ZoningArea, ZoningArea.id == PremiseZone.zoning_area_id)
        .distinct()
    )
    if len(premise_ids) <= CHUNK:
        rows = session.execute(query.where(PremiseZone.premise_id.in_(premise_ids)))
    else:
        wanted = set(premise_ids)
        rows = (row for row in session.execute(query) if row[0] in wanted)
    result: dict[int, set[str]] = {}
    for premise_id, code in rows:
        result.setdefault(premise_id, set()).add(code)
    return result
