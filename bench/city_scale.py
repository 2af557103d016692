"""The map's data at a whole city's scale: scans (before) against live aggregates (after).

    .venv/bin/python -m bench.city_scale [--wishes 1000000] [--database-url URL] [--repeat 20]

Loads the demo district into a temporary SQLite database (or the given empty database), scales
it with bench.map_payload.scale_wishes (triggers off while loading, then `rebuild-aggregates`'s
rebuild, as a restore would), then times, per view: the demand cells and premise badge counts by
scanning the wishes (the code before issue 11) and /api/demand.geojson and /api/premises.geojson
through the app (aggregates). Also the time to add one wish with its aggregates (service, no
HTTP). Prints p50/p95 in ms; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select, text

import wishmap.models  # noqa: F401  -- registers every table
from bench.common import bench_app
from bench.map_payload import VIEWS, scale_wishes, view_bbox
from wishmap import db
from wishmap.db import Base
from wishmap.models import Wish, WishStatus
from wishmap.models.aggregates import drop_trigger_statements, install_triggers
from wishmap.services import aggregates
from wishmap.services.demand import MIN_CELL_M, cell_size, parse_bbox, scan_cells
from wishmap.services.demo import load_demo
from wishmap.services.extent import data_extent, grid_latitude


def _times(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    call()  # warm the page cache, as a running server's would be
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def _scan_premises(session, bbox) -> None:
    # The badge counts as premise_points read them before: every active wish of the premises.
    from wishmap.models import Premise

    ids = list(
        session.scalars(
            select(Premise.id)
            .where(
                Premise.lat.between(bbox.south, bbox.north),
                Premise.lon.between(bbox.west, bbox.east),
                Premise.status == "vacant",
            )
            .limit(2001)
        )
    )
    for start in range(0, len(ids), 500):
        session.execute(
            select(Wish.premise_id, Wish.shop_type_id, func.count())
            .where(
                Wish.premise_id.in_(ids[start : start + 500]),
                Wish.status == WishStatus.ACTIVE.value,
            )
            .group_by(Wish.premise_id, Wish.shop_type_id)
        ).all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wishes", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="an empty database (default: a temporary SQLite)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="wishmap-city-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'city.sqlite'}"
        app = bench_app(url, tmp)
        with app.app_context():
            started = time.monotonic()
            Base.metadata.create_all(db.engine())
            session = db.session()
            load_demo(session, seed=42)
            dialect = session.get_bind().dialect.name
            for statement in drop_trigger_statements(dialect):
                session.execute(text(statement))
            session.commit()
            total = scale_wishes(session, args.wishes)
            install_triggers(session.connection())
            session.commit()
            lat0 = grid_latitude(session, app.config["MAP_CENTER"])
            base = max(float(app.config["DEMAND_CELL_M"]), MIN_CELL_M)
            rebuild_started = time.monotonic()
            counts = aggregates.rebuild(session, lat0, base)
            rebuilt = time.monotonic() - rebuild_started
            extent = data_extent(session)
            lat, lon = app.config["MAP_CENTER"] or extent.center
            db.close_session()
            print(
                f"database: {dialect}, {total:,} wishes ({time.monotonic() - started:.0f} s to"
                f" load); rebuild-aggregates {rebuilt:.1f} s, {counts}"
            )
        figures.update(database=dialect, wishes=total, rebuild_s=round(rebuilt, 2))
        client = app.test_client()
        zoom = app.config["MAP_ZOOM"]
        width, height = VIEWS["desktop 1280×800"]
        views = {
            "initial view": view_bbox(lat, lon, zoom, width, height),
            "zoomed out (-2)": view_bbox(lat, lon, zoom - 2, width, height),
            "whole region (zoom 8)": view_bbox(lat, lon, 8, width, height),
        }
        print(f"\n{'path':45s} {'before p50/p95':>18s} {'after p50/p95':>18s}  ms")
        for name, raw in views.items():
            bbox = parse_bbox(raw, max_span=None)
            for label, path in (
                ("demand", f"/api/demand.geojson?bbox={raw}"),
                ("premises", f"/api/premises.geojson?bbox={raw}"),
            ):
                with app.app_context():
                    session = db.session()
                    if bbox.north - bbox.south > 1 or bbox.east - bbox.west > 1:
                        before = None  # refused before issue 11
                    elif label == "demand":
                        size = cell_size(bbox, lat0, base)
                        before = _times(
                            lambda s=session, b=bbox, z=size: scan_cells(s, b, z, lat0, []),
                            args.repeat,
                        )
                    else:
                        before = _times(lambda s=session, b=bbox: _scan_premises(s, b), args.repeat)
                    db.close_session()

                def get(p: str = path) -> None:
                    assert client.get(p).status_code == 200

                after = _times(get, args.repeat)
                shown = f"{before[0]:7.1f} / {before[1]:7.1f}" if before else "   refused (400)"
                print(f"{label + ' ' + name:45s} {shown:>18s} {after[0]:7.1f} / {after[1]:7.1f}")
                figures[f"{label} {name}"] = {"before": before, "after": after}
        with app.app_context():
            # One wish added with its aggregates (the triggers), committed: the service's cost.
            from wishmap.models import ShopType, User

            session = db.session()
            user_ids = list(session.scalars(select(User.id).limit(args.repeat + 1)))
            type_id = session.scalar(select(ShopType.id).limit(1))

            def add(users: list[int] = user_ids) -> None:
                session.add(Wish(user_id=users.pop(), shop_type_id=type_id, lat=lat, lon=lon))
                session.commit()

            add_p50, add_p95 = _times(add, args.repeat - 1)
            print(
                f"\nadd one wish with its aggregates (commit)      {add_p50:7.1f} / {add_p95:7.1f}"
            )
            figures["add wish"] = [add_p50, add_p95]
            db.close_session()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
