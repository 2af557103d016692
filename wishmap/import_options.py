"""Options every import command shares, and reading a file with them applied.

--encoding, --map-column, --map-value and --mapping shape how a city's export is read, so it
imports unedited; --within/--where keep the rows inside an area; --max-street-distance sets
how far a premise or shop may be from its street.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from shapely.geometry.base import BaseGeometry

from wishmap.services.importing import ImportFailed, Record, RowError, read_records
from wishmap.services.imports.mapping import apply_mapping, parse_mapping
from wishmap.services.imports.street_match import DEFAULT_MAX_STREET_DISTANCE_M

F = TypeVar("F", bound=Callable[..., Any])


def reading_options(command: F) -> F:
    """Add --encoding, --map-column, --map-value and --mapping to an import command."""
    for option in reversed(
        [
            click.option(
                "--encoding",
                metavar="NAME",
                help="Character encoding of the file, e.g. cp1252 or latin-1 (default: UTF-8; "
                "a file that is not UTF-8 is refused and the error says what it looks like).",
            ),
            click.option(
                "--map-column",
                "map_columns",
                multiple=True,
                metavar="SOURCE=DEST",
                help="Read column SOURCE as DEST, e.g. etat=status (repeatable).",
            ),
            click.option(
                "--map-value",
                "map_values",
                multiple=True,
                metavar="COLUMN:VALUE=NEW",
                help="Read VALUE in COLUMN as NEW, e.g. 'status:Te huur=vacant' (repeatable; "
                "case and accents ignored).",
            ),
            click.option(
                "--mapping",
                "mapping_path",
                type=click.Path(exists=True, dir_okay=False, path_type=Path),
                help='JSON file: {"columns": {"etat": "status"}, "values": {"status": '
                '{"Te huur": "vacant"}}}.',
            ),
        ]
    ):
        command = option(command)
    return command


def area_options(noun: str, within_help: str | None = None) -> Callable[[F], F]:
    """Add --within AREA and --where FIELD=VALUE (which picks the areas) to an import command.

    within_help replaces the default help of --within where an import keeps more than the
    rows inside (zones touching the areas, streets kept whole).
    """

    def decorate(command: F) -> F:
        command = click.option(
            "--where",
            "where",
            metavar="FIELD=VALUE",
            help="With --within: use only the areas whose FIELD equals VALUE (e.g. c_ar=19).",
        )(command)
        return click.option(
            "--within",
            "within_path",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help=within_help
            or f"GeoJSON of areas; only {noun} inside them are imported (the rest counted).",
        )(command)

    return decorate


def read_area(within_path: Path | None, where: str | None) -> BaseGeometry | None:
    """Return the union of the --within areas picked by --where, or None without --within.

    Raises ImportFailed for --where without --within, or for an unreadable area file.
    """
    from wishmap.services.streets import area_from_file

    if where and not within_path:
        raise ImportFailed([RowError("--where", "--where needs --within")], "options")
    return area_from_file(str(within_path), where) if within_path else None


def street_distance_option(command: F) -> F:
    """Add --max-street-distance to an import of points (premises, shops)."""
    return click.option(
        "--max-street-distance",
        "max_street_distance_m",
        type=click.FloatRange(min=0),
        default=DEFAULT_MAX_STREET_DISTANCE_M,
        show_default=True,
        metavar="METRES",
        help="A row farther than this from every street is imported without a street "
        "(and counted in the report).",
    )(command)


def load_import_file(
    path: Path,
    fmt: str | None = None,
    *,
    encoding: str | None = None,
    map_columns: tuple[str, ...] = (),
    map_values: tuple[str, ...] = (),
    mapping_path: Path | None = None,
    within_path: Path | None = None,
    where: str | None = None,
) -> tuple[list[Record], BaseGeometry | None]:
    """Return the file's records with the mapping applied, and the --within area if any.

    Raises ImportFailed for a bad option, file or area; nothing has been written yet.
    """
    mapping = parse_mapping(map_columns, map_values, mapping_path, str(path))
    area = read_area(within_path, where)
    records = read_records(path, fmt, encoding)
    return apply_mapping(records, mapping, str(path)), area
