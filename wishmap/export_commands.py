"""`flask export`: the officers' statistics as a file, for scheduled jobs, equally protected."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from wishmap import db
from wishmap.services import exports
from wishmap.services import statistics as stats
from wishmap.services.disclosure import cell_keys_from


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(sorted(exports.FORMATS)), default="csv")
@click.option("--by", default="street", help="street, district, type, group or month")
@click.option("--then", default="", help="an optional second grouping, e.g. month")
@click.option("--since", default="", help="first day counted, YYYY-MM-DD")
@click.option("--until", default="", help="last day counted, YYYY-MM-DD")
@click.option("--type", "type_code", default="", help="a shop-type code")
@click.option("--group", default="", help="a shop-type group code")
@click.option("--district", default="", help="a district id")
@click.option("--street", default="", help="a street id")
@click.option("--level", default="", help="the district level")
@click.option("--lang", default="en", type=click.Choice(["en", "fr", "nl"]))
@click.option("--sep", default="", help="comma or semicolon (CSV; default: the language's)")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
@with_appcontext
def export_command(fmt: str, lang: str, sep: str, output: Path | None, **args: str) -> None:
    """Write a statistics table (floor and cell-key noise as on the pages) to a file or stdout."""
    args["type"] = args.pop("type_code")
    config = current_app.config
    session = db.session()
    with force_locale(lang):
        try:
            query = stats.parse_query(args)
            table = stats.statistics(
                session,
                query,
                int(config["STATS_MIN_RESIDENTS"]),
                lang,
                keys=cell_keys_from(config),
            )
            body = exports.export(session, table, fmt, config["STATS_LICENCE"], lang, sep or None)
        except stats.StatisticsError as failure:
            raise click.UsageError(str(failure)) from None
    if output is None:
        click.get_binary_stream("stdout").write(body)
    else:
        output.write_bytes(body)
        click.echo(f"{len(table.rows)} rows written to {output}", err=True)
