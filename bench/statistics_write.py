"""What the statistics aggregates cost a wish per kept district level: create_wish's CPU.

    .venv/bin/python -m bench.statistics_write [--levels 1 2] [--wishes 400] [--database-url URL]

For each number of levels: seeds a temporary SQLite file (or the given empty database) as
bench.load does (400 premises), imports that many district levels over the premises (bands
that cross one another's borders: quartiers east-west, zones north-south, ...), then makes
wishes through the service (create_wish: one transaction, the statistics triggers inside it),
8 per resident, and prints per wish the CPU of this process (SQLite's triggers run in it; a
PostgreSQL server's do not: compare its wall times, with the load average), SQLite's virtual
machine instructions (exact, where CPU time on a shared machine is not) and wall p50/p95.
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import select, text

from bench.load import percentile, seed
from wishmap import create_app, db
from wishmap.models import Premise, ShopType, User
from wishmap.services.districts import import_districts
from wishmap.services.importing import Record
from wishmap.services.wishes import create_wish

PER_RESIDENT = 8
STEP = 100
LEVELS = ("quartier", "zone", "ilot")


def _bands(level: int, south: float, west: float, north: float, east: float) -> list[dict]:
    """Polygons of a level: 4 bands east-west, then 3 north-south, then 5 east-west again."""
    count = (4, 3, 5)[level % 3]
    polygons = []
    for i in range(count):
        if level % 2 == 0:
            y0, y1 = south + (north - south) * i / count, south + (north - south) * (i + 1) / count
            x0, x1 = west, east
        else:
            x0, x1 = west + (east - west) * i / count, west + (east - west) * (i + 1) / count
            y0, y1 = south, north
        ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        polygons.append({"type": "Polygon", "coordinates": [ring]})
    return polygons


def measure(url: str, levels: int, wishes: int) -> dict[str, float]:
    """Seed, import `levels` district levels, and time `wishes` create_wish calls."""
    residents = -(-wishes // PER_RESIDENT)
    emails, premises, codes = seed(url, residents=residents)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "w" * 64, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        session = db.session()
        bounds = session.execute(
            text("SELECT min(lat) - 1e-4, min(lon) - 1e-4, max(lat) + 1e-4, max(lon) + 1e-4"
                 " FROM premises")
        ).one()  # fmt: skip
        for level in range(levels):
            records = [
                Record(f"{LEVELS[level]} {i}", {"ref": f"{level}-{i}", "name": f"D {i}"}, polygon)
                for i, polygon in enumerate(_bands(level, *bounds))
            ]
            import_districts(session, records, level=LEVELS[level])
        users = list(session.scalars(select(User).where(User.email.in_(emails))))
        types = list(session.scalars(select(ShopType.id).order_by(ShopType.code)))
        premise_ids = list(session.scalars(select(Premise.id).order_by(Premise.id)))
        samples = []
        steps = [0]
        raw = session.connection().connection.driver_connection
        if session.get_bind().dialect.name == "sqlite":
            # SQLite's virtual machine instructions (every STEP-th calls it): the triggers' work
            # counted exactly, where CPU time on a shared machine varies by a third.
            raw.set_progress_handler(lambda: steps.__setitem__(0, steps[0] + 1) or 0, STEP)
        cpu_began = time.process_time()
        for step in range(wishes):
            began = time.perf_counter()
            create_wish(
                session, users[step // PER_RESIDENT], types[step % len(types)],
                premise_id=premise_ids[(step * 7) % len(premise_ids)], quota=10**6,
                client_ip="127.0.0.1",
            )  # fmt: skip
            samples.append((time.perf_counter() - began) * 1000)
        cpu_ms = (time.process_time() - cpu_began) / wishes * 1000
        if steps[0]:
            raw.set_progress_handler(None, STEP)
        db.close_session()
    app.extensions["wishmap.engine"].dispose()
    assert len(codes) and len(premises)
    return {
        "levels": levels,
        "cpu_ms": round(cpu_ms, 2),
        "sqlite_steps": steps[0] * STEP // wishes,
        "p50_ms": percentile(samples, 0.5),
        "p95_ms": percentile(samples, 0.95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--wishes", type=int, default=400)
    parser.add_argument("--database-url", default="", help="an empty database")
    options = parser.parse_args()
    if options.database_url and len(options.levels) > 1:
        parser.error("--database-url takes one --levels value (each count needs an empty one)")
    found = []
    for levels in options.levels:
        with tempfile.TemporaryDirectory(prefix="wishmap-statwrite-") as tmp:
            url = options.database_url or f"sqlite:///{Path(tmp) / 'write.sqlite'}"
            figures = measure(url, levels, options.wishes)
        print(
            f"{levels} level(s): create_wish CPU {figures['cpu_ms']} ms per wish"
            f" ({figures['sqlite_steps']:,} SQLite instructions), wall p50"
            f" {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms (load {os.getloadavg()[0]:.1f})"
        )
        found.append(figures)
    print(json.dumps(found))


if __name__ == "__main__":
    main()
