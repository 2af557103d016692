"""Statistics at a whole city's scale: the scan of every wish (before) against the live aggregates.

    .venv/bin/python -m bench.statistics [--wishes 1000000] [--database-url URL] [--repeat 20]
                                         [--before-repeat 5]

Loads the demo district into a temporary SQLite database (or the given empty one) and scales it
with bench.map_payload.scale_wishes (triggers off while loading, then the rebuilds, as a restore
would), adds two district levels over the demo's four quartiers (two secteurs the quartiers
nest in, and a 2 x 2 grid of zones across their borders) and assigns every wish its districts,
then times per query: the published statistics table counted by scanning the wishes
(the code before the statistics aggregates, keys and floor included) and the page or export
through the app as an officer (aggregates). Prints p50/p95 in ms; the last line is one JSON
object. `measure_statistics(app)` times an already loaded database (bench.city_scale calls it).
"""

from __future__ import annotations

import argparse
import json
import statistics as pystats
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import shapely
from flask import Flask
from shapely.geometry import box, mapping, shape
from sqlalchemy import select, text

import wishmap.models  # noqa: F401  -- registers every table
from bench.common import bench_app, logged_in_client
from wishmap import db
from wishmap.db import Base
from wishmap.models import District, Role, User, district_nesting, statistics_triggers
from wishmap.models import aggregates as map_aggregates
from wishmap.services import aggregates, statistics_aggregates
from wishmap.services.disclosure import cell_keys_from
from wishmap.services.districts import import_districts
from wishmap.services.importing import Record
from wishmap.services.statistics import parse_query, statistics

# The three requests first, then other groupings with filters ({district}, {street}:
# the busiest ones, filled in from the data).
PATHS = [
    "/statistics/?by=street",
    "/statistics/?by=street&then=month",
    "/statistics/export.xlsx?by=street&then=month",
    "/statistics/?by=district&then=type",
    "/statistics/?by=type&then=month&since=2026-01-01&until=2026-06-30",
    "/statistics/?by=group&district={district}",
    "/statistics/?by=street&type=bakery&since=2026-03-01",
    "/statistics/?by=month&group=food&street={street}",
    "/statistics/export.csv?by=district&then=month&type=bakery",
    "/statistics/export.geojson?by=street&group=food",
    "/api/v1/statistics?by=type",
    "/dashboard/",
    # Districts of one level filtered on a district of another: quartiers in their secteur,
    # a quartier's secteur, quartiers across a zone's borders (the cross rows; their scan
    # before migration 0019), and streets or types in a district of a level other than the
    # default.
    "/statistics/?by=district&level=quartier&district={secteur}",
    "/statistics/?by=district&then=type&level=quartier&district={secteur}",
    "/statistics/export.csv?by=district&then=month&level=quartier&district={secteur}",
    "/statistics/?by=district&then=group&level=secteur&district={quartier}",
    "/statistics/?by=district&level=quartier&district={zone}",
    "/statistics/?by=district&then=month&level=zone&district={quartier}&type=bakery",
    "/statistics/?by=street&district={zone}",
]


def _times(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    call()  # warm the caches, as a running server's would be
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return pystats.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def _officer_client(app: Flask):
    """A test client logged in as an officer (session cookie, as tests/web.py does)."""
    with app.app_context():
        session = db.session()
        officer = session.scalar(select(User).where(User.role == Role.OFFICER.value))
        if officer is None:
            officer = User(email="officer@bench.example", display_name="Officer", role="officer")
            session.add(officer)
            session.commit()
        user_id = officer.get_id()
        db.close_session()
    return logged_in_client(app, user_id)


def _fill(path: str, session) -> str:
    """Put the busiest district (of each level) and street of the data into a path's holes."""
    if "{" not in path:
        return path
    district = session.scalar(select(District.id).order_by(District.id).limit(1)) or 0
    busiest = {
        level: district_id
        for level, district_id, _count in session.execute(
            text(
                "SELECT level, district_id, count(*) FROM wish_districts"
                " GROUP BY level, district_id ORDER BY count(*)"
            )
        )
    }
    street = session.scalar(
        text(
            "SELECT street_id FROM wishes WHERE street_id IS NOT NULL AND status = 'active'"
            " GROUP BY street_id ORDER BY count(*) DESC LIMIT 1"
        )
    )
    return path.format(district=district, street=street or 0, **busiest)


def add_levels(session) -> None:
    """Import two more district levels over the demo's quartiers (assigning every wish again).

    secteur: two unions of two quartiers, which nest in them; zone: a 2 x 2 grid of the
    quartiers' bounds, whose borders cut across theirs.
    """
    quartiers = [
        shape(json.loads(geometry))
        for geometry in session.scalars(
            select(District.geometry).where(District.level == "quartier").order_by(District.ref)
        )
    ]
    halves = [shapely.union_all(quartiers[:2]), shapely.union_all(quartiers[2:])]
    west, south, east, north = shapely.union_all(quartiers).bounds
    middle_x, middle_y = (west + east) / 2, (south + north) / 2
    cells = [
        box(x0, y0, x1, y1)
        for x0, x1 in ((west, middle_x), (middle_x, east))
        for y0, y1 in ((south, middle_y), (middle_y, north))
    ]
    for level, areas in (("secteur", halves), ("zone", cells)):
        records = [
            Record(f"{level} {i}", {"ref": f"{level}{i}", "name": f"{level.title()} {i}"},
                   mapping(area))
            for i, area in enumerate(areas)
        ]  # fmt: skip
        import_districts(session, records, level=level)


def measure_statistics(
    app: Flask, repeat: int = 20, before_repeat: int = 5, log: Callable[[str], None] = print
) -> dict[str, dict[str, tuple[float, float] | None]]:
    """Time every statistics path through the app (after) and its table by scan (before).

    The database must hold the wishes and rebuilt statistics aggregates. Returns
    {path: {"before": (p50, p95) | None, "after": (p50, p95)}} in ms; before is None where the
    path is not one statistics table (dashboard, API) or before_repeat is 0.
    """
    client = _officer_client(app)
    keys = cell_keys_from(app.config)
    floor = int(app.config["STATS_MIN_RESIDENTS"])
    figures: dict[str, dict[str, tuple[float, float] | None]] = {}
    log(f"\n{'statistics path':62s} {'scan p50/p95':>18s} {'aggregates p50/p95':>20s}  ms")
    for template in PATHS:
        with app.app_context():
            session = db.session()
            path = _fill(template, session)
            before = None
            if path.startswith("/statistics/") and before_repeat:
                query = parse_query({k: v[0] for k, v in parse_qs(urlsplit(path).query).items()})
                before = _times(
                    lambda s=session, q=query: statistics(s, q, floor, keys=keys, scan=True),
                    before_repeat,
                )
            db.close_session()

        def get(p: str = path) -> None:
            response = client.get(p)
            assert response.status_code == 200, (p, response.status_code)

        after = _times(get, repeat)
        shown = f"{before[0]:7.1f} / {before[1]:7.1f}" if before else "-"
        log(f"{path:62s} {shown:>18s} {after[0]:9.1f} / {after[1]:7.1f}")
        figures[path] = {"before": before, "after": after}
    return figures


def load_scaled_demo(app: Flask, wishes: int) -> dict[str, object]:
    """Load the demo district scaled to `wishes` with triggers off, then rebuild the aggregates."""
    from bench.map_payload import scale_wishes
    from wishmap.services.demand import MIN_CELL_M
    from wishmap.services.demo import load_demo
    from wishmap.services.extent import grid_latitude

    with app.app_context():
        started = time.monotonic()
        Base.metadata.create_all(db.engine())
        session = db.session()
        dialect = session.get_bind().dialect.name
        for module in (map_aggregates, statistics_triggers, district_nesting):
            for statement in module.drop_trigger_statements(dialect):
                session.execute(text(statement))
        session.commit()
        load_demo(session, seed=42)
        total = scale_wishes(session, wishes)
        add_levels(session)
        map_aggregates.install_triggers(session.connection())
        statistics_triggers.install_triggers(session.connection())
        district_nesting.install_triggers(session.connection())
        session.commit()
        loaded = time.monotonic() - started
        session.commit()
        lat0 = grid_latitude(session, app.config["MAP_CENTER"])
        aggregates.rebuild(session, lat0, max(float(app.config["DEMAND_CELL_M"]), MIN_CELL_M))
        rebuild_started = time.monotonic()
        counts = statistics_aggregates.rebuild(session)
        rebuilt = time.monotonic() - rebuild_started
        db.close_session()
    print(
        f"database: {dialect}, {total:,} wishes ({loaded:.0f} s to load); statistics"
        f" aggregates rebuilt in {rebuilt:.1f} s: {counts}"
    )
    return {"database": dialect, "wishes": total, "statistics_rebuild_s": round(rebuilt, 1)}


def time_level_import(app: Flask) -> dict[str, float]:
    """Import a new district level with the triggers on, then time its first statistics page.

    The import rewrites every wish's districts and rebuilds the statistics aggregates for the
    new level in its transaction (services/statistics_aggregates.reassign_districts): the
    first request after it no longer rebuilds them.
    """
    with app.app_context():
        session = db.session()
        records = [
            Record(f"ilot {ref}", {"ref": ref, "name": f"Ilot {ref}"}, json.loads(geometry))
            for ref, geometry in session.execute(
                select(District.ref, District.geometry).where(District.level == "quartier")
            )
        ]
        started = time.monotonic()
        import_districts(session, records, level="ilot")
        imported = time.monotonic() - started
        db.close_session()
    client = _officer_client(app)
    started = time.monotonic()
    assert client.get("/statistics/?by=district&level=ilot").status_code == 200
    first = (time.monotonic() - started) * 1000
    print(f"new level imported in {imported:.1f} s; its first statistics page {first:.0f} ms")
    return {"level_import_s": round(imported, 1), "first_page_ms": round(first)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wishes", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="an empty database (default: a temporary SQLite)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--before-repeat", type=int, default=5, help="scans per path (0: the app alone)"
    )
    parser.add_argument(
        "--import-level", action="store_true", help="then time a new level's import"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wishmap-stats-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'stats.sqlite'}"
        app = bench_app(url, tmp)
        figures: dict[str, object] = load_scaled_demo(app, args.wishes)
        figures["paths"] = measure_statistics(app, args.repeat, args.before_repeat)
        if args.import_level:
            figures["import"] = time_level_import(app)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
