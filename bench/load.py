"""Evening-news load: residents log in, wish and read the map while one worker is killed.

    .venv/bin/python -m bench.load [--databases sqlite,postgresql] [--residents 64]
                                   [--seconds 20] [--workers 4]

For each database: a fresh one (a temporary SQLite file, or a schema of its own in the local
PostgreSQL `test` database, dropped afterwards) is migrated and seeded with 400 vacant premises
and the residents' accounts; Wishmap is served by gunicorn with gunicorn.conf.py and
WEB_CONCURRENCY workers on 127.0.0.1 (Redis at 127.0.0.1:6379 shares the rate-limit counts,
whose limits are raised so that the load is not refused). Each resident is a thread that logs
in, then posts wishes (distinct premise × type) and every fourth time fetches the map data of
the district. Halfway, one worker gets SIGKILL. Then the same gunicorn setup serves
bench/bare_insert.py (one INSERT per POST) to the same number of threads: the ceiling.

Prints wishes/s, p50/p95/p99 of the wish and of the map data request, errors, the ceiling's own
p50/p95 (what the same clients wait for the least work a request can do), the ratio to the
ceiling, and acknowledged (201) wishes against those stored; the last line is one JSON object.
Client and servers share this machine's cores, so the figures are lower bounds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select, text

import wishmap.models  # noqa: F401  -- registers every table
from wishmap import ROOT, create_app, db
from wishmap.db import make_engine
from wishmap.models import Premise, ShopType, User, Wish
from wishmap.models._types import utcnow
from wishmap.services.shop_types import seed_shop_types
from wishmap.services.users import hash_password

POSTGRES_URL = os.environ.get(
    "WISHMAP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("WISHMAP_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "bench-load-password"
PREMISES = 400
BBOX = "2.370,48.872,2.390,48.888"
UNLIMITED = "1000000 per minute"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


@dataclass
class Tally:
    """What the client threads saw, shared under a lock."""

    wish_ms: list[float] = field(default_factory=list)
    map_ms: list[float] = field(default_factory=list)
    acknowledged: set[int] = field(default_factory=set)
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1


def percentile(values: list[float], q: float) -> float | None:
    """Return the q-quantile (0–1) of values by nearest rank, or None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """Yield the URL of an empty database of that kind; a PostgreSQL schema is dropped after."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'load.sqlite'}"
        return
    schema = f"bench_load_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def seed(url: str, residents: int) -> tuple[list[str], list[int], list[str]]:
    """Migrate and fill the database; return residents' e-mails, premise ids, shop type codes."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "seed" * 10, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        db.upgrade(db.engine())
        session = db.session()
        seed_shop_types(session)
        session.add_all(
            Premise(
                ref=f"LOAD-{n}",
                address=f"{n + 1} Rue de la Charge",
                street_name="Rue de la Charge",
                lat=48.874 + (n % 20) * 0.0007,
                lon=2.372 + (n // 20) * 0.0008,
                status="vacant",
            )
            for n in range(PREMISES)
        )
        # Accounts of a month ago: the fresh-account rules are not what is measured here.
        month_ago = utcnow() - timedelta(days=30)
        digest = hash_password(PASSWORD)
        emails = [f"resident{n}@load.example" for n in range(residents)]
        session.add_all(
            User(
                email=email,
                display_name=f"Resident {n}",
                password_hash=digest,
                role="resident",
                email_verified_at=month_ago,
                created_at=month_ago,
            )
            for n, email in enumerate(emails)
        )
        session.commit()
        premise_ids = list(session.scalars(select(Premise.id).order_by(Premise.id)))
        codes = list(session.scalars(select(ShopType.code).order_by(ShopType.code)))
    app.extensions["wishmap.engine"].dispose()
    return emails, premise_ids, codes


def server_env(url: str, port: int, workers: int, folder: Path) -> dict[str, str]:
    """Environment of a production-like server on 127.0.0.1 with the load's limits raised."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "REDIS_URL": REDIS_URL,
        "WEB_CONCURRENCY": str(workers),
        "WISHMAP_BIND": f"127.0.0.1:{port}",
        "WISHMAP_MAIL_BACKEND": "folder",
        "WISHMAP_MAIL_OUTBOX": str(folder / "outbox"),
        # Plain http on the loopback: the client must get its session cookie back.
        "WISHMAP_INSECURE_COOKIES": "1",
        "WISHMAP_LOG_LEVEL": "WARNING",
        "WISHMAP_LOGIN_RATE_LIMIT": UNLIMITED,
        "WISHMAP_LOGIN_ACCOUNT_RATE_LIMIT": UNLIMITED,
        "WISHMAP_WISH_RATE_LIMIT": UNLIMITED,
        "WISHMAP_WISH_QUOTA": "1000000",
        # Every resident comes from 127.0.0.1: the one-network rule would hold them all.
        "WISHMAP_BURST_MAX_ACCOUNTS_PER_NETWORK": "1000000",
        "WISHMAP_BURST_MAX_FRESH_ACCOUNTS_PER_TARGET": "1000000",
        "WISHMAP_BURST_MAX_WISHES_NEW_ACCOUNT": "1000000",
    }


@contextmanager
def gunicorn(app_path: str, env: dict[str, str], port: int, log: Path) -> Iterator[int]:
    """Serve app_path with gunicorn.conf.py; yield the master pid once it answers HTTP."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [GUNICORN, "-c", str(ROOT / "gunicorn.conf.py"), app_path],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 180
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"gunicorn stopped at start, see {log}")
                try:
                    requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
                    break
                except requests.RequestException:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"gunicorn did not answer in 180 s, see {log}") from None
                    time.sleep(0.5)
            # Workers boot one by one (imports take seconds on a busy machine): let all of
            # them answer before the clock starts.
            while len(worker_pids(process.pid)) < int(env["WEB_CONCURRENCY"]):
                time.sleep(0.5)
            for _ in range(4 * int(env["WEB_CONCURRENCY"])):
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=60)
            yield process.pid
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def worker_pids(master: int) -> list[int]:
    """Return the pids of master's child processes (gunicorn workers)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            children.append(int(stat.parent.name))
    return children


def log_in(base: str, email: str) -> tuple[requests.Session, str]:
    """Return a logged-in HTTP session and its CSRF token (before the clock starts)."""
    client = requests.Session()
    page = client.get(f"{base}/account/login", timeout=120).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    answer = client.post(
        f"{base}/account/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        # 64 password hashes at once on a shared machine take a while; the clock has not started.
        timeout=120,
    )
    if answer.status_code not in (302, 303):
        raise RuntimeError(f"log-in of {email} answered {answer.status_code}")
    page = client.get(f"{base}/me/", timeout=120).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    return client, token


def resident(
    base: str, number: int, email: str, premises: list[int], codes: list[str],
    start: threading.Barrier, deadline: list[float], tally: Tally,
) -> None:  # fmt: skip
    """Log in, then wish (and every fourth time read the map data) until the deadline."""
    try:
        client, token = log_in(base, email)
    except (requests.RequestException, RuntimeError, AttributeError):
        tally.error("log-in")
        start.wait()
        return
    start.wait()
    step = number * 131
    while time.monotonic() < deadline[0]:
        premise = premises[step % len(premises)]
        code = codes[(step // len(premises)) % len(codes)]
        step += 1
        began = time.perf_counter()
        try:
            answer = client.post(
                f"{base}/wishes/",
                data={"premise": premise, "type": code, "csrf_token": token},
                headers={"Accept": "application/json"},
                timeout=30,
            )
            elapsed = (time.perf_counter() - began) * 1000
            if answer.status_code == 201:
                with tally.lock:
                    tally.wish_ms.append(elapsed)
                    tally.acknowledged.add(int(answer.json()["id"]))
            else:
                tally.error(f"wish {answer.status_code}")
        except requests.RequestException as error:
            tally.error(f"wish {type(error).__name__}")
        if step % 4 == 0:
            began = time.perf_counter()
            try:
                answer = client.get(f"{base}/api/premises.geojson?bbox={BBOX}", timeout=30)
                if answer.status_code == 200:
                    with tally.lock:
                        tally.map_ms.append((time.perf_counter() - began) * 1000)
                else:
                    tally.error(f"map {answer.status_code}")
            except requests.RequestException as error:
                tally.error(f"map {type(error).__name__}")


def wish_load(
    base: str, master: int, emails: list[str], premises: list[int], codes: list[str],
    seconds: float,
) -> tuple[Tally, float, int | None]:  # fmt: skip
    """Run the residents; SIGKILL one worker halfway. Return the tally, seconds, killed pid."""
    tally = Tally()
    start = threading.Barrier(len(emails) + 1)
    deadline = [float("inf")]
    threads = [
        threading.Thread(
            target=resident, args=(base, n, email, premises, codes, start, deadline, tally)
        )
        for n, email in enumerate(emails)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.monotonic()
    deadline[0] = began + seconds
    time.sleep(seconds / 2)
    workers = worker_pids(master)
    killed = workers[0] if workers else None
    if killed:
        os.kill(killed, signal.SIGKILL)
    for thread in threads:
        thread.join()
    return tally, time.monotonic() - began, killed


def ceiling_load(base: str, clients: int, seconds: float) -> tuple[list[float], float, int]:
    """POST to the bare-insert app from clients threads; return each insert's ms, seconds, errors.

    Its latencies say what the same clients wait for the least work a request can do: with a
    closed loop of n clients, the mean wait is n / throughput (Little's law) for any server.
    """
    inserts_ms: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def post() -> None:
        session = requests.Session()
        while time.monotonic() < deadline:
            began = time.perf_counter()
            try:
                ok = session.post(f"{base}/insert", data="wish", timeout=30).status_code == 201
            except requests.RequestException:
                ok = False
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                if ok:
                    inserts_ms.append(elapsed)
                else:
                    errors[0] += 1

    began = time.monotonic()
    threads = [threading.Thread(target=post) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return inserts_ms, time.monotonic() - began, errors[0]


def stored_wishes(url: str, acknowledged: set[int]) -> tuple[int, int]:
    """Return (wishes stored, acknowledged wishes missing from the database)."""
    engine = make_engine(url)
    with engine.connect() as connection:
        stored = set(connection.scalars(select(Wish.id)))
        total = connection.scalar(select(func.count()).select_from(Wish)) or 0
    engine.dispose()
    return total, len(acknowledged - stored)


def run(kind: str, residents: int, seconds: float, workers: int) -> dict[str, Any]:
    """Measure one database; return its figures."""
    # The machine's 1-minute load before and after: on a shared machine, what the figures
    # were measured against.
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="wishmap-load-") as tmp:
        folder = Path(tmp)
        with database(kind, folder) as url:
            emails, premises, codes = seed(url, residents)
            port = free_port()
            env = server_env(url, port, workers, folder)
            base = f"http://127.0.0.1:{port}"
            with gunicorn("wsgi:app", env, port, folder / "wishmap.log") as master:
                tally, elapsed, killed = wish_load(base, master, emails, premises, codes, seconds)
            stored, lost = stored_wishes(url, tally.acknowledged)
            subprocess.run(
                [sys.executable, "-c", "import bench.bare_insert as b; b.create_table()"],
                cwd=ROOT,
                env=env,
                check=True,
            )
            port = free_port()
            env = {**env, "WISHMAP_BIND": f"127.0.0.1:{port}"}
            with gunicorn("bench.bare_insert:app", env, port, folder / "bare.log"):
                inserts_ms, ceiling_elapsed, ceiling_errors = ceiling_load(
                    f"http://127.0.0.1:{port}", residents, seconds / 2
                )
    wishes_per_s = len(tally.wish_ms) / elapsed
    ceiling_per_s = len(inserts_ms) / ceiling_elapsed
    return {
        "database": kind,
        "residents": residents,
        "workers": workers,
        "seconds": round(elapsed, 1),
        "wishes_per_s": round(wishes_per_s, 1),
        "wish_ms": {q: percentile(tally.wish_ms, v) for q, v in PCTS.items()},
        "map_ms": {q: percentile(tally.map_ms, v) for q, v in PCTS.items()},
        "map_requests": len(tally.map_ms),
        "errors": dict(sorted(tally.errors.items())),
        "ceiling_inserts_per_s": round(ceiling_per_s, 1),
        "ceiling_ms": {q: percentile(inserts_ms, v) for q, v in PCTS.items()},
        "ceiling_errors": ceiling_errors,
        "ratio_to_ceiling": round(wishes_per_s / ceiling_per_s, 2) if ceiling_per_s else None,
        "acknowledged": len(tally.acknowledged),
        "stored": stored,
        "acknowledged_not_stored": lost,
        "killed_worker": killed,
        "load_average_1m": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }


PCTS = {"p50": 0.50, "p95": 0.95, "p99": 0.99}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--residents", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=4)
    options = parser.parse_args()
    results = []
    for kind in [name.strip() for name in options.databases.split(",") if name.strip()]:
        print(f"{kind}: {options.residents} residents, {options.workers} workers, "
              f"{options.seconds:g} s …", file=sys.stderr, flush=True)  # fmt: skip
        result = run(kind, options.residents, options.seconds, options.workers)
        results.append(result)
        wish, map_, ceiling = result["wish_ms"], result["map_ms"], result["ceiling_ms"]
        print(
            f"{kind:10} wishes/s {result['wishes_per_s']:7.1f}  "
            f"wish p50/p95/p99 {wish['p50']}/{wish['p95']}/{wish['p99']} ms  "
            f"map p50/p95/p99 {map_['p50']}/{map_['p95']}/{map_['p99']} ms  "
            f"errors {sum(result['errors'].values())} {result['errors']}  "
            f"ceiling {result['ceiling_inserts_per_s']}/s (p50/p95 {ceiling['p50']}/"
            f"{ceiling['p95']} ms) ratio {result['ratio_to_ceiling']}  "
            f"acknowledged {result['acknowledged']} stored {result['stored']} "
            f"lost {result['acknowledged_not_stored']} (worker {result['killed_worker']} killed)  "
            f"load {result['load_average_1m'][0]} → {result['load_average_1m'][1]}"
        )
    print(json.dumps({"bench": "load", "results": results}))


if __name__ == "__main__":
    main()
