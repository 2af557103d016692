"""Flask commands: init-db, demo, import-*, analyse, send-notifications and friends."""

from __future__ import annotations

import atexit
import ctypes
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app

from wishmap import db
from wishmap.account_commands import ACCOUNT_COMMANDS
from wishmap.import_options import (
    area_options,
    load_import_file,
    reading_options,
    street_distance_option,
)
from wishmap.osm_commands import OSM_COMMANDS
from wishmap.services.importing import ImportFailed, ImportReport, ProgressFn


def _progress(label: str) -> ProgressFn:
    """Return a progress callback printing 'label: done/total' on one line of stderr."""
    started = time.monotonic()

    def report(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        rate = done / max(time.monotonic() - started, 1e-6)
        click.echo(f"\r  {label}: {done}/{total} rows checked ({rate:,.0f}/s)", err=True, nl=False)
        if end:
            click.echo("", err=True)

    return report


def _run_import(
    label: str,
    path: Path,
    fmt: str | None,
    importer: Callable[..., ImportReport],
    reading: dict[str, Any] | None = None,
    filter_within: bool = False,
    **options: Any,
) -> None:
    """Upgrade the schema, read path, call importer(session, records, ...) and report.

    reading: the shared options (import_options.py). The --within area goes to the importer
    as `within`, or, with filter_within, leaves out the rows outside it before the importer.
    Exits 1, having changed nothing, when an option, the file or any of its rows is bad.
    """
    from wishmap.services.imports.points import records_within

    _ensure_schema()
    try:
        records, within = load_import_file(path, fmt, **(reading or {}))
        click.echo(f"{label}: {len(records)} rows in {path}", err=True)
        if within is not None and filter_within:
            records, outside = records_within(records, within)
            click.echo(f"{label}: {outside} rows outside the area left out", err=True)
        elif within is not None:
            options["within"] = within
        report = importer(
            db.session(), records, progress=_progress(label), source=str(path), **options
        )
    except ImportFailed as failure:
        click.echo(str(failure), err=True)
        sys.exit(1)
    click.echo(f"{label}: {report.summary()}")
    for line in report.details():
        click.echo(line, err=True)
    for warning in report.warnings:
        click.echo(f"{label}: warning: {warning}", err=True)


def _ensure_schema() -> None:
    """Upgrade the database to the current schema (a fresh database gets every table)."""
    db.upgrade(db.engine())


@click.command("init-db")
def init_db_command() -> None:
    """Create or upgrade the database schema through the migration history."""
    _ensure_schema()
    click.echo(f"database at {db.engine().url.render_as_string(hide_password=True)} is up to date")


@click.command("check-db")
def check_db_command() -> None:
    """Exit non-zero if the database schema differs from the models (migration drift)."""
    drift = db.schema_drift(db.engine())
    for difference in drift:
        click.echo(f"drift: {difference}", err=True)
    if drift:
        sys.exit(1)
    click.echo("no drift between models and migrations")


@click.command("demo")
@click.option(
    "--seed", default=42, show_default=True, help="Random seed; same seed, same district."
)
@click.option("--reset/--keep", default=False, help="Drop existing data first (--reset).")
def demo_command(seed: int, reset: bool) -> None:
    """Load the demo district: real streets and shops of Paris 19th, synthetic premises,
    residents and wishes."""
    from wishmap.services.demo import DEMO_PASSWORD, load_demo
    from wishmap.services.maintenance import database_is_empty, drop_all_data

    _ensure_schema()
    session = db.session()
    if reset:
        drop_all_data(session)
    elif not database_is_empty(session):
        click.echo("the database already holds data; use --reset to replace it with the demo")
        return
    started = time.monotonic()
    reports = load_demo(session, seed=seed, progress=lambda message: click.echo(message, err=True))
    for name, report in reports.items():
        click.echo(f"{name}: {report.summary()}")
    click.echo(
        f"demo district loaded in {time.monotonic() - started:.1f} s; log in as "
        f"resident@demo.wishmap.example (or owner@, agency@, officer@, admin@) "
        f"with password {DEMO_PASSWORD!r}"
    )


FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "geojson"]),
    help="File format (default: from the file's extension).",
)
FILE = click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))


@click.command("import-streets")
@FILE
@FORMAT
@click.option(
    "--within",
    "within_path",
    type=click.Path(exists=True, path_type=Path),
    help="GeoJSON of areas; only streets touching them are imported.",
)
@click.option(
    "--where",
    "where",
    metavar="FIELD=VALUE",
    help="With --within: use only the areas whose FIELD equals VALUE (e.g. c_ar=19).",
)
@click.option(
    "--merge-by-name/--no-merge",
    default=True,
    show_default=True,
    help="Join the pieces of one name that touch (within 25 m) into one street, whose id is "
    "the smallest piece id; pieces of one name far apart stay separate streets.",
)
@reading_options
def import_streets_command(
    path: Path,
    fmt: str | None,
    within_path: Path | None,
    where: str | None,
    merge_by_name: bool,
    **reading: Any,
) -> None:
    """Import or update streets (LineString/MultiLineString GeoJSON) by their id.

    Merging by name is on by default: networks (OpenStreetMap, most centre-line files) cut a
    street into pieces at every crossing, which would split its demand over many rows; a
    file with one feature per street is unchanged by it.
    """
    from wishmap.services.streets import area_from_file, import_streets

    try:
        within = area_from_file(within_path, where) if within_path else None
    except ImportFailed as failure:
        click.echo(str(failure), err=True)
        sys.exit(1)
    _run_import(
        "streets", path, fmt, import_streets, reading, within=within, merge_by_name=merge_by_name
    )


@click.command("import-premises")
@FILE
@FORMAT
@click.option(
    "--status",
    type=click.Choice(["vacant", "let", "opened"]),
    help="Status of every row that gives none; required when the file has no status column.",
)
@street_distance_option
@area_options("premises")
@reading_options
def import_premises_command(
    path: Path, fmt: str | None, status: str | None, max_street_distance_m: float, **reading: Any
) -> None:
    """Import or update premises (CSV, or GeoJSON points or building outlines) by their ref.

    Status words in English, French, Dutch, German… are understood (vide, leeg, occupé,
    verhuurd, leased…); --map-value or --mapping reads any other.
    """
    from wishmap.services.premises import import_premises

    _run_import(
        "premises",
        path,
        fmt,
        import_premises,
        reading,
        status=status,
        max_street_distance_m=max_street_distance_m,
    )


@click.command("import-shops")
@FILE
@FORMAT
@click.option("--skip-unknown", is_flag=True, help="Skip shops whose category maps to no type.")
@street_distance_option
@area_options("shops")
@reading_options
def import_shops_command(
    path: Path, fmt: str | None, skip_unknown: bool, max_street_distance_m: float, **reading: Any
) -> None:
    """Import or update existing shops (OSM-style tags or a category column) by their id.

    GeoJSON points or building outlines, or CSV with lat/lon (latitude/longitude) columns.
    """
    from wishmap.services.shops import import_shops

    _run_import(
        "shops",
        path,
        fmt,
        import_shops,
        reading,
        skip_unknown=skip_unknown,
        max_street_distance_m=max_street_distance_m,
    )


@click.command("import-wishes")
@FILE
@FORMAT
@click.option(
    "--campaign",
    metavar="NAME",
    help="Survey the respondent ids belong to (default: the file's name without extension); "
    "the same id in the same campaign is the same resident on every import.",
)
@area_options("wishes")
@reading_options
def import_wishes_command(
    path: Path, fmt: str | None, campaign: str | None, **reading: Any
) -> None:
    """Import wishes collected elsewhere: a resident's e-mail (an account) or a respondent id
    (a paper form number, an anonymised id: a resident without login, made once), a shop
    type, and a premise ref or a point."""
    from wishmap.services.wishes import import_wishes

    # Wishes on a premise (no point of their own) are kept: their premise was imported
    # --within the same area.
    _run_import("wishes", path, fmt, import_wishes, reading, filter_within=True, campaign=campaign)


@click.command("import-districts")
@FILE
@click.option(
    "--level",
    default="district",
    show_default=True,
    help="What the areas are, e.g. arrondissement, quartier, wijk; refs are unique per level.",
)
@click.option("--name-field", metavar="FIELD", help="Property holding the name (default: guess).")
@click.option("--ref-field", metavar="FIELD", help="Property holding the id (default: guess).")
@click.option(
    "--where",
    metavar="FIELD=VALUE",
    help="Import only the features whose FIELD equals VALUE (e.g. c_ar=19); with --within, "
    "picks the areas instead.",
)
@click.option(
    "--within",
    "within_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="GeoJSON of areas; only districts lying inside them are imported.",
)
@reading_options
def import_districts_command(
    path: Path,
    level: str,
    name_field: str | None,
    ref_field: str | None,
    where: str | None,
    within_path: Path | None,
    **reading: Any,
) -> None:
    """Import or update districts (Polygon/MultiPolygon GeoJSON) by level and id.

    Every wish is then assigned to its districts again, in the same transaction.
    """
    from wishmap.services.districts import import_districts

    if within_path:
        reading.update(within_path=within_path, where=where)
    _run_import(
        f"districts ({level})",
        path,
        "geojson",
        import_districts,
        reading,
        level=level,
        name_field=name_field,
        ref_field=ref_field,
        where=None if within_path else where,
    )


@click.command("assign-districts")
def assign_districts_command() -> None:
    """Recompute the district of every wish (import-districts does it by itself).

    The statistics aggregates are rebuilt with them, in the same transaction.
    """
    from wishmap.services.statistics_aggregates import reassign_districts

    _ensure_schema()
    session = db.session()
    written = reassign_districts(session)
    session.commit()
    click.echo(f"districts: {written} wish–district links written")


def _reuse_freed_memory() -> None:
    """Have glibc's malloc keep freed memory for reuse, up to blocks of 32 MB (no-op elsewhere)."""
    # The analysis makes and drops arrays of 8-50 MB one after another. By default glibc maps
    # each afresh above a threshold it moves, and gives the heap's top back at every free, so the
    # kernel zeroes and faults in the same pages again: at 1,000,000 wishes 103,000 page faults,
    # 55,000 with a fixed threshold and no trimming (0.2-0.4 s less system time, same peak RSS).
    # A process run with --every holds its peak between runs.
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return
    mallopt(_M_MMAP_THRESHOLD, 32 << 20)  # glibc's ceiling for it on 64-bit
    mallopt(_M_TRIM_THRESHOLD, 1 << 30)


# mallopt parameters, from glibc's malloc.h.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def _small_pages_for_arrays() -> None:
    """Have numpy stop asking the kernel for transparent huge pages for its large arrays."""
    # numpy madvises every array of 4 MB or more for huge pages. Where the kernel's THP defrag
    # is "madvise" (Debian's default), the first touch of such an array may compact memory then
    # and there: at 1,000,000 wishes 0.18-0.33 s more system time per analyse, 6-13% of its wall
    # time, for arrays that live a second. NUMPY_MADVISE_HUGEPAGE=0 does the same, at import.
    try:
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:  # numpy 1.x
        try:
            from numpy.core.multiarray import _set_madvise_hugepage
        except ImportError:
            return
    _set_madvise_hugepage(False)


@click.command("analyse")
@click.option(
    "--every",
    type=click.IntRange(min=60),
    metavar="SECONDS",
    help="Keep running, once every SECONDS (a simple scheduler; cron works too).",
)
@click.option(
    "--include-let", is_flag=True, help="Score let and opened premises too, not only vacant ones."
)
def analyse_command(every: int | None, include_let: bool) -> None:
    """Run the full analysis: hotspots, demand per street, gap scores for every premise."""
    from wishmap.services.analysis import NothingToAnalyse, run_analysis

    # At exit, freeze what lives so the interpreter's teardown does not search it all for cycles:
    # 0.25 s of the command's ~3 s CPU (some 130,000 objects of the app). Once per process.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    # What lives now is the app's start-up (modules, models), kept to the end: frozen now too, the
    # full collection the run triggers while reading the wishes skips it (0.13 s CPU at 1,000,000).
    gc.freeze()
    _reuse_freed_memory()
    _small_pages_for_arrays()
    _ensure_schema()
    statuses = ("vacant", "let", "opened") if include_let else ("vacant",)
    while True:
        try:
            run = run_analysis(
                db.session(),
                premise_statuses=statuses,
                say=lambda message: click.echo(message, err=True),
            )
        except NothingToAnalyse as nothing:
            click.echo(str(nothing))
        else:
            click.echo(
                f"analysis run {run.id}: {run.wishes} wishes, {run.premises} premises, "
                f"{run.hotspots} hotspots in {run.seconds:.1f} s"
            )
        if every is None:
            return
        db.close_session()
        time.sleep(every)


@click.command("send-notifications")
@click.option(
    "--every",
    type=click.IntRange(min=10),
    metavar="SECONDS",
    help="Keep running, once every SECONDS (e.g. beside the web server).",
)
def send_notifications_command(every: int | None) -> None:
    """E-mail the residents' notifications whose e-mail could not go out yet."""
    from wishmap.services.follows import send_follow_news
    from wishmap.services.notifications import send_pending_notifications

    _ensure_schema()
    page_url = current_app.config["PUBLIC_URL"].rstrip("/") + "/me/"
    while True:
        sent = send_pending_notifications(db.session(), page_url)
        click.echo(f"notifications: {sent} e-mails sent")
        # Premise news a follower has not been e-mailed yet (the mail server was down).
        told = send_follow_news(db.session(), current_app.config["PUBLIC_URL"])
        click.echo(f"premise news: {told} e-mails sent to followers")
        if every is None:
            return
        db.close_session()
        time.sleep(every)


COMMANDS = [
    analyse_command,
    send_notifications_command,
    init_db_command,
    check_db_command,
    demo_command,
    import_streets_command,
    import_premises_command,
    import_shops_command,
    import_wishes_command,
    import_districts_command,
    assign_districts_command,
    *ACCOUNT_COMMANDS,
    *OSM_COMMANDS,
]


def init_app(app: Flask) -> None:
    """Register every command on app."""
    # Imported here, not at the top: zoning_commands reuses this module's import helpers.
    from wishmap.aggregate_commands import rebuild_aggregates_command
    from wishmap.export_commands import export_command
    from wishmap.jobs import enqueue_command, schedule_command
    from wishmap.production import check_production_command
    from wishmap.zoning_commands import ZONING_COMMANDS

    extra = [check_production_command, enqueue_command, schedule_command]
    extra.append(rebuild_aggregates_command)
    extra.append(export_command)
    for command in [*COMMANDS, *ZONING_COMMANDS, *extra]:
        app.cli.add_command(command)
