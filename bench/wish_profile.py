"""Where does a wish request spend its time? cProfile over wish POSTs through the whole app.

    .venv/bin/python -m bench.wish_profile [--wishes 300] [--database-url URL] [--top 25]
        [--sort cumulative|tottime] [--save FILE] [--map]

Seeds a temporary SQLite file (or the given empty database) like bench.load, logs one resident
in through the test client, posts distinct wishes (premise × type) with Accept: JSON, and prints
the mean time per wish, the SQL statements per wish, and the profile's top lines by cumulative
time; then, without the profiler, p50/p95 of as many more requests and of as many calls of the
service alone (create_wish: the wish's one transaction). In-process: no server, no network, one
thread, so it shows the app's own cost. With --map, the map data request that bench.load's
residents make every fourth wish (GET /api/premises.geojson of the district, logged in) is then
profiled the same way, over the counts those wishes left. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, select

from bench.load import BBOX, PASSWORD, percentile, seed
from wishmap import create_app, db
from wishmap.db import Base, make_engine
from wishmap.models import ShopType, User
from wishmap.services.wishes import create_wish

PER_RESIDENT = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wishes", type=int, default=300)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative, tottime")
    parser.add_argument("--save", default="", help="also write the raw profile to this file")
    parser.add_argument(
        "--map", action="store_true", help="then profile as many map data requests (GET)"
    )
    parser.add_argument(
        "--per-resident", type=int, default=PER_RESIDENT,
        help="wishes each resident makes (a resident's other wishes are what the rules read)",
    )  # fmt: skip
    options = parser.parse_args()
    # Three rounds (profiled, timed, service alone), each by its own residents.
    residents = 3 * -(-options.wishes // options.per_resident)
    with tempfile.TemporaryDirectory(prefix="wishmap-profile-") as tmp:
        url = options.database_url or f"sqlite:///{Path(tmp) / 'profile.sqlite'}"
        emails, premises, codes = seed(url, residents=residents)
        # Tables of models whose migration is still being written in the working tree.
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "p" * 64,
                "LOG_LEVEL": "WARNING",
                "WISH_QUOTA": 10**6,
                "WISH_RATE_LIMIT": "1000000 per minute",
                "BURST_MAX_WISHES_NEW_ACCOUNT": 10**6,
                "BURST_MAX_ACCOUNTS_PER_NETWORK": 10**6,
                "BURST_MAX_FRESH_ACCOUNTS_PER_TARGET": 10**6,
                "LOGIN_RATE_LIMIT": "1000000 per minute",
                "LOGIN_ACCOUNT_RATE_LIMIT": "1000000 per minute",
                "INSECURE_COOKIES": True,
            }
        )

        def log_in(email: str) -> tuple[Any, str]:
            client = app.test_client()
            page = client.get("/account/login").get_data(as_text=True)
            token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            client.post(
                "/account/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
            )
            page = client.get("/me/").get_data(as_text=True)
            token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            return client, token

        # Each resident wishes per_resident times, as on a launch evening (the quota is 10):
        # the rules and the statistics triggers read a resident's other wishes.
        sessions = [log_in(email) for email in emails[: 2 * residents // 3]]
        statements = [0]
        with app.app_context():
            engine = db.engine()

        @event.listens_for(engine, "before_cursor_execute")
        def _count(*_args: object) -> None:
            statements[0] += 1

        def wish(step: int) -> None:
            client, token = sessions[(step // options.per_resident) % len(sessions)]
            answer = client.post(
                "/wishes/",
                data={
                    "premise": premises[step % len(premises)],
                    "type": codes[(step // len(premises)) % len(codes)],
                    "csrf_token": token,
                },
                headers={"Accept": "application/json"},
            )
            assert answer.status_code == 201, answer.get_data(as_text=True)[:300]

        wish(0)  # warm: imports, first connection, template caches
        statements[0] = 0
        profiler = cProfile.Profile()
        began = time.perf_counter()
        profiler.enable()
        for step in range(1, options.wishes + 1):
            wish(step)
        profiler.disable()
        elapsed = time.perf_counter() - began
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(options.sort).print_stats(options.top)
        if options.save:
            profiler.dump_stats(options.save)
        print(out.getvalue())
        print(
            f"{options.wishes} wishes: {elapsed / options.wishes * 1000:.1f} ms each under the "
            f"profiler, {statements[0] / options.wishes:.1f} SQL statements per wish"
        )
        per_wish = round(statements[0] / options.wishes, 1)
        # Without the profiler: each request, then the service alone (create_wish, one
        # transaction), wish after wish, as p50/p95.
        offset = options.wishes + 1
        requests_ms = []
        # CPU seconds too: on a shared machine the wall clock counts other people's work, and
        # a wish's CPU is what bounds requests/s per core under gunicorn.
        cpu_began, wall_began = time.process_time(), time.perf_counter()
        for step in range(offset, offset + options.wishes):
            began = time.perf_counter()
            wish(step)
            requests_ms.append((time.perf_counter() - began) * 1000)
        request_cpu_ms = (time.process_time() - cpu_began) / options.wishes * 1000
        requests_per_s = options.wishes / (time.perf_counter() - wall_began)
        offset += options.wishes
        service_ms = []
        with app.app_context():
            session = db.session()
            users = list(
                session.scalars(select(User).where(User.email.in_(emails[2 * residents // 3 :])))
            )
            types = dict(session.execute(select(ShopType.code, ShopType.id)).all())
            cpu_began = time.process_time()
            for step in range(offset, offset + options.wishes):
                premise = premises[step % len(premises)]
                code = codes[(step // len(premises)) % len(codes)]
                began = time.perf_counter()
                resident = users[(step - offset) // options.per_resident]
                create_wish(
                    session, resident, types[code], premise_id=premise, quota=10**6,
                    client_ip="127.0.0.1",
                )  # fmt: skip
                service_ms.append((time.perf_counter() - began) * 1000)
            service_cpu_ms = (time.process_time() - cpu_began) / options.wishes * 1000
        figures = {
            "statements_per_wish": per_wish,
            "request_p50_ms": percentile(requests_ms, 0.5),
            "request_p95_ms": percentile(requests_ms, 0.95),
            "service_p50_ms": percentile(service_ms, 0.5),
            "service_p95_ms": percentile(service_ms, 0.95),
            "requests_per_s": round(requests_per_s, 1),
            "request_cpu_ms": round(request_cpu_ms, 2),
            "service_cpu_ms": round(service_cpu_ms, 2),
        }
        print(
            f"without the profiler: request p50 {figures['request_p50_ms']} ms, p95 "
            f"{figures['request_p95_ms']} ms; create_wish p50 {figures['service_p50_ms']} ms, "
            f"p95 {figures['service_p95_ms']} ms\n{figures['requests_per_s']} wishes/s through "
            f"the test client on one thread; CPU per wish: request {figures['request_cpu_ms']} ms, "
            f"create_wish {figures['service_cpu_ms']} ms"
        )
        if options.map:
            figures.update(profile_map(sessions[0][0], options))
        print(json.dumps(figures))


def profile_map(client: Any, options: argparse.Namespace) -> dict[str, float]:
    """Profile the map data request (bench.load's, logged in) and time it without the profiler;
    return its figures."""

    def map_data() -> None:
        answer = client.get(f"/api/premises.geojson?bbox={BBOX}")
        assert answer.status_code == 200, answer.status_code

    map_data()  # warm: this view's first-request work
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(options.wishes):
        map_data()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(options.sort).print_stats(options.top)
    if options.save:
        profiler.dump_stats(f"{options.save}.map")
    print(out.getvalue())
    cpu_began = time.process_time()
    for _ in range(options.wishes):
        map_data()
    map_cpu_ms = (time.process_time() - cpu_began) / options.wishes * 1000
    print(f"map data request without the profiler: {map_cpu_ms:.2f} ms CPU each")
    return {"map_cpu_ms": round(map_cpu_ms, 2)}


if __name__ == "__main__":
    main()
