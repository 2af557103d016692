"""What does the cell-key perturbation cost? Statistics with exact and with protected counts.

    .venv/bin/python -m bench.statistics [--wishes 200000] [--repeat 5] [--database-url URL]

Builds the synthetic city of `bench.paris_synthetic` (real Paris streets, residents, 40 shop
types) into a temporary SQLite database (or the given empty one) and times, for each grouping,
the statistics table with exact counts (keys=None, the old query) and with cell-key noise (the
published one: grouped per resident first, record keys summed in SQL), then the dashboard.
Prints p50 in ms per query and the ratio. No analysis run: the dashboard's unmet demand is empty.
"""

from __future__ import annotations

import argparse
import statistics as pystats
import tempfile
import time
from datetime import date
from pathlib import Path

import wishmap.models  # noqa: F401  -- registers every table
from bench.portfolio import load_city
from wishmap import create_app, db
from wishmap.db import Base
from wishmap.services.dashboard import dashboard
from wishmap.services.disclosure import CellKeys
from wishmap.services.statistics import StatsQuery, statistics

QUERIES = {
    "by street": StatsQuery(by=("street",)),
    "by type": StatsQuery(by=("type",)),
    "by month": StatsQuery(by=("month",)),
    "street x month": StatsQuery(by=("street", "month")),
    "type x month, 2025": StatsQuery(
        by=("type", "month"), since=date(2025, 1, 1), until=date(2025, 12, 31)
    ),
}


def _p50(call, repeat: int) -> float:
    call()  # warm caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return pystats.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wishes", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", help="an empty database; default: a temporary SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wishmap-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING"})
        app.instance_path = tmp
        with app.app_context():
            session = db.session()
            Base.metadata.create_all(db.engine())
            started = time.monotonic()
            load_city(session, args.wishes, 2_000)
            session.commit()
            print(
                f"loaded {args.wishes:,} wishes in {time.monotonic() - started:.0f} s",
                url.split(":")[0],
            )
            keys = CellKeys(secret="bench")
            for name, query in QUERIES.items():
                exact = _p50(lambda q=query: statistics(session, q, 11), args.repeat)
                noisy = _p50(lambda q=query: statistics(session, q, 11, keys=keys), args.repeat)
                rows = len(statistics(session, query, 11, keys=keys).rows)
                print(
                    f"{name:>20}: {rows:6,} rows  exact {exact:8.1f} ms  "
                    f"protected {noisy:8.1f} ms  ×{noisy / exact:.2f}"
                )
            board = _p50(lambda: dashboard(session, 11, keys), args.repeat)
            print(f"{'dashboard':>20}: protected {board:8.1f} ms")


if __name__ == "__main__":
    main()
