"""flask rebuild-aggregates: recompute the map's live counts from the wishes."""

from __future__ import annotations

import time

import click
from flask import current_app

from wishmap import db
from wishmap.services import aggregates, statistics_aggregates
from wishmap.services.demand import MIN_CELL_M
from wishmap.services.extent import grid_latitude


@click.command("rebuild-aggregates")
def rebuild_aggregates_command() -> None:
    """Recompute the live counts (map cells, premises, statistics) from the active wishes.

    The counts follow every wish change by themselves; run this after restoring a backup or
    changing MAP_CENTER / DEMAND_CELL_M (the first map request would otherwise rebuild them).
    """
    session = db.session()
    config = current_app.config
    lat0 = grid_latitude(session, config["MAP_CENTER"])
    base = max(float(config["DEMAND_CELL_M"]), MIN_CELL_M)
    started = time.monotonic()

    def progress(step: str) -> None:
        click.echo(f"  {step} ({time.monotonic() - started:.1f} s)", err=True)

    counts = aggregates.rebuild(session, lat0, base, progress)
    counts.update(statistics_aggregates.rebuild(session, progress))
    summary = ", ".join(f"{n:,} {name}" for name, n in counts.items())
    click.echo(f"Rebuilt the aggregates for a {base:.0f} m grid at {lat0:.4f}°: {summary}.")
