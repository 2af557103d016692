"""Reading import files (CSV, GeoJSON) into numbered records, and collecting bad rows.

Every importer reads the whole file, checks every row, and only then writes: an import lands
whole or not at all, and its error names each bad row with its line or feature number.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geojson
from sqlalchemy import select
from sqlalchemy.orm import Session

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class Record:
    """One row of an import file: where it stands, its properties, its geometry if any."""

    where: str  # "line 12" in a CSV, "feature 7" in GeoJSON: what a person looks up
    props: dict[str, Any]
    geometry: dict[str, Any] | None = None
    problem: str | None = None  # why the file format itself rejects this row


@dataclass(frozen=True)
class Skip:
    """A row an importer leaves out on purpose, counted under reason in the report."""

    reason: str


@dataclass
class RowError:
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


SHOWN_PER_REASON = 5  # a report names the first few rows of each reason, then counts the rest


def reason_kind(reason: str) -> str:
    """Return reason with its quoted values and numbers replaced by "…", so alike problems group.

    "surface 'cinquante' is not a number" and "surface 'abc' is not a number" are one reason.
    """
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "…", reason)
    return re.sub(r"(?<![\w.])-?\d+(?:[.,]\d+)?(?![\w])", "…", text)


def _grouped(items: list[tuple[str, str]], indent: str = "  ") -> list[str]:
    """Return report lines for (where, reason) pairs: per reason its count and first rows."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for where, reason in items:
        groups.setdefault(reason_kind(reason), []).append((where, reason))
    lines = []
    # Most frequent reason first: the one to fix before the others.
    for kind, members in sorted(groups.items(), key=lambda group: -len(group[1])):
        if len(members) == 1:
            lines.append(f"{indent}{members[0][0]}: {members[0][1]}")
            continue
        lines.append(f"{indent}{len(members)} × {kind}")
        lines += [f"{indent}  {where}: {reason}" for where, reason in members[:SHOWN_PER_REASON]]
        if len(members) > SHOWN_PER_REASON:
            lines.append(f"{indent}  … and {len(members) - SHOWN_PER_REASON} more")
    return lines


class ImportFailed(Exception):
    """Raised when a file cannot be imported; nothing was written.

    The message counts the problems per reason and names the first rows of each, so a file
    with 4,000 bad rows of two kinds reads as two reasons, not as 4,000 lines.
    """

    def __init__(self, errors: list[RowError], source: str = "") -> None:
        self.errors = errors
        self.source = source
        self.by_reason: dict[str, int] = {}
        for error in errors:
            kind = reason_kind(error.reason)
            self.by_reason[kind] = self.by_reason.get(kind, 0) + 1
        shown = "\n".join(_grouped([(error.where, error.reason) for error in errors]))
        noun = "problem" if len(errors) == 1 else "problems"
        super().__init__(f"{source or 'import'}: {len(errors)} {noun}, nothing imported:\n{shown}")


@dataclass
class ImportReport:
    """What an import did: rows created, updated, skipped (with why), noted, and warnings.

    skipped counts rows left out on purpose per reason; notes counts rows imported with a
    remark (e.g. no street near enough); warnings concern the whole import.
    """

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, reason: str, where: str | None = None) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1
        self._example(reason, where)

    def note(self, reason: str, where: str | None = None) -> None:
        self.notes[reason] = self.notes.get(reason, 0) + 1
        self._example(reason, where)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def _example(self, reason: str, where: str | None) -> None:
        shown = self.examples.setdefault(reason, [])
        if where and len(shown) < SHOWN_PER_REASON:
            shown.append(where)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        for reason, count in sorted(self.skipped.items()):
            text += f"; {count} skipped ({reason})"
        for reason, count in sorted(self.notes.items()):
            text += f"; {count} {reason}"
        return text

    def details(self) -> list[str]:
        """Return lines naming the first rows of each skip and note reason."""
        lines = []
        for label, counts in (("skipped", self.skipped), ("", self.notes)):
            for reason, count in sorted(counts.items()):
                rows = self.examples.get(reason, [])
                if not rows:
                    continue
                more = f", … and {count - len(rows)} more" if count > len(rows) else ""
                lines.append(f"  {label + ' ' if label else ''}{reason}: {', '.join(rows)}{more}")
        return lines


def read_records(
    path: str | Path, fmt: str | None = None, encoding: str | None = None
) -> list[Record]:
    """Return the records of a CSV or GeoJSON file (format from fmt or the file's extension).

    The file must be UTF-8 (with or without a byte-order mark, or UTF-16 with one) unless
    encoding names another; an empty file, or one without a single row, is refused.
    """
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(
            [RowError("file", f"cannot read {path}: {exc.strerror}")], str(path)
        ) from None
    text = decode(raw, str(path), encoding)
    if not text.strip():
        raise ImportFailed([RowError("file", "the file is empty")], str(path))
    if fmt in {"geojson", "json"}:
        records = geojson_records(text, str(path))
        if not records:
            raise ImportFailed(
                [RowError("file", "the FeatureCollection has no features")], str(path)
            )
        return records
    if fmt in {"csv", "txt"}:
        records = csv_records(text)
        if not records:
            raise ImportFailed(
                [RowError("file", "the file has a header line but no rows")], str(path)
            )
        return records
    raise ImportFailed(
        [RowError("file", f"unknown format {fmt!r}; use .csv or .geojson")], str(path)
    )


def decode(raw: bytes, source: str = "", encoding: str | None = None) -> str:
    """Return the text of a file's bytes, or raise ImportFailed naming the encoding problem.

    Guessing is refused: Windows-1252 decodes nearly any bytes, so a file in another encoding
    would import with wrong letters in every street name and nobody would be told. The error
    shows the line as Windows-1252 would read it, so the person can check and pass --encoding.
    """
    if encoding:
        try:
            return raw.decode(encoding)
        except LookupError:
            raise ImportFailed(
                [RowError("--encoding", f"unknown encoding {encoding!r}")], source
            ) from None
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise ImportFailed(
                [RowError(f"line {line}", f"byte 0x{raw[exc.start]:02x} is not {encoding}")],
                source,
            ) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Spreadsheets' "Unicode text": UTF-16 with a byte-order mark is unambiguous.
        return raw.decode("utf-16")
    try:
        # utf-8-sig: spreadsheet exports often start with a byte-order mark.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        start = raw.rfind(b"\n", 0, exc.start) + 1
        end = raw.find(b"\n", exc.start)
        sample = raw[start : end if end >= 0 else None][:80].decode("cp1252", errors="replace")
        reason = (
            f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x}); read as Windows-1252 "
            f"(Latin-1) this line says {sample.strip()!r}. If that reads right, run again "
            "with --encoding cp1252; otherwise save the file as UTF-8"
        )
        raise ImportFailed([RowError(f"line {line}", reason)], source) from None


def csv_records(text: str) -> list[Record]:
    """Return one record per CSV data row, numbered by its line in the file."""
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    records = []
    for row in reader:
        props = {
            (key or "").strip().lower(): (value.strip() if isinstance(value, str) else value)
            for key, value in row.items()
        }
        records.append(Record(f"line {reader.line_num}", props))
    return records


# A FeatureCollection of MultiPolygons is 8 levels deep (collection, features, feature,
# geometry, coordinates, polygon, ring, position); properties may hold a few levels more.
MAX_NESTING = 32


def _nested_deeper(document: Any, limit: int) -> bool:
    """Return True when lists or objects in document nest deeper than limit (no recursion)."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        items = list(value.values()) if isinstance(value, dict) else value
        if isinstance(value, list) and len(value) > 64 and isinstance(value[0], list):
            # Coordinates: long lists of alike positions, whose ends tell the depth.
            items = [value[0], value[-1]]
        if isinstance(items, list):
            stack.extend((item, depth + 1) for item in items if isinstance(item, dict | list))
    return False


def geojson_records(text: str, source: str = "") -> list[Record]:
    """Return one record per feature of a GeoJSON FeatureCollection, validated against RFC 7946."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            [RowError(f"line {exc.lineno}", f"not valid JSON: {exc.msg}")], source
        ) from None
    except RecursionError:
        # Arrays or objects nested thousands deep: no GeoJSON is, and the parser gives up.
        raise ImportFailed(
            [RowError("file", f"nested deeper than {MAX_NESTING} levels: not GeoJSON")], source
        ) from None
    if _nested_deeper(document, MAX_NESTING):
        raise ImportFailed(
            [RowError("file", f"nested deeper than {MAX_NESTING} levels: not GeoJSON")], source
        )
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ImportFailed([RowError("file", "expected a GeoJSON FeatureCollection")], source)
    features = document.get("features")
    if not isinstance(features, list):
        raise ImportFailed([RowError("file", "FeatureCollection has no features list")], source)
    records = []
    for number, feature in enumerate(features, start=1):
        where = f"feature {number}"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            records.append(Record(where, {}, None, "not a GeoJSON Feature"))
            continue
        geometry = feature.get("geometry")
        problem = geometry_problem(geometry) if geometry is not None else None
        props = dict(feature.get("properties") or {})
        if "id" in feature and "id" not in props:
            props["id"] = feature["id"]
        records.append(Record(where, props, None if problem else geometry, problem))
    return records


def geometry_problem(geometry: Any) -> str | None:
    """Return why a GeoJSON geometry is invalid, or None if it is valid."""
    if not isinstance(geometry, dict) or "type" not in geometry:
        return "geometry is not a GeoJSON object"
    try:
        instance = geojson.GeoJSON.to_instance(geometry, strict=True)
        errors = instance.errors()
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        return f"invalid {geometry.get('type')} geometry: {exc}"
    except RecursionError:
        return f"invalid {geometry.get('type')} geometry: coordinates nested too deep"
    if errors:
        return f"invalid {geometry.get('type')} geometry: {errors}"
    return None


def first(props: dict[str, Any], *names: str) -> Any:
    """Return the first non-empty value among the given property names (case-insensitive)."""
    lowered = {str(key).lower(): value for key, value in props.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value not in (None, ""):
            return value
    return None


def with_progress(items: list[Any], progress: ProgressFn | None, every: int = 500) -> Iterator[Any]:
    """Yield items, reporting (done, total) to progress every `every` items and at the end."""
    total = len(items)
    for index, item in enumerate(items, start=1):
        yield item
        if progress and (index % every == 0 or index == total):
            progress(index, total)


RowOutcome = dict[str, Any] | Skip | str


def check_rows(
    records: list[Record],
    row: Callable[[Record], RowOutcome],
    report: ImportReport,
    progress: ProgressFn | None = None,
    source: str = "",
) -> list[dict[str, Any]]:
    """Return the fields of every record, or raise ImportFailed naming every bad one.

    row(record) returns the fields to write, a Skip, or the reason the record is bad. External
    ids (`ref`) must not repeat within a file, or a re-import could not tell rows apart.
    """
    rows: list[dict[str, Any]] = []
    errors: list[RowError] = []
    seen: dict[str, str] = {}
    for record in with_progress(records, progress):
        outcome = record.problem or row(record)
        if isinstance(outcome, Skip):
            report.skip(outcome.reason, record.where)
        elif isinstance(outcome, str):
            errors.append(RowError(record.where, outcome))
        elif "ref" in outcome and outcome["ref"] in seen:
            ref = outcome["ref"]
            errors.append(RowError(record.where, f"id {ref!r} already used at {seen[ref]}"))
        else:
            if "ref" in outcome:
                seen[outcome["ref"]] = record.where
            rows.append(outcome)
    if errors:
        raise ImportFailed(errors, source)
    return rows


def upsert_by_ref(
    session: Session,
    model: type[Any],
    rows: Iterable[dict[str, Any]],
    report: ImportReport,
    scope: Any = None,
) -> None:
    """Create or update model rows keyed by their `ref`, counting what changed in report.

    scope: a condition on model when refs are unique only within it (districts per level).
    """
    query = select(model) if scope is None else select(model).where(scope)
    existing = {row.ref: row for row in session.scalars(query)}
    for fields in rows:
        row = existing.get(fields["ref"])
        if row is None:
            row = model(**fields)
            session.add(row)
            existing[fields["ref"]] = row
            report.created += 1
        elif any(getattr(row, key) != value for key, value in fields.items()):
            for key, value in fields.items():
                setattr(row, key, value)
            report.updated += 1
        else:
            report.unchanged += 1
