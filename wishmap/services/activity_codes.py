"""Official activity codes: a city's nomenclature (Paris BDCOM, 221 codes) mapped onto the taxonomy.

Each code maps onto a shop type by an explicit column of the file when it has one, else by
its label: the taxonomy's French, English and Dutch labels and aliases, and the phrases of
wishmap/activity_vocabulary.py. Codes that name no shop type are kept without one and listed
in the import report, so that reports and exports can show a type's official codes beside it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from wishmap.activity_vocabulary import SYNONYMS
from wishmap.models import ActivityCode
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
    read_records,
)
from wishmap.services.shop_types import ids_by_code
from wishmap.taxonomy import ALIASES, code_for, normalise

CODE_FIELDS = ("codact", "code", "activity_code", "code_activite", "naf", "ape")
LABEL_FIELDS = ("libact", "label", "libelle", "name", "nom", "omschrijving")
TYPE_FIELDS = ("shop_type", "wishmap_type", "type", "taxonomy")
NOT_A_CODE = frozenset({"na", "n a", "none", "null"})
DEFAULT_SCHEME = "city"


@cache
def _phrases() -> tuple[tuple[str, str | None], ...]:
    phrases: dict[str, str | None] = dict(ALIASES)
    phrases.update({normalise(phrase): code for phrase, code in SYNONYMS.items()})
    return tuple(phrases.items())


def type_for_label(label: str) -> str | None:
    """Return the shop-type code an activity's label names, or None.

    The phrase that starts first in the label wins, the longest on a tie: a label's first
    words name its main activity ("Boulangerie - Boulangerie Pâtisserie" is a bakery).
    """
    text = f" {normalise(label)} "
    best: tuple[tuple[int, int], str | None] | None = None
    for phrase, code in _phrases():
        at = text.find(f" {phrase} ")
        if at >= 0:
            key = (at, -len(phrase))
            if best is None or key < best[0]:
                best = (key, code)
    return best[1] if best else None


def read_nomenclature(path: str | Path) -> list[Record]:
    """Return the records of a nomenclature file (CSV or GeoJSON), like importing.read_records.

    CSV is read with standard quoting whatever the sniffer guesses: Paris writes a quote inside
    a label as two quotes (Réparation ""minute""), which a sniffed dialect without
    doublequote splits into columns.
    """
    path = Path(path)
    if path.suffix.lower() not in {".csv", ".txt"}:
        return read_records(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        reason = f"cannot read {path}: {exc.strerror}"
        raise ImportFailed([RowError("file", reason)], str(path)) from None
    except UnicodeDecodeError:
        raise ImportFailed([RowError("file", "not a UTF-8 text file")], str(path)) from None
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    records = []
    try:
        for row in reader:
            props = {
                (key or "").strip().lower(): (value.strip() if isinstance(value, str) else value)
                for key, value in row.items()
            }
            records.append(Record(f"line {reader.line_num}", props))
    except csv.Error as exc:
        raise ImportFailed([RowError(f"line {reader.line_num}", str(exc))], str(path)) from None
    return records


@dataclass
class NomenclatureReport(ImportReport):
    """An import report that also counts the codes mapped onto a shop type."""

    mapped: int = 0
    unmapped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        codes = self.mapped + len(self.unmapped)
        text = f"{super().summary()}; {self.mapped} of {codes} codes mapped onto shop types"
        if self.unmapped:
            text += f"; {len(self.unmapped)} unmapped: " + "; ".join(self.unmapped)
        return text


def _code_row(
    record: Record, code_field: str, label_field: str, type_field: str | None, types: dict
) -> RowOutcome:
    code = first(record.props, code_field)
    label = first(record.props, label_field)
    if code is None:
        return f"has no code ({code_field} is empty)"
    if normalise(str(code)) in NOT_A_CODE:
        return Skip("not a code (NA)")
    if not label:
        return f"code {code!r} has no label ({label_field} is empty)"
    explicit = first(record.props, type_field) if type_field else None
    if explicit:
        type_code = str(explicit).strip() if str(explicit).strip() in types else code_for(explicit)
        if type_code is None:
            return f"shop type {explicit!r} is not in the taxonomy (wishmap/taxonomy.py)"
    else:
        type_code = type_for_label(str(label))
    return {
        "code": str(code).strip()[:40],
        "label": str(label).strip()[:300],
        "shop_type_id": types[type_code] if type_code else None,
    }


def _column(records: list[Record], given: str | None, guesses: tuple[str, ...]) -> str | None:
    columns = {key.lower() for record in records[:50] for key in record.props}
    if given:
        return given.lower() if given.lower() in columns else None
    return next((name for name in guesses if name in columns), None)


def import_nomenclature(
    session: Session,
    records: list[Record],
    code_field: str | None = None,
    label_field: str | None = None,
    type_field: str | None = None,
    scheme: str = DEFAULT_SCHEME,
    progress: ProgressFn | None = None,
    source: str = "",
) -> NomenclatureReport:
    """Create or update a nomenclature's codes with their shop types; all or nothing. Commits."""
    scheme = scheme.strip().lower()
    if not scheme or len(scheme) > 40:
        raise ImportFailed([RowError("--scheme", "give a name of 1 to 40 characters")], source)
    if not records:
        raise ImportFailed([RowError("file", "the file holds no codes")], source)
    codes_column = _column(records, code_field, CODE_FIELDS)
    labels_column = _column(records, label_field, LABEL_FIELDS)
    types_column = _column(records, type_field, TYPE_FIELDS)
    missing = []
    if codes_column is None:
        wanted = code_field or "/".join(CODE_FIELDS)
        missing.append(RowError("header", f"no code column ({wanted})"))
    if labels_column is None:
        wanted = label_field or "/".join(LABEL_FIELDS)
        missing.append(RowError("header", f"no label column ({wanted})"))
    if type_field and types_column is None:
        missing.append(RowError("header", f"no column {type_field}"))
    if missing:
        raise ImportFailed(missing, source)
    assert codes_column is not None and labels_column is not None
    types = ids_by_code(session)
    report = NomenclatureReport()
    rows = check_rows(
        records,
        lambda record: _code_row(record, codes_column, labels_column, types_column, types),
        report,
        progress,
        source,
    )
    seen: dict[str, str] = {}
    duplicates = []
    for row in rows:
        if row["code"] in seen:
            duplicates.append(RowError(f"code {row['code']}", "appears twice in the file"))
        seen[row["code"]] = row["label"]
    if duplicates:
        raise ImportFailed(duplicates, source)
    existing = {
        row.code: row
        for row in session.scalars(select(ActivityCode).where(ActivityCode.scheme == scheme))
    }
    for fields in rows:
        row = existing.get(fields["code"])
        if row is None:
            session.add(ActivityCode(scheme=scheme, **fields))
            report.created += 1
        elif (row.label, row.shop_type_id) != (fields["label"], fields["shop_type_id"]):
            row.label, row.shop_type_id = fields["label"], fields["shop_type_id"]
            report.updated += 1
        else:
            report.unchanged += 1
        if fields["shop_type_id"] is None:
            report.unmapped.append(f"{fields['code']} {fields['label']}")
        else:
            report.mapped += 1
    session.commit()
    return report


def activity_codes(session: Session) -> dict[int, list[tuple[str, str]]]:
    """Return {shop type id: [(official code, its label)]}, codes in order, for mapped codes."""
    result: dict[int, list[tuple[str, str]]] = {}
    rows = session.execute(
        select(ActivityCode.shop_type_id, ActivityCode.code, ActivityCode.label)
        .where(ActivityCode.shop_type_id.is_not(None))
        .order_by(ActivityCode.scheme, ActivityCode.code)
    )
    for type_id, code, label in rows:
        result.setdefault(type_id, []).append((code, label))
    return result
