"""Flask command import-osm: a city's streets, shops and vacant premises from OpenStreetMap."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from wishmap import db
from wishmap.import_options import area_options, read_area
from wishmap.services.importing import ImportFailed, ProgressFn


def _progress(label: str) -> ProgressFn:
    """Return a progress callback printing 'osm label: done/total' on one line of stderr."""
    started = time.monotonic()

    def report(done: int, total: int) -> None:
        rate = done / max(time.monotonic() - started, 1e-6)
        click.echo(f"\r  {label}: {done}/{total} rows checked ({rate:,.0f}/s)", err=True, nl=False)
        if done == total:
            click.echo("", err=True)

    return report


@click.command("import-osm")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@area_options(
    "rows",
    "GeoJSON of areas: streets touching them (kept whole), shops and premises inside them.",
)
@click.option("--streets/--no-streets", default=True, show_default=True, help="Named streets.")
@click.option("--shops/--no-shops", default=True, show_default=True, help="Existing shops.")
@click.option(
    "--premises/--no-premises",
    default=True,
    show_default=True,
    help="Vacant premises (shop=vacant, disused:shop=*, was:shop=*, vacant=yes…).",
)
@click.option(
    "--merge-by-name/--no-merge",
    default=True,
    show_default=True,
    help="Join the ways of one name that touch into one street (its id: the smallest way id).",
)
def import_osm_command(
    path: Path,
    within_path: Path | None,
    where: str | None,
    streets: bool,
    shops: bool,
    premises: bool,
    merge_by_name: bool,
) -> None:
    """Import streets, shops and vacant premises from an OpenStreetMap extract (.osm.pbf).

    One transaction: the file lands whole or not at all. Re-importing updates rows by their
    OSM ids. Unnamed ways are counted and left out; shop tags map onto the shop types through
    wishmap/osm_tags.py, and the summary says how many map, are skipped on purpose, or not.
    """
    from wishmap.services.imports.osm_import import import_osm

    try:
        # The area is read first: a bad option changes nothing, not even the schema.
        within = read_area(within_path, where)
        db.upgrade(db.engine())
        report = import_osm(
            db.session(),
            path,
            within=within,
            streets=streets,
            shops=shops,
            premises=premises,
            merge=merge_by_name,
            say=lambda message: click.echo(message, err=True),
            progress=_progress,
        )
    except ImportFailed as failure:
        click.echo(str(failure), err=True)
        sys.exit(1)
    for line in report.summary():
        click.echo(line)


OSM_COMMANDS = [import_osm_command]
