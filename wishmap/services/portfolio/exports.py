"""Portfolio and type-ranking downloads: CSV and XLSX holding the page's rows, every page of them.

Codes stay stable column names (for spreadsheets and scripts); statuses and shop types are
written in the reader's language, as the page shows them.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask_babel import lazy_gettext as _l

from wishmap.services.portfolio import TOP_TYPES, PortfolioPage

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
STATUS_LABELS = {"vacant": _l("Vacant"), "let": _l("Let"), "opened": _l("Opened")}


def status_label(status: str) -> str:
    """Return a premise status in the reader's language."""
    return str(STATUS_LABELS.get(status, status))


def _premise_columns(row: Any, locale: str) -> dict[str, Any]:
    premise = row.premise
    return {
        "ref": premise.ref,
        "address": premise.address,
        "street": premise.street_name,
        "status": status_label(premise.status),
        "surface_m2": premise.surface_m2,
        "rent_eur_month": premise.rent_eur_month,
        "days_vacant": row.days_vacant,
        "candidates": row.candidates,
        "last_letting": row.last_letting.isoformat() if row.last_letting else None,
    }


def _official(official: dict[int, list[tuple[str, str]]] | None, type_id: int) -> str | None:
    # The city's own activity codes for a shop type (services/activity_codes.py), if imported.
    codes = (official or {}).get(type_id)
    return ", ".join(code for code, _label in codes) if codes else None


def portfolio_records(
    page: PortfolioPage, locale: str, official: dict[int, list[tuple[str, str]]] | None = None
) -> list[dict[str, Any]]:
    """Return one dict per portfolio row: the premise, its score and its best types.

    official: {shop type id: [(code, label)]} of the city's nomenclature, for a column each.
    """
    records = []
    for row in page.rows:
        record = _premise_columns(row, locale)
        record["score"] = None if row.score is None else round(row.score)
        for number in range(TOP_TYPES):
            best = row.best[number] if number < len(row.best) else None
            record[f"type_{number + 1}"] = best.shop_type.label(locale) if best else None
            record[f"type_{number + 1}_code"] = best.shop_type.code if best else None
            record[f"type_{number + 1}_official"] = (
                _official(official, best.shop_type.id) if best else None
            )
            record[f"type_{number + 1}_score"] = round(best.gap) if best else None
        record["not_allowed"] = "; ".join(
            f"{item.shop_type.label(locale)} ({item.forbidden})" for item in row.not_allowed
        )
        records.append(record)
    return records


def ranking_records(
    page: PortfolioPage, locale: str, official: dict[int, list[tuple[str, str]]] | None = None
) -> list[dict[str, Any]]:
    """Return one dict per premise of a "where should a … go?" ranking, best first."""
    records = []
    for rank, row in enumerate(page.rows, start=1):
        focus = row.focus
        records.append(
            {
                "rank": rank,
                "shop_type": page.shop_type.label(locale) if page.shop_type else None,
                "shop_type_code": page.shop_type.code if page.shop_type else None,
                "shop_type_official": (
                    _official(official, page.shop_type.id) if page.shop_type else None
                ),
                "score": round(focus.gap) if focus else None,
                "residents": focus.residents if focus else None,
                "competitors": focus.competitors if focus else None,
                "nearest_competitor_m": (
                    round(focus.nearest_competitor_m)
                    if focus and focus.nearest_competitor_m is not None
                    else None
                ),
                **_premise_columns(row, locale),
            }
        )
    return records


def to_csv(records: list[dict[str, Any]]) -> bytes:
    """Return the records as UTF-8 CSV (with a byte-order mark, so spreadsheets read accents)."""
    out = io.StringIO()
    if records:
        writer = csv.DictWriter(out, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(records: list[dict[str, Any]], title: str, about: list[tuple[str, str]]) -> bytes:
    """Return the records as an XLSX workbook: a typed sheet of rows and an "About" sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    if records:
        sheet.append(list(records[0]))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for record in records:
            sheet.append(list(record.values()))
    info = workbook.create_sheet("About")
    for key, value in about:
        info.append([key, value])
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 80
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def about(page: PortfolioPage) -> list[tuple[str, str]]:
    """Return what a download holds: its filters, the analysis it reads and the row count."""
    query = page.query
    run = page.run
    return [
        ("street", query.street or "(all)"),
        ("district id", str(query.district_id) if query.district_id else "(all)"),
        ("status", query.status or "(all)"),
        ("shop type", query.type_code or "(all)"),
        ("minimum score", "(none)" if query.min_score is None else f"{query.min_score:g}"),
        ("sorted by", query.sort),
        ("rows", str(len(page.rows))),
        (
            "analysis",
            run.started_at.isoformat(timespec="minutes") if run else "(no analysis yet)",
        ),
        ("score", "0-100: unmet demand within walking distance against the shops already there"),
    ]


def filename(kind: str, page: PortfolioPage, fmt: str) -> str:
    """Return the download's file name, e.g. wishmap-portfolio-20261201.csv."""
    suffix = f"-{page.shop_type.code}" if kind == "where" and page.shop_type else ""
    stamp = page.run.started_at.strftime("%Y%m%d") if page.run else "no-analysis"
    return f"wishmap-{kind}{suffix}-{stamp}.{fmt}"
