"""Renaming a file's columns and values before import, so a city's export imports unedited.

`--map-column etat=status` reads the column "etat" as "status"; `--map-value status:Te
huur=vacant` reads that value of that column as "vacant" (values compare without case or
accents). The same in a small JSON file for `--mapping`:

    {"columns": {"etat": "status"}, "values": {"status": {"Te huur": "vacant"}}}
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from wishmap.services.importing import ImportFailed, Record, RowError
from wishmap.services.imports.addresses import fold


@dataclass
class Mapping:
    """Columns to rename (source → destination) and values to replace per destination column."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.columns or self.values)


def _mapping_file(path: Path) -> Mapping:
    where = str(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ImportFailed(
            [RowError("--mapping", f"cannot read it: {exc.strerror}")], where
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFailed([RowError("--mapping", f"not valid JSON: {exc}")], where) from None
    problem = 'expected {"columns": {"SRC": "DEST"}, "values": {"COLUMN": {"SRC": "DEST"}}}'
    if not isinstance(document, dict) or set(document) - {"columns", "values"}:
        raise ImportFailed([RowError("--mapping", problem)], where)
    columns = document.get("columns", {})
    values = document.get("values", {})
    if not isinstance(columns, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in columns.items()
    ):
        raise ImportFailed([RowError("--mapping", problem)], where)
    if not isinstance(values, dict) or not all(
        isinstance(pairs, dict) and all(isinstance(value, str) for value in pairs.values())
        for pairs in values.values()
    ):
        raise ImportFailed([RowError("--mapping", problem)], where)
    return Mapping(
        {key.strip().lower(): value.strip() for key, value in columns.items()},
        {
            column.strip().lower(): {fold(src): dest.strip() for src, dest in pairs.items()}
            for column, pairs in values.items()
        },
    )


def parse_mapping(
    map_columns: Iterable[str] = (),
    map_values: Iterable[str] = (),
    path: Path | None = None,
    source: str = "",
) -> Mapping:
    """Return the mapping given by --mapping FILE and --map-column/--map-value options.

    Options given on the command line win over the file. Raises ImportFailed on a malformed one.
    """
    mapping = _mapping_file(path) if path else Mapping()
    for option in map_columns:
        old, sign, new = option.partition("=")
        if not sign or not old.strip() or not new.strip():
            raise ImportFailed(
                [RowError("--map-column", f"expected SOURCE=DESTINATION, got {option!r}")],
                source,
            )
        mapping.columns[old.strip().lower()] = new.strip()
    for option in map_values:
        column, colon, pair = option.partition(":")
        old, sign, new = pair.rpartition("=")
        if not colon or not sign or not column.strip() or not new.strip():
            raise ImportFailed(
                [RowError("--map-value", f"expected COLUMN:VALUE=NEW, got {option!r}")],
                source,
            )
        mapping.values.setdefault(column.strip().lower(), {})[fold(old)] = new.strip()
    return mapping


def apply_mapping(records: list[Record], mapping: Mapping, source: str = "") -> list[Record]:
    """Return the records with the mapping's columns renamed and values replaced.

    A column to rename that no record has is an error: a typo must not import the file as if
    the option had not been given.
    """
    if not mapping:
        return records
    present = {str(key).lower() for record in records for key in record.props}
    missing = [column for column in mapping.columns if column not in present]
    if missing:
        shown = ", ".join(sorted(present)[:20])
        raise ImportFailed(
            [
                RowError("--map-column", f"the file has no column {column!r} (it has: {shown})")
                for column in missing
            ],
            source,
        )
    return [replace(record, props=_mapped(record.props, mapping)) for record in records]


def _mapped(props: dict[str, Any], mapping: Mapping) -> dict[str, Any]:
    renamed: dict[str, Any] = {}
    moved: dict[str, Any] = {}
    for key, value in props.items():
        destination = mapping.columns.get(str(key).lower())
        if destination is None:
            renamed[key] = value
        else:
            moved[destination] = value
    # A renamed column replaces one of the same name already in the file: the person asked
    # for it by name, so it is the one they mean.
    for destination in moved:
        for key in [key for key in renamed if str(key).lower() == destination.lower()]:
            del renamed[key]
    renamed.update(moved)
    for key, value in renamed.items():
        replacements = mapping.values.get(str(key).lower())
        if replacements and value is not None:
            renamed[key] = replacements.get(fold(str(value)), value)
    return renamed
