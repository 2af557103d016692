"""Exports of a statistics table: CSV, GeoJSON and XLSX, each holding exactly the table's rows.

A suppressed row keeps its labels but not its counts (empty, with suppressed = true).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import geojson
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from wishmap.geo import shape_features
from wishmap.services.statistics import StatisticsError, StatsTable, geometries

# Per dimension, the columns of an export: a stable code and a label people read.
COLUMNS = {
    "street": ("street_ref", "street"),
    "district": ("district_ref", "district"),
    "type": ("shop_type", "shop_type_label"),
    "group": ("group", "group_label"),
    "month": ("month",),
}
COUNT_COLUMNS = ("wishes", "residents", "suppressed")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def header(table: StatsTable) -> list[str]:
    """Return the column names of the table's exports."""
    names = [name for dimension in table.query.by for name in COLUMNS[dimension]]
    return [*names, *COUNT_COLUMNS]


def records(table: StatsTable) -> list[dict[str, Any]]:
    """Return one dict per row: codes and labels, then wishes, residents, suppressed."""
    result = []
    for row in table.rows:
        record: dict[str, Any] = {}
        for dimension, code, label in zip(table.query.by, row.codes, row.labels, strict=True):
            names = COLUMNS[dimension]
            record[names[0]] = code
            if len(names) > 1:
                record[names[1]] = label
        record.update(wishes=row.wishes, residents=row.residents, suppressed=row.suppressed)
        result.append(record)
    return result


def filename(table: StatsTable, fmt: str) -> str:
    """Return the download's file name, e.g. wishmap-statistics-street-month-20260301.csv."""
    return f"wishmap-statistics-{'-'.join(table.query.by)}-{table.generated_at:%Y%m%d}.{fmt}"


def to_csv(table: StatsTable) -> bytes:
    """Return the table as UTF-8 CSV (with a byte-order mark, so spreadsheets read accents)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header(table))
    writer.writeheader()
    for record in records(table):
        writer.writerow({**record, "suppressed": "true" if record["suppressed"] else "false"})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_geojson(session: Session, table: StatsTable) -> bytes:
    """Return the table as GeoJSON features of its streets or districts; raise if it has none."""
    if not table.query.has_geometry:
        raise StatisticsError(
            _("GeoJSON needs a grouping by street or by district; use CSV or XLSX for this table.")
        )
    index = next(i for i, d in enumerate(table.query.by) if d in ("street", "district"))
    shapes = geometries(session, table.query.by[index], {row.keys[index] for row in table.rows})
    collection = shape_features(
        (shapes.get(row.keys[index]), record)
        for row, record in zip(table.rows, records(table), strict=True)
    )
    collection["suppression"] = {"min_residents": table.min_residents}
    return geojson.dumps(collection, ensure_ascii=False).encode("utf-8")


def about(table: StatsTable) -> list[tuple[str, str]]:
    """Return what the export holds: its filters, the suppression rule, time and licence."""
    query = table.query
    lines = [
        ("grouped by", ", ".join(query.by)),
        ("district level", table.level or ""),
        ("from", query.since.isoformat() if query.since else "(first wish)"),
        ("to", query.until.isoformat() if query.until else "(today)"),
        ("shop type", query.type_code or "(all)"),
        ("shop-type group", query.group or "(all)"),
        ("district id", str(query.district_id) if query.district_id else "(all)"),
        ("street id", str(query.street_id) if query.street_id else "(all)"),
        ("counted", "active wishes only; residents = distinct residents"),
        (
            "suppression",
            f"rows with fewer than {table.min_residents} distinct residents are suppressed: "
            "their counts are left empty and suppressed is true, so nobody can be singled out",
        ),
        ("generated", table.generated_at.isoformat(timespec="seconds")),
    ]
    return lines


def to_xlsx(table: StatsTable, licence: str) -> bytes:
    """Return the table as an XLSX workbook: a typed sheet of rows and an "About" sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Statistics"
    sheet.append(header(table))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for record in records(table):
        sheet.append(list(record.values()))
    info = workbook.create_sheet("About")
    for key, value in [*about(table), ("licence", licence)]:
        info.append([key, value])
    for cell in info["A"]:
        cell.font = Font(bold=True)
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 100
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export(session: Session, table: StatsTable, fmt: str, licence: str) -> bytes:
    """Return the table in fmt (csv, geojson or xlsx); raise StatisticsError when impossible."""
    if fmt == "csv":
        return to_csv(table)
    if fmt == "geojson":
        return to_geojson(session, table)
    if fmt == "xlsx":
        return to_xlsx(table, licence)
    raise StatisticsError(f"unknown format {fmt!r}")
