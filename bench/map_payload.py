"""How heavy is the public map with 100,000 wishes? The page, its first data requests, its assets.

    .venv/bin/python -m bench.map_payload [--wishes 100000] [--database-url URL]

Loads the demo district into a temporary SQLite database (or the given empty database), scales it
to the number of wishes by copying its residents and their wishes (free-wish points jittered by
a few tens of metres), then asks the app, as a browser would on first load, for the map page and
the GeoJSON of the initial view on a desktop (1280×800) and on a phone (390×844). Prints sizes
raw and gzipped, and the time each request took. Target: page + first data under 300 KB.
"""

from __future__ import annotations

import argparse
import gzip
import math
import re
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import func, insert, select

import wishmap.models  # noqa: F401  -- registers every table
from bench.common import bench_app
from wishmap import ROOT, db
from wishmap.db import Base
from wishmap.models import User, Wish
from wishmap.services.demo import load_demo
from wishmap.services.extent import data_extent

TILE = 256
# Left panel width on a desktop (CSS: 21rem); on a phone the map spans the screen's width.
VIEWS = {"desktop 1280×800": (1280 - 336, 800 - 52), "phone 390×844": (390, 607)}


def view_bbox(lat: float, lon: float, zoom: int, width: int, height: int) -> str:
    """Return Leaflet's bbox string (west,south,east,north) for a map of width×height pixels."""
    scale = TILE * 2**zoom
    x = (lon + 180) / 360 * scale
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * scale

    def lat_at(py: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * py / scale))))

    west, east = (x - width / 2) / scale * 360 - 180, (x + width / 2) / scale * 360 - 180
    return f"{west:.5f},{lat_at(y + height / 2):.5f},{east:.5f},{lat_at(y - height / 2):.5f}"


def scale_wishes(session, target: int, seed: int = 7) -> int:
    """Copy the demo's residents and their wishes until the database holds target wishes."""
    rng = np.random.default_rng(seed)
    columns = (
        Wish.user_id, Wish.shop_type_id, Wish.premise_id, Wish.street_id, Wish.lat, Wish.lon,
        Wish.reason, Wish.frequency, Wish.status, Wish.created_at,
    )  # fmt: skip
    originals = session.execute(select(*columns)).all()
    residents = sorted({row.user_id for row in originals})
    count = len(originals)
    copy = 0
    while count < target:
        copy += 1
        session.execute(
            insert(User),
            [
                {
                    "email": f"copy{copy}-{user_id}@bench.wishmap.example",
                    "display_name": f"Bench {copy}-{user_id}",
                    "role": "resident",
                }
                for user_id in residents
            ],
        )
        new_ids = dict(
            session.execute(
                select(User.email, User.id).where(User.email.like(f"copy{copy}-%"))
            ).all()
        )
        rows = []
        for row in originals[: target - count]:
            values = row._asdict()
            values["user_id"] = new_ids[f"copy{copy}-{row.user_id}@bench.wishmap.example"]
            if row.premise_id is None:  # free wishes spread a little, as real ones would
                values["lat"] += rng.normal(0, 0.0003)
                values["lon"] += rng.normal(0, 0.0004)
            rows.append(values)
        session.execute(insert(Wish), rows)
        count += len(rows)
    session.commit()
    return session.scalar(select(func.count()).select_from(Wish))


def _kb(size: int) -> str:
    return f"{size / 1024:7.1f} KB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wishes", type=int, default=100_000)
    parser.add_argument("--database-url", help="an empty database (default: a temporary SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wishmap-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        app = bench_app(url, tmp)
        with app.app_context():
            started = time.monotonic()
            Base.metadata.create_all(db.engine())
            load_demo(db.session(), seed=42)
            total = scale_wishes(db.session(), args.wishes)
            db.close_session()
            loaded = time.monotonic() - started
            print(f"database: {url.split(':')[0]}, {total:,} wishes ({loaded:.0f} s to load)")
        client = app.test_client()
        with app.app_context():
            # The view a visitor opens on: the configured centre, or the demo's middle.
            extent = data_extent(db.session())
            lat, lon = app.config["MAP_CENTER"] or extent.center
            db.close_session()
        zoom = app.config["MAP_ZOOM"]
        page = client.get("/").data
        zipped_page = len(gzip.compress(page))
        print(f"\nmap page (HTML)                  {_kb(len(page))}  gzip {_kb(zipped_page)}")
        for name, (width, height) in VIEWS.items():
            bbox = view_bbox(lat, lon, zoom, width, height)
            print(f"\n{name}: bbox {bbox}")
            raw_total, zipped_total = len(page), len(gzip.compress(page))
            for label, path in (
                ("premises.geojson", f"/api/premises.geojson?bbox={bbox}"),
                ("demand.geojson (all types)", f"/api/demand.geojson?bbox={bbox}"),
            ):
                client.get(path)  # warm the SQLite page cache as a running server's would be
                started = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, response.data
                body = response.data
                features = len(response.get_json()["features"])
                raw_total += len(body)
                zipped_total += len(gzip.compress(body))
                print(
                    f"  {label:29s}  {_kb(len(body))}  gzip {_kb(len(gzip.compress(body)))}"
                    f"  {features:5d} features  {elapsed:6.1f} ms"
                )
                # The next pan over the same view, nothing changed: the browser revalidates.
                again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
                print(f"    again with If-None-Match: {again.status_code}, {len(again.data)} bytes")
            verdict = "under" if raw_total < 300 * 1024 else "OVER"
            print(
                f"  page + first data              {_kb(raw_total)}  gzip {_kb(zipped_total)}"
                f"  ({verdict} the 300 KB target, uncompressed)"
            )
        # The assets the page names, as the server sends them to a browser taking gzip and br.
        urls = re.findall(r'(?:src|href)="(/static/[^"]+\.(?:js|css))"', page.decode())
        sent = []
        for url in urls:
            answer = client.get(url, headers={"Accept-Encoding": "gzip, br"})
            body = answer.get_data()
            answer.close()
            name = re.sub(r"^/static/(?:[0-9a-f]{12}/)?", "", url)
            raw = len((ROOT / "static" / name).read_bytes())
            encoding = answer.headers.get("Content-Encoding", "none")
            sent.append((name, raw, len(body), encoding, answer.headers.get("Cache-Control")))
        raw = sum(item[1] for item in sent)
        wire = sum(item[2] for item in sent)
        print(f"\nstatic assets ({len(sent)} files)   {_kb(raw)}  sent {_kb(wire)}")
        for name, size, body, encoding, cache in sent:
            print(f"  {name:42s} {_kb(size)}  sent {_kb(body)} ({encoding}), {cache}")


if __name__ == "__main__":
    main()
