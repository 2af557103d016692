"""Flask commands of zoning and official activity codes: import-zoning, import-nomenclature,
link-zoning (listed in cli.COMMANDS)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from wishmap import db
from wishmap.cli import FILE, _ensure_schema, _progress, _run_import
from wishmap.import_options import area_options, read_area
from wishmap.services.importing import ImportFailed


@click.command("import-zoning")
@FILE
@click.option(
    "--class-field",
    metavar="FIELD",
    help="Property holding each feature's protection class (default: flag columns named after "
    "the classes of wishmap/zoning_rules.py, e.g. Paris PCA/PRCA/PPA = O/N/P/I).",
)
@click.option("--ref-field", metavar="FIELD", help="Property holding the id (default: guess).")
@area_options("zones", "GeoJSON of areas; only the zones touching them are imported.")
def import_zoning_command(
    path: Path,
    class_field: str | None,
    ref_field: str | None,
    within_path: Path | None,
    where: str | None,
) -> None:
    """Import or update protected shopping frontages (lines or polygons with a class).

    Every premise is then linked again to the zones it lies on, in the same transaction.
    """
    from wishmap.services.zoning import import_zoning

    try:
        within = read_area(within_path, where)
    except ImportFailed as failure:
        click.echo(str(failure), err=True)
        sys.exit(1)
    _run_import(
        "zoning",
        path,
        "geojson",
        import_zoning,
        class_field=class_field,
        ref_field=ref_field,
        within=within,
    )


@click.command("import-nomenclature")
@FILE
@click.option("--code-field", metavar="FIELD", help="Column of the codes (default: codact, code…).")
@click.option(
    "--label-field", metavar="FIELD", help="Column of the labels (default: libact, label…)."
)
@click.option(
    "--type-field",
    metavar="FIELD",
    help="Column naming each code's shop type (a taxonomy code or label); without one, or "
    "where it is empty, the type is found from the label.",
)
@click.option(
    "--scheme",
    default="city",
    show_default=True,
    help="Name of the nomenclature, so that two cities' codes never mix (e.g. paris).",
)
def import_nomenclature_command(
    path: Path,
    code_field: str | None,
    label_field: str | None,
    type_field: str | None,
    scheme: str,
) -> None:
    """Import a city's official activity codes and map each onto a shop type of the taxonomy.

    Prints how many codes were mapped and lists the others.
    """
    from wishmap.services.activity_codes import import_nomenclature, read_nomenclature

    _ensure_schema()
    try:
        records = read_nomenclature(path)
        click.echo(f"nomenclature: {len(records)} rows in {path}", err=True)
        report = import_nomenclature(
            db.session(),
            records,
            code_field=code_field,
            label_field=label_field,
            type_field=type_field,
            scheme=scheme,
            progress=_progress("nomenclature"),
            source=str(path),
        )
    except ImportFailed as failure:
        click.echo(str(failure), err=True)
        sys.exit(1)
    click.echo(f"nomenclature: {report.summary()}")


@click.command("link-zoning")
def link_zoning_command() -> None:
    """Link every premise again to the zones it lies on (imports do it by themselves)."""
    from wishmap.services.zoning import link_premises

    _ensure_schema()
    session = db.session()
    written = link_premises(session)
    session.commit()
    click.echo(f"zoning: {written} premise–zone links written")


ZONING_COMMANDS = [import_zoning_command, import_nomenclature_command, link_zoning_command]
