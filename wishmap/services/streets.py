"""Streets: importing a street network and finding the street of a point."""

from __future__ import annotations

import json
from typing import Any

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap.geo import StreetLocator, bounds, line_length_m
from wishmap.models import Street
from wishmap.services.caching import cached_per_database, forget
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
from wishmap.services.imports.street_merge import merge_records

NAME_FIELDS = ("name", "l_longmin", "nom_voie", "nom", "straatnaam", "street")
REF_FIELDS = ("ref", "n_sq_vo", "id", "@id", "osm_id", "identifiant")
LINE_TYPES = {"LineString", "MultiLineString"}
OSM_ID_FIELDS = ("@id", "osm_id", "id", "ref")


def _is_osm(props: dict[str, Any]) -> bool:
    """Return whether a feature comes from an OpenStreetMap export (overpass, osmium, QGIS)."""
    return any(key in props for key in ("@id", "osm_id", "highway", "osm_type"))


def street_ref(props: dict[str, Any]) -> Any:
    """Return a street feature's id. In OpenStreetMap `ref` is the road number ("D 932",
    shared by every way of the road), so there the OSM id comes first."""
    return first(props, *OSM_ID_FIELDS) if _is_osm(props) else first(props, *REF_FIELDS)


def _street_row(record: Record, within: BaseGeometry | None) -> RowOutcome:
    name = first(record.props, *NAME_FIELDS)
    ref = street_ref(record.props)
    geometry = record.geometry
    osm = _is_osm(record.props)
    if geometry is None:
        return Skip("no geometry") if osm else "has no geometry"
    if geometry["type"] not in LINE_TYPES:
        # An OpenStreetMap export holds crossings, bus stops and squares beside the ways.
        if osm:
            return Skip(f"not a street line ({geometry['type']})")
        return f"geometry is a {geometry['type']}, expected a LineString or MultiLineString"
    if not name:
        if osm:
            # Service roads, footways and driveways: no address is on them.
            return Skip("unnamed way")
        return f"has no street name (looked for {', '.join(NAME_FIELDS)})"
    if ref is None:
        return f"has no id (looked for {', '.join(REF_FIELDS)})"
    if within is not None and not within.intersects(shape(geometry)):
        return Skip("outside the area")
    min_lat, min_lon, max_lat, max_lon = bounds(geometry)
    return {
        "ref": str(ref),
        "name": str(name).strip(),
        "geometry": json.dumps(geometry, separators=(",", ":")),
        "length_m": round(line_length_m(geometry), 1),
        "min_lat": min_lat,
        "min_lon": min_lon,
        "max_lat": max_lat,
        "max_lon": max_lon,
    }


def import_streets(
    session: Session,
    records: list[Record],
    within: BaseGeometry | None = None,
    progress: ProgressFn | None = None,
    source: str = "",
    merge_by_name: bool = False,
) -> ImportReport:
    """Create or update streets by their id; all or nothing. Commits on success.

    within: keep only streets that touch this area (e.g. one district); streets crossing
    its border are kept whole, since demand on them is shared with the next district.
    merge_by_name: join the connected pieces of one name into one street whose id is the
    smallest piece id (services/imports/street_merge.py).
    """
    report = ImportReport()
    if merge_by_name:
        pieces = len(records)
        records = merge_records(
            records, lambda r: first(r.props, *NAME_FIELDS), lambda r: street_ref(r.props)
        )
        if pieces > len(records):
            report.notes["pieces joined to another piece of their street"] = pieces - len(records)
    rows = check_rows(records, lambda record: _street_row(record, within), report, progress, source)
    upsert_by_ref(session, Street, rows, report)
    session.commit()
    forget_street_locator(session)
    return report


def street_locator(session: Session) -> StreetLocator:
    """Return a locator over every street in the database."""
    rows = session.execute(select(Street.id, Street.name, Street.geometry))
    return StreetLocator(
        [(street_id, name, json.loads(geometry)) for street_id, name, geometry in rows]
    )


def _streets_fingerprint(session: Session) -> Any:
    return tuple(
        session.execute(
            select(
                func.count(),
                func.max(Street.id),
                func.sum(Street.length_m),
                func.sum(Street.min_lat),
            )
        ).one()
    )


def cached_street_locator(session: Session) -> StreetLocator:
    """Return the locator for this database, rebuilt only when its streets have changed."""
    return cached_per_database(session, "streets", _streets_fingerprint, street_locator)


def forget_street_locator(session: Session) -> None:
    """Drop the cached locator of this database (after its streets were imported)."""
    forget(session, "streets")


def area_from_file(path: str, where: str | None = None) -> BaseGeometry:
    """Return the union of the polygons in a GeoJSON file, optionally those whose FIELD=VALUE."""
    from shapely.ops import unary_union

    from wishmap.services.importing import read_records

    records = read_records(path, "geojson")
    if where:
        field, _, value = where.partition("=")
        records = [r for r in records if str(first(r.props, field.strip())) == value.strip()]
        if not records:
            raise ImportFailed([RowError("--where", f"no area has {where}")], str(path))
    return unary_union([shape(record.geometry) for record in records if record.geometry])


def streets_in_view(
    session: Session, south: float, west: float, north: float, east: float
) -> list[Street]:
    """Return the streets whose bounding box meets the view."""
    return list(
        session.scalars(
            select(Street).where(
                Street.max_lat >= south,
                Street.min_lat <= north,
                Street.max_lon >= west,
                Street.min_lon <= east,
            )
        )
    )
