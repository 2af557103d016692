"""Existing shops (the supply side): importing them from OSM-style or city GeoJSON/CSV.

A shop is a Point, a building outline (a point on its surface stands for it) or a CSV row with
latitude/longitude columns. It is linked to the street named in its address, else the nearest
street within a set distance, else to none (counted in the report).
"""

from __future__ import annotations

from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from wishmap.models import Shop
from wishmap.services.importing import (
    ImportReport,
    ProgressFn,
    Record,
    RowOutcome,
    Skip,
    check_rows,
    first,
    upsert_by_ref,
)
from wishmap.services.imports.addresses import split_address
from wishmap.services.imports.points import Area, record_point
from wishmap.services.imports.street_match import DEFAULT_MAX_STREET_DISTANCE_M, link_streets
from wishmap.services.shop_types import ids_by_code
from wishmap.taxonomy import OSM_KEYS, code_for, code_for_osm_tags, is_unclassified

CATEGORY_FIELDS = ("shop_type", "category", "type_de_commerce", "categorie", "type", "branche")
REF_FIELDS = ("ref", "@id", "id", "osm_id", "identifiant")
STREET_KEY = "_street_name"


def _category(props: dict[str, Any]) -> tuple[str | None, str | None]:
    """Return (shop-type code, the category text it came from) for a record's properties."""
    tags = props.get("tags") if isinstance(props.get("tags"), dict) else props
    code = code_for_osm_tags(tags)
    if code:
        return code, None
    raw = first(props, *CATEGORY_FIELDS)
    if raw is None:
        raw = next((tags.get(key) for key in OSM_KEYS if tags.get(key)), None)
    return code_for(str(raw)) if raw else None, str(raw) if raw is not None else None


def _shop_row(
    record: Record,
    type_ids: dict[str, int],
    skip_unknown: bool,
    within: Area | None,
    notes: dict[str, str],
) -> RowOutcome:
    point, error, note = record_point(record)
    if point is None:
        return error
    if within is not None and not within.covers(*point):
        return Skip("outside the area")
    if note:
        notes[note] = record.where
    ref = first(record.props, *REF_FIELDS)
    if ref is None:
        return f"has no id (looked for {', '.join(REF_FIELDS)})"
    code, raw = _category(record.props)
    if code is None:
        if raw is not None and is_unclassified(raw):
            return Skip(f"category {raw!r} names no shop type")
        if skip_unknown:
            return Skip(f"unknown category {raw!r}")
        return (
            f"category {raw!r} matches no shop type (see wishmap/taxonomy.py; "
            "--skip-unknown imports the rest)"
        )
    name = first(record.props, "name", "nom_du_commerce", "nom", "naam")
    address = first(record.props, "address", "adresse", "addr:full", "adres")
    if address is None and first(record.props, "addr:street"):
        address = f"{first(record.props, 'addr:housenumber') or ''} {record.props['addr:street']}"
    return {
        "ref": str(ref),
        "name": str(name).strip() if name else None,
        "shop_type_id": type_ids[code],
        "lat": point[0],
        "lon": point[1],
        "address": str(address).strip() if address else None,
        # Only for finding the street; the shops table has no column for it.
        STREET_KEY: _street_name(record.props, address),
    }


def _street_name(props: dict[str, Any], address: Any) -> str | None:
    street = first(props, "addr:street", "street", "rue", "straat")
    if street:
        return str(street)
    return (split_address(str(address)).street or None) if address else None


def import_shops(
    session: Session,
    records: list[Record],
    skip_unknown: bool = False,
    progress: ProgressFn | None = None,
    source: str = "",
    *,
    within: BaseGeometry | None = None,
    max_street_distance_m: float = DEFAULT_MAX_STREET_DISTANCE_M,
) -> ImportReport:
    """Create or update shops by their id; all or nothing. Commits on success.

    A category that deliberately names no type ("Autre", "other") is skipped and counted; one
    that is simply unknown is an error unless skip_unknown, so no mapping gap goes unseen.
    within: a shapely area; shops outside it are skipped and counted.
    """
    type_ids = ids_by_code(session)
    report = ImportReport()
    area = Area(within) if within is not None else None
    notes: dict[str, str] = {}
    rows = check_rows(
        records,
        lambda record: _shop_row(record, type_ids, skip_unknown, area, notes),
        report,
        progress,
        source,
    )
    for note in notes:
        report.warn(note)
    names = [fields.pop(STREET_KEY) for fields in rows]
    link_streets(session, rows, names, report, "shop", max_street_distance_m)
    upsert_by_ref(session, Shop, rows, report)
    session.commit()
    return report
