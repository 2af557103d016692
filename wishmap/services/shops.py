"""Existing shops (the supply side): importing them from OSM-style or city GeoJSON/CSV."""

from __future__ import annotations

from typing import Any

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
from wishmap.services.shop_types import ids_by_code
from wishmap.services.streets import street_locator
from wishmap.taxonomy import OSM_KEYS, code_for, code_for_osm_tags, is_unclassified

CATEGORY_FIELDS = ("shop_type", "category", "type_de_commerce", "categorie", "type", "branche")
REF_FIELDS = ("ref", "@id", "id", "osm_id", "identifiant")


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


def _shop_row(record: Record, type_ids: dict[str, int], skip_unknown: bool) -> RowOutcome:
    geometry = record.geometry
    if geometry is None or geometry["type"] != "Point":
        return f"expected a Point geometry, got {geometry['type'] if geometry else 'none'}"
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
    lon, lat = geometry["coordinates"][:2]
    name = first(record.props, "name", "nom_du_commerce", "nom", "naam")
    address = first(record.props, "address", "adresse", "addr:full", "adres")
    if address is None and first(record.props, "addr:street"):
        address = f"{first(record.props, 'addr:housenumber') or ''} {record.props['addr:street']}"
    return {
        "ref": str(ref),
        "name": str(name).strip() if name else None,
        "shop_type_id": type_ids[code],
        "lat": float(lat),
        "lon": float(lon),
        "address": str(address).strip() if address else None,
    }


def import_shops(
    session: Session,
    records: list[Record],
    skip_unknown: bool = False,
    progress: ProgressFn | None = None,
    source: str = "",
) -> ImportReport:
    """Create or update shops by their id; all or nothing. Commits on success.

    A category that deliberately names no type ("Autre", "other") is skipped and counted; one
    that is simply unknown is an error unless skip_unknown, so no mapping gap goes unseen.
    """
    type_ids = ids_by_code(session)
    report = ImportReport()
    rows = check_rows(
        records, lambda record: _shop_row(record, type_ids, skip_unknown), report, progress, source
    )
    locator = street_locator(session)
    for fields in rows:
        fields["street_id"] = locator.nearest(fields["lat"], fields["lon"])
    upsert_by_ref(session, Shop, rows, report)
    session.commit()
    return report
