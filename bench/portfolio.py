"""How fast are the portfolio and a premise report with 5,000 premises and 1,000,000 wishes?

    .venv/bin/python -m bench.portfolio [--wishes 1000000] [--premises 5000] [--repeat 20]
                                        [--database-url URL]

Builds the synthetic city of `bench.paris_synthetic` (real Paris streets, 5,000 premises,
~3,000 shops, 40 shop types, 200,000 residents) into a temporary SQLite database (or the
given empty one), pins its premise wishes on their premises, runs the full analysis once
(`flask analyse`), then asks the app, logged in as an officer who sees every premise, for:
the portfolio's first page, a filtered and sorted page, a deep page, the "where should a …
go?" ranking with its map, and the report page of the premise with the most wishes. Each is
requested once to warm caches, then `--repeat` times; prints p50 and p95 in ms.
Target: every page under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import shapely
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, insert, select

import wishmap.models  # noqa: F401  -- registers every table
from bench.common import bench_app, logged_in_client
from bench.paris_synthetic import generate
from wishmap import db
from wishmap.db import Base
from wishmap.geo import bounds
from wishmap.models import Premise, PremiseGap, Shop, ShopType, Street, User, Wish
from wishmap.services.analysis import latest_run, run_analysis
from wishmap.services.shop_types import seed_shop_types

CHUNK = 20_000
FREQUENCIES = ("weekly", "monthly", "occasionally", None)


def _insert(session, model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(model), rows[start : start + CHUNK])


def load_city(session, n_wishes: int, n_premises: int, seed: int = 20261101) -> dict:
    """Write the synthetic city into the database; return a few ids the timings need."""
    city = generate(n_wishes=n_wishes, n_premises=n_premises, seed=seed)
    rng = np.random.default_rng(seed)
    seed_shop_types(session)
    type_ids = list(session.scalars(select(ShopType.id).order_by(ShopType.id)))[: city.n_types]

    street_rows = []
    for index, (geometry, name) in enumerate(
        zip(city.streets.geometries, city.streets.names, strict=True)
    ):
        shape = shapely.geometry.mapping(geometry)
        min_lat, min_lon, max_lat, max_lon = bounds(shape)
        street_rows.append(
            {
                "ref": f"bench-{index}",
                "name": name or f"Voie {index}",
                "geometry": shapely.to_geojson(geometry),
                "length_m": float(geometry.length * 111_000),
                "min_lat": min_lat,
                "min_lon": min_lon,
                "max_lat": max_lat,
                "max_lon": max_lon,
            }
        )
    _insert(session, Street, street_rows)
    street_ids = dict(session.execute(select(Street.ref, Street.id)).all())
    street_id = [street_ids[f"bench-{i}"] for i in range(len(street_rows))]
    names = [row["name"] for row in street_rows]

    premises = city.premises
    today = date(2026, 11, 1)
    premise_rows = []
    for i in range(len(premises.lat)):
        s = int(premises.street_idx[i])
        let = rng.random() < 0.15
        premise_rows.append(
            {
                "ref": f"B-{i:05d}",
                "address": f"{int(rng.integers(1, 180))} {names[s] if s >= 0 else 'Voie'}",
                "street_name": names[s] if s >= 0 else "Voie",
                "street_id": street_id[s] if s >= 0 else None,
                "lat": float(premises.lat[i]),
                "lon": float(premises.lon[i]),
                "surface_m2": float(premises.surface_m2[i]),
                "rent_eur_month": int(premises.rent[i]),
                "status": "let" if let else "vacant",
                "vacant_since": today - timedelta(days=int(rng.integers(10, 900))),
                "let_on": today - timedelta(days=int(rng.integers(1, 200))) if let else None,
            }
        )
    _insert(session, Premise, premise_rows)
    premise_ids = dict(session.execute(select(Premise.ref, Premise.id)).all())
    at_point = {(row["lat"], row["lon"]): premise_ids[row["ref"]] for row in premise_rows}

    shops = city.shops
    _insert(
        session,
        Shop,
        [
            {
                "ref": f"bench-shop-{i}",
                "name": f"Shop {i}",
                "lat": float(shops.lat[i]),
                "lon": float(shops.lon[i]),
                "shop_type_id": type_ids[int(shops.type_idx[i])],
            }
            for i in range(len(shops.lat))
        ],
    )

    wishes = city.wishes
    residents = np.unique(wishes.resident_id)
    _insert(
        session,
        User,
        [
            {
                "email": f"r{int(r)}@bench.wishmap.example",
                "display_name": f"Resident {int(r)}",
                "role": "resident",
                "session_token": f"{int(r):032x}",
            }
            for r in residents
        ],
    )
    user_ids = dict(
        session.execute(
            select(User.email, User.id).where(User.email.like("%@bench.wishmap.example"))
        ).all()
    )
    created = wishes.created_at.astype("datetime64[s]").astype(np.int64)
    seen: set[tuple[int, int, int]] = set()
    rows = []
    for i in range(len(wishes)):
        lat, lon = float(wishes.lat[i]), float(wishes.lon[i])
        resident = int(wishes.resident_id[i])
        type_id = type_ids[int(wishes.type_idx[i])]
        s = int(wishes.street_idx[i])
        premise = at_point.get((lat, lon)) if s >= 0 else None
        if premise is not None:
            # One live wish per resident, premise and type (the database insists).
            key = (resident, premise, type_id)
            if key in seen:
                continue
            seen.add(key)
        rows.append(
            {
                "user_id": user_ids[f"r{resident}@bench.wishmap.example"],
                "shop_type_id": type_id,
                "premise_id": premise,
                "street_id": street_id[s] if s >= 0 else None,
                "lat": lat,
                "lon": lon,
                "frequency": FREQUENCIES[i % 4],
                "status": "active",
                "created_at": datetime.fromtimestamp(int(created[i]), UTC),
            }
        )
        if len(rows) >= CHUNK:
            _insert(session, Wish, rows)
            rows = []
    _insert(session, Wish, rows)
    session.execute(
        insert(User),
        [{"email": "officer@bench.wishmap.example", "display_name": "Officer", "role": "officer"}],
    )
    session.commit()
    return {"types": type_ids}


def timed(client, url: str, repeat: int) -> tuple[float, float, float, int]:
    """Return p50 and p95 wall-clock ms, p50 CPU ms of this process, and the body's size.

    A streamed answer (a PDF, a zip) is made while it is read, so each is read and closed.
    """

    def fetch() -> int:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.data[:300])
        size = len(response.get_data())
        response.close()  # a streamed answer holds its request until it is closed
        return size

    fetch()  # warm: first request of a kind builds caches
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        size = fetch()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    p50, p95 = np.percentile(wall, [50, 95])
    return float(p50), float(p95), float(np.percentile(cpu, 50)), size


@dataclass
class City:
    """The bench city, loaded and analysed, and what the benches ask about it."""

    app: Flask
    url: str
    wishes: int
    premises: int
    busiest: tuple[int, int]  # premise id, wishes on it
    officer_id: str
    loaded_s: float
    analysed_s: float


def open_city(tmp: str, url: str | None, n_wishes: int, n_premises: int) -> City:
    """Return the app on the bench city, building it first unless `url` holds one already."""
    url = url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
    app = bench_app(url, tmp)
    with app.app_context():
        session = db.session()
        started = time.monotonic()
        Base.metadata.create_all(db.engine())
        loaded = analysed = 0.0
        # --database-url of a database a bench filled before: time its pages again.
        if latest_run(session) is None:
            load_city(session, n_wishes, n_premises)
            loaded = time.monotonic() - started
            started = time.monotonic()
            run_analysis(session, premise_statuses=("vacant", "let"))
            analysed = time.monotonic() - started
        busiest = session.execute(
            select(Wish.premise_id, func.count())
            .where(Wish.premise_id.is_not(None))
            .group_by(Wish.premise_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        officer = session.scalar(select(User).where(User.email == "officer@bench.wishmap.example"))
        city = City(
            app=app,
            url=url,
            wishes=session.scalar(select(func.count()).select_from(Wish)) or 0,
            premises=session.scalar(select(func.count()).select_from(Premise)) or 0,
            busiest=(busiest[0], busiest[1]),
            officer_id=officer.get_id(),
            loaded_s=loaded,
            analysed_s=analysed,
        )
        db.close_session()
    return city


def officer_client(city: City) -> FlaskClient:
    """Return a test client logged in as the bench's officer, who sees every premise."""
    return logged_in_client(city.app, city.officer_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wishes", type=int, default=1_000_000)
    parser.add_argument("--premises", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--database-url",
        help="an empty database, or one this bench filled (reused as it is); "
        "default: a temporary SQLite",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wishmap-bench-") as tmp:
        city = open_city(tmp, args.database_url, args.wishes, args.premises)
        with city.app.app_context():
            session = db.session()
            run = latest_run(session)
            gaps = session.scalar(
                select(func.count()).select_from(PremiseGap).where(PremiseGap.run_id == run.id)
            )
            common = session.scalar(
                select(ShopType.code)
                .join(PremiseGap, PremiseGap.shop_type_id == ShopType.id)
                .group_by(ShopType.code)
                .order_by(func.count().desc(), ShopType.code)
                .limit(1)
            )
            db.close_session()
        busiest = city.busiest
        print(
            f"database: {city.url.split(':')[0]}, {city.wishes:,} wishes, {city.premises:,} "
            f"premises, {gaps:,} stored premise × type gaps (loaded in {city.loaded_s:.0f} s, "
            f"analysed in {city.analysed_s:.0f} s)"
        )
        client = officer_client(city)
        pages = [
            ("portfolio, first page (by score)", "/portfolio/"),
            (
                f"portfolio, filtered + sorted (type={common}, min 20, vacant, by days)",
                f"/portfolio/?type={common}&min_score=20&status=vacant&sort=days",
            ),
            ("portfolio, street filter, address order", "/portfolio/?street=rue&sort=address"),
            ("portfolio, page 60 (by score)", "/portfolio/?page=60"),
            (f"where should a {common} go? (table + map)", f"/portfolio/where?type={common}"),
            (
                f"premise report /insights/premises/{busiest[0]} ({busiest[1]} wishes on it)",
                f"/insights/premises/{busiest[0]}",
            ),
        ]
        load = os.getloadavg()[0]
        print(f"load average {load:.1f} on {os.cpu_count()} cores (wall times include waiting)")
        print(f"\n{'page':76s} {'p50':>8s} {'p95':>8s} {'cpu p50':>8s} {'size':>9s}")
        worst = 0.0
        for label, path in pages:
            p50, p95, cpu, size = timed(client, path, args.repeat)
            worst = max(worst, p95)
            print(f"{label:76s} {p50:6.1f}ms {p95:6.1f}ms {cpu:6.1f}ms {size / 1024:7.1f}KB")
        verdict = "under" if worst < 300 else "OVER"
        print(f"\nslowest p95 {worst:.1f} ms: {verdict} the 300 ms target")


if __name__ == "__main__":
    main()
