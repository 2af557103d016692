"""The whole path at a whole city's scale, on SQLite and on PostgreSQL (`make bench-scale`).

    .venv/bin/python -m bench.scale [--wishes 1000000] [--databases sqlite,postgresql]
                                    [--repeat 20] [--add-wishes 200] [--seed 42] [--rebuild]
                                    [--analyse-runs 3]

Builds the demo district (seed --seed) scaled to --wishes with bench.map_payload.scale_wishes
(every trigger on wishes off while loading, then `flask rebuild-aggregates`, as after a
restore), once per database: SQLite in --cache-dir, PostgreSQL as database
wishmap_scale_<seed>_<wishes> beside --postgres-url. A rerun reuses them (a few seconds) unless
their schema lags the models or --rebuild is given. Then, per database, as the demo officer
through the app, its heap settled as a gunicorn worker's is (serving.settle_heap), each request
once to warm caches, then --repeat times: the map's data (initial view, zoomed out),
statistics, their export and their map, the portfolio and the report of the premise with the
most wishes; adding one wish with its aggregates in the service (create_wish, no HTTP,
--add-wishes residents of long standing); `flask analyse` as a subprocess, --analyse-runs times
(the project's bytecode compiled first, as an installed package has it): wall time, CPU time
and peak RSS, their median and worst. Prints p50/p95 in ms, wall clock and this process's CPU
(with SQLite the database's work too, with PostgreSQL not the server's); the last line is one
JSON object of every figure ("cpu ms": the CPU p50/p95). On a shared machine compare CPU
times: the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

import wishmap.models  # noqa: F401  -- registers every table
from bench.common import bench_app, logged_in_client
from bench.map_payload import VIEWS, scale_wishes, view_bbox
from wishmap import db
from wishmap.models import Premise, ShopType, User, Wish
from wishmap.models._types import utcnow
from wishmap.services.demo import DEMO_DOMAIN, load_demo
from wishmap.services.extent import data_extent
from wishmap.services.wishes import create_wish
from wishmap.serving import settle_heap

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get(
    "WISHMAP_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def say(message: str) -> None:
    """Print a progress line at once, with the time of day."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _flask(url: str, *arguments: str) -> str:
    """Run a flask command of the app on url; return its output, or stop with it on failure."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    command = [str(Path(sys.executable).parent / "flask"), "--app", "wishmap", *arguments]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"flask {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout + done.stderr


def _wish_triggers(session) -> list[tuple[str, str, str]]:
    """Return (name, drop, create) statements of every trigger on wishes, whoever installed it."""
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger"
                " WHERE tgrelid = 'wishes'::regclass AND NOT tgisinternal"
            )
        ).all()
        return [(name, f'DROP TRIGGER "{name}" ON wishes', create) for name, create in rows]
    rows = session.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'wishes'")
    ).all()
    return [(name, f'DROP TRIGGER "{name}"', create) for name, create in rows]


def build_city(url: str, seed: int, wishes: int) -> None:
    """Fill the empty database at url: the demo district scaled to wishes, aggregates rebuilt."""
    started = time.monotonic()
    app = bench_app(url)
    with app.app_context():
        db.upgrade(db.engine())  # as `flask init-db`
        session = db.session()
        load_demo(session, seed=seed, progress=lambda step: say(f"  demo: {step}"))
        # Bulk load without the per-row triggers (every aggregate's), then one
        # `flask rebuild-aggregates`, as after restoring a backup.
        triggers = _wish_triggers(session)
        for _name, drop, _create in triggers:
            session.execute(text(drop))
        session.commit()
        say(f"  scaling to {wishes:,} wishes, {len(triggers)} triggers on wishes off")
        total = scale_wishes(session, wishes, seed=seed)
        for _name, _drop, create in triggers:
            session.execute(text(create))
        session.commit()
        db.close_session()
        db.engine().dispose()
    say(f"  {total:,} wishes loaded; flask rebuild-aggregates")
    say("  " + _flask(url, "rebuild-aggregates").strip().replace("\n", "\n  "))
    if url.startswith("postgresql"):
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
        engine.dispose()
    say(f"  built in {time.monotonic() - started:.0f} s")


def _current(url: str) -> bool:
    """Upgrade a cached city; return whether its schema now matches the models."""
    app = bench_app(url)
    with app.app_context():
        db.upgrade(db.engine())
        drift = db.schema_drift(db.engine())
        db.close_session()
        db.engine().dispose()
    if drift:
        # A migration edited in place (the reserved no-op revisions) is not replayed: build again.
        first = drift[0][0] if isinstance(drift[0], tuple) else drift[0]
        say(f"  the cached city lags the models: {len(drift)} differences, first {first}")
    return not drift


def sqlite_city(cache_dir: Path, seed: int, wishes: int, rebuild: bool) -> str:
    """Return the URL of the cached SQLite city, building it first if needed."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"city-{seed}-{wishes}.sqlite"
    if path.exists() and (rebuild or not _current(f"sqlite:///{path}")):
        path.unlink()
    if not path.exists():
        # Built under another name and renamed: an interrupted build is never reused.
        building = path.with_suffix(".building")
        for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
            leftover.unlink(missing_ok=True)
        say(f"building the SQLite city in {path}")
        build_city(f"sqlite:///{building}", seed, wishes)
        building.rename(path)
    else:
        say(f"reusing the SQLite city {path}")
    return f"sqlite:///{path}"


def postgres_city(admin_url: str, seed: int, wishes: int, rebuild: bool) -> str:
    """Return the URL of the cached PostgreSQL city, building it first if needed."""
    name = f"wishmap_scale_{seed}_{wishes}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:

        def exists(database: str) -> bool:
            query = text("SELECT 1 FROM pg_database WHERE datname = :name")
            return connection.scalar(query, {"name": database}) is not None

        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        if exists(name) and (rebuild or not _current(url)):
            connection.execute(text(f'DROP DATABASE "{name}"'))
        if not exists(name):
            say(f"building the PostgreSQL city in database {name}")
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}_building"'))
            connection.execute(text(f'CREATE DATABASE "{name}_building"'))
            building = make_url(admin_url).set(database=f"{name}_building")
            build_city(building.render_as_string(hide_password=False), seed, wishes)
            connection.execute(text(f'ALTER DATABASE "{name}_building" RENAME TO "{name}"'))
        else:
            say(f"reusing the PostgreSQL city {name}")
    admin.dispose()
    return url


def _timed(client, path: str, repeat: int) -> tuple[float, float, float, float]:
    """Return p50 and p95 of GET path in wall-clock ms, then in CPU ms of this process, after
    one request that warms caches."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.data[:300])
    samples, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    p50, p95 = np.percentile(samples, [50, 95])
    cpu50, cpu95 = np.percentile(cpu, [50, 95])
    return float(p50), float(p95), float(cpu50), float(cpu95)


def _client_as(app, email: str):
    """Return a test client logged in as the account with this e-mail."""
    with app.app_context():
        user = db.session().scalar(select(User).where(User.email == email))
        user_id = user.get_id()
        db.close_session()
    return logged_in_client(app, user_id)


def _add_wishes(app, count: int, lat: float, lon: float) -> tuple[list[float], dict]:
    """Time create_wish for count fresh residents near (lat, lon); return the p50 and p95 in
    wall-clock ms, then in CPU ms, and the statuses."""
    stamp = time.strftime("%Y%m%d%H%M%S")
    rng = random.Random(stamp)
    with app.app_context():
        session = db.session()
        # Residents of long standing, verified: their wishes count at once (no burst hold).
        long_ago = utcnow() - timedelta(days=60)
        session.execute(
            insert(User),
            [
                {
                    "email": f"add{stamp}-{n}@bench.wishmap.example",
                    "display_name": f"Bench add {n}",
                    "role": "resident",
                    "created_at": long_ago,
                    "email_verified_at": long_ago,
                }
                for n in range(count + 1)
            ],
        )
        session.commit()
        users = list(session.scalars(select(User).where(User.email.like(f"add{stamp}-%"))))
        type_ids = list(session.scalars(select(ShopType.id)))
        samples, cpu, statuses = [], [], {}
        for n, user in enumerate(users):
            point = (lat + rng.uniform(-0.004, 0.004), lon + rng.uniform(-0.006, 0.006))
            started, cpu_started = time.perf_counter(), time.process_time()
            wish = create_wish(session, user, rng.choice(type_ids), point=point)
            if n:  # the first one warms caches
                samples.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
            statuses[wish.status] = statuses.get(wish.status, 0) + 1
        db.close_session()
    figures = [*np.percentile(samples, [50, 95]), *np.percentile(cpu, [50, 95])]
    return [float(value) for value in figures], statuses


# Linux keeps a process's peak RSS across exec, and a child forked (or vforked) from this
# process starts from this process's own: `flask analyse` spawned from here would report the
# benchmark's peak, not its own (746 MB where it used 455). A small interpreter in between
# spawns it instead and hands back its own figures: wall s, CPU s, peak RSS kB.
_SPAWN = """import os, sys, time
started = time.perf_counter()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_pid, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as figures:
    figures.write(f"{time.perf_counter() - started} {usage.ru_utime + usage.ru_stime}"
                  f" {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _analyse(url: str) -> tuple[float, float, float, str]:
    """Run `flask analyse` on url as a subprocess; return wall s, CPU s, peak RSS MB, output."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "WISHMAP_LOG_LEVEL": "WARNING"}
    command = [str(Path(sys.executable).parent / "flask"), "--app", "wishmap", "analyse"]
    with tempfile.TemporaryFile("w+") as output, tempfile.NamedTemporaryFile("r") as figures:
        process = subprocess.run(
            [sys.executable, "-c", _SPAWN, figures.name, *command],
            env=env,
            stdout=output,
            stderr=output,
            cwd=ROOT,
            check=False,
        )
        output.seek(0)
        text_out = output.read()
        measured = figures.read().split()
    if process.returncode or len(measured) != 3:
        raise SystemExit(f"flask analyse failed:\n{text_out}")
    wall, cpu, rss_kb = (float(value) for value in measured)
    return wall, cpu, rss_kb / 1024, text_out


def measure(url: str, repeat: int, add_count: int, analyse_runs: int = 1) -> dict[str, object]:
    """Time every path on the city at url; print a table and return the figures."""
    app = bench_app(url)
    with app.app_context():
        session = db.session()
        dialect = session.get_bind().dialect.name
        wishes = session.scalar(select(func.count()).select_from(Wish))
        lat, lon = app.config["MAP_CENTER"] or data_extent(session).center
        busiest = session.execute(
            select(Wish.premise_id, func.count())
            .join(Premise, Premise.id == Wish.premise_id)
            .group_by(Wish.premise_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        db.close_session()
    client = _client_as(app, f"officer@{DEMO_DOMAIN}")
    settle_heap()  # as gunicorn.conf.py does once a worker has loaded the app
    zoom = app.config["MAP_ZOOM"]
    width, height = VIEWS["desktop 1280×800"]
    initial = view_bbox(lat, lon, zoom, width, height)
    wide = view_bbox(lat, lon, zoom - 2, width, height)
    paths = {
        "demand initial view": f"/api/demand.geojson?bbox={initial}",
        "demand zoomed out (-2)": f"/api/demand.geojson?bbox={wide}",
        "premises initial view": f"/api/premises.geojson?bbox={initial}",
        "statistics by street": "/statistics/?by=street",
        "statistics by street then month": "/statistics/?by=street&then=month",
        "export.xlsx by street then month": "/statistics/export.xlsx?by=street&then=month",
        "statistics map (streets, districts, hotspots)": "/statistics/map",
        "portfolio first page": "/portfolio/",
        "premise report": f"/insights/premises/{busiest[0]}",
    }
    print(f"\n{dialect}: {wishes:,} wishes; load average {os.getloadavg()[0]:.1f}", flush=True)
    print(f"premise report: premise {busiest[0]}, the busiest, {busiest[1]:,} wishes on it")
    print(f"{'path':48s} {'p50 ms':>9s} {'p95 ms':>9s}   CPU p50 / p95 ms", flush=True)
    figures: dict[str, object] = {"wishes": wishes, "premise report wishes": busiest[1]}
    cpu_figures: dict[str, list[float]] = {}
    for label, path in paths.items():
        p50, p95, cpu50, cpu95 = _timed(client, path, repeat)
        figures[label] = [round(p50, 1), round(p95, 1)]
        cpu_figures[label] = [round(cpu50, 1), round(cpu95, 1)]
        print(f"{label:48s} {p50:9.1f} {p95:9.1f}   {cpu50:7.1f} / {cpu95:7.1f}", flush=True)
    figures["cpu ms"] = cpu_figures
    (p50, p95, cpu50, cpu95), statuses = _add_wishes(app, add_count, lat, lon)
    figures["add one wish (service)"] = [round(p50, 2), round(p95, 2)]
    cpu_figures["add one wish (service)"] = [round(cpu50, 2), round(cpu95, 2)]
    print(
        f"{'add one wish, aggregates included (service)':48s} {p50:9.2f} {p95:9.2f}   "
        f"{cpu50:7.2f} / {cpu95:7.2f}  {statuses}"
    )
    runs = []
    for run in range(analyse_runs):
        wall, cpu, rss, output = _analyse(url)
        runs.append((wall, cpu, rss))
        if run == 0:
            print("".join(f"    | {line}\n" for line in output.splitlines()), end="")
        print(
            f"{'flask analyse (subprocess)':48s} {wall:8.2f} s wall, {cpu:.2f} s CPU, "
            f"{rss:.0f} MB peak RSS; load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    walls, cpus, rsss = zip(*runs, strict=True)
    median_wall, peak_rss = sorted(walls)[len(runs) // 2], round(max(rsss))
    figures["flask analyse"] = {
        "wall_s": round(median_wall, 2),
        "max_wall_s": round(max(walls), 2),
        "cpu_s": round(sorted(cpus)[len(runs) // 2], 2),
        "peak_rss_mb": peak_rss,
        "runs_wall_s": [round(wall, 2) for wall in walls],
    }
    if len(runs) > 1:
        label = f"flask analyse, {len(runs)} runs"
        print(
            f"{label:48s} median {median_wall:.2f} s, max {max(walls):.2f} s wall, "
            f"max {peak_rss} MB"
        )
    return figures


def compile_bytecode() -> None:
    """Compile the project's modules, as an installed package (or a first run) has them."""
    # With PYTHONDONTWRITEBYTECODE set (as on some CI and development machines) an editable
    # install has no .pyc of its own: every `flask analyse` would compile the app again, 0.15 s
    # that a server, where Python writes them on the first import, does not pay.
    for package in ("wishmap", "analysis"):
        compileall.compile_dir(ROOT / package, quiet=1)
    say("bytecode of wishmap/ and analysis/ compiled (as `make install` does)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--wishes", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per path")
    parser.add_argument("--add-wishes", type=int, default=200, help="wishes added and timed")
    parser.add_argument("--seed", type=int, default=42, help="the demo's seed (the cache key)")
    parser.add_argument(
        "--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "wishmap-bench-scale"
    )
    parser.add_argument(
        "--postgres-url", default=POSTGRES_URL, help="a database to create the city's beside"
    )
    parser.add_argument("--rebuild", action="store_true", help="build the cities again")
    parser.add_argument(
        "--analyse-runs", type=int, default=3, help="flask analyse runs per database (median, max)"
    )
    args = parser.parse_args()
    started = time.monotonic()
    say(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    compile_bytecode()
    results: dict[str, object] = {"load_average": round(os.getloadavg()[0], 2)}
    for name in [part.strip() for part in args.databases.split(",") if part.strip()]:
        if name == "sqlite":
            url = sqlite_city(args.cache_dir, args.seed, args.wishes, args.rebuild)
        elif name == "postgresql":
            url = postgres_city(args.postgres_url, args.seed, args.wishes, args.rebuild)
        else:
            parser.error(f"unknown database {name!r}: sqlite or postgresql")
        results[name] = measure(url, args.repeat, args.add_wishes, args.analyse_runs)
    results["seconds"] = round(time.monotonic() - started)
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
