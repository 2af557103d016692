"""Exports of a statistics table: CSV, GeoJSON and XLSX, each holding exactly the table's rows.

A suppressed row keeps its labels but not its counts (empty, with suppressed = true). CSV and
XLSX are for people: headers, yes/no and the "About" sheet in the reader's language, and for
French and Dutch readers a CSV that their Excel opens in columns (";" between fields, decimal
comma, UTF-8 with a byte-order mark). GeoJSON is for machines (QGIS): stable property names,
counts as numbers.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import geojson
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
# What people read at the top of a CSV or XLSX column, in their language.
HEADERS = {
    "street_ref": _l("Street code"),
    "street": _l("Street"),
    "district_ref": _l("District code"),
    "district": _l("District"),
    "shop_type": _l("Shop type code"),
    "shop_type_label": _l("Shop type"),
    "group": _l("Group code"),
    "group_label": _l("Shop-type group"),
    "month": _l("Month"),
    "wishes": _l("Wishes"),
    "residents": _l("Residents"),
    "suppressed": _l("Suppressed"),
}
# Languages whose spreadsheets expect ";" between fields and a decimal comma.
SEMICOLON_LANGUAGES = {"fr", "nl", "de", "es", "it"}
SEPARATORS = {"comma": ",", "semicolon": ";"}
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


def separator_for(locale: str, choice: str | None = None) -> str:
    """Return the CSV field separator: the chosen one, else the reader's language's habit."""
    if choice:
        if choice not in SEPARATORS:
            raise StatisticsError(_("sep must be comma or semicolon."))
        return SEPARATORS[choice]
    return ";" if locale.split("_")[0] in SEMICOLON_LANGUAGES else ","


def _cell(value: Any, decimal: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return f"{value}".replace(".", decimal)
    return str(value)


def to_csv(table: StatsTable, locale: str = "en", separator: str = ",") -> bytes:
    """Return the table as UTF-8 CSV with a byte-order mark, headers in the reader's language."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator)
    writer.writerow([str(HEADERS[name]) for name in header(table)])
    # A decimal comma goes with ";" (French, Dutch Excel); with "," it would split the number.
    decimal = "," if separator == ";" else "."
    for record in records(table):
        writer.writerow([_cell(value, decimal) for value in record.values()])
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
    collection["perturbation"] = {"method": "cell key", "max_noise": table.max_noise}
    return geojson.dumps(collection, ensure_ascii=False).encode("utf-8")


def about(table: StatsTable) -> list[tuple[str, str]]:
    """Return what the export holds, in the reader's language: filters, protection, time."""
    query = table.query
    every = _("(all)")
    return [
        (_("grouped by"), ", ".join(str(HEADERS[COLUMNS[d][-1]]) for d in query.by)),
        (_("district level"), table.level or ""),
        (_("from"), query.since.isoformat() if query.since else _("(first wish)")),
        (_("to"), query.until.isoformat() if query.until else _("(today)")),
        (_("shop type"), query.type_code or every),
        (_("shop-type group"), query.group or every),
        (_("district id"), str(query.district_id) if query.district_id else every),
        (_("street id"), str(query.street_id) if query.street_id else every),
        (_("counted"), _("active wishes only; residents = distinct residents")),
        (
            _("suppression"),
            _(
                "rows with fewer than %(n)s distinct residents are suppressed: their counts "
                "are left empty, so that nobody can be singled out",
                n=table.min_residents,
            ),
        ),
        (
            _("perturbation"),
            _(
                "every count shown is the true count plus a fixed noise of at most "
                "%(noise)s, the same for the same residents, so that suppressed rows cannot "
                "be recovered by subtraction",
                noise=table.max_noise,
            ),
        ),
        (_("generated"), table.generated_at.isoformat(timespec="seconds")),
    ]


def to_xlsx(table: StatsTable, licence: str) -> bytes:
    """Return the table as an XLSX workbook: a typed sheet of rows and an "About" sheet."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    # Write-only: rows stream to the file instead of a cell object each (street × month is
    # thousands of rows; 40 % less time).
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Statistics")[:31])
    info = workbook.create_sheet(_("About")[:31])
    bold = Font(bold=True)

    def strong(sheet: Any, value: Any) -> Any:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = bold
        return cell

    sheet.freeze_panes = "A2"
    sheet.append([strong(sheet, str(HEADERS[name])) for name in header(table)])
    for record in records(table):
        sheet.append(list(record.values()))
    info.column_dimensions["A"].width = 22
    info.column_dimensions["B"].width = 100
    for key, value in [*about(table), (_("licence"), licence)]:
        info.append([strong(info, key), value])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export(
    session: Session,
    table: StatsTable,
    fmt: str,
    licence: str,
    locale: str = "en",
    separator: str | None = None,
) -> bytes:
    """Return the table in fmt (csv, geojson or xlsx); raise StatisticsError when impossible."""
    if fmt == "csv":
        return to_csv(table, locale, separator_for(locale, separator))
    if fmt == "geojson":
        return to_geojson(session, table)
    if fmt == "xlsx":
        return to_xlsx(table, licence)
    raise StatisticsError(f"unknown format {fmt!r}")
