"""Scale-out: two app servers (each its own gunicorn process) on one PostgreSQL schema and one
Redis share their rate limits and their counts.

PostgreSQL only (the scale-out path; SQLite is the one-server setup): it makes its own schema
in the test database and its own Redis key prefix, so parallel runs never meet. Bounded: the
servers get 120 s to answer, every request 60 s.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from alembic import command
from redis import Redis
from sqlalchemy import text
from sqlalchemy.orm import Session
from testdb import BACKENDS, POSTGRES_URL

import wishmap.models  # noqa: F401  -- registers every table
from wishmap import ROOT, db
from wishmap.db import Base, make_engine
from wishmap.models import Premise, User
from wishmap.models._types import utcnow
from wishmap.services.shop_types import seed_shop_types
from wishmap.services.users import hash_password

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL deselected"),
]

REDIS_URL = os.environ.get("WISHMAP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PASSWORD = "scale-out-password"
BBOX = "2.370,48.870,2.380,48.880"
# The app of both servers: the test run's own Redis key prefix for the rate limits.
WSGI = """from wishmap import create_app

app = create_app({{"RATELIMIT_KEY_PREFIX": {prefix!r}, "LOGIN_RATE_LIMIT": "5 per minute"}})
"""


@contextmanager
def schema_of_its_own() -> Iterator[str]:
    """Yield the URL of a migrated, seeded PostgreSQL schema; drop it afterwards."""
    schema = f"wm_scale_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        Base.metadata.create_all(engine)
        with engine.begin() as connection:
            command.stamp(db.alembic_config(connection), "head")
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def seed(url: str) -> int:
    """Add the shop types, one resident of long standing and one vacant premise; its id."""
    engine = make_engine(url)
    month_ago = utcnow() - timedelta(days=30)
    with Session(engine) as session:
        seed_shop_types(session)
        session.add(
            User(
                email="resident@scale.example",
                display_name="Resident",
                password_hash=hash_password(PASSWORD),
                role="resident",
                created_at=month_ago,
                email_verified_at=month_ago,
            )
        )
        premise = Premise(
            ref="SCALE-1",
            address="1 Rue du Test",
            street_name="Rue du Test",
            lat=48.875,
            lon=2.375,
            status="vacant",
        )
        session.add(premise)
        session.commit()
        premise_id = premise.id
    engine.dispose()
    return premise_id


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def app_server(env: dict[str, str], folder: Path, log: Path) -> Iterator[str]:
    """Serve the app with gunicorn.conf.py (one worker) in a process of its own; its base URL."""
    port = free_port()
    with log.open("wb") as out:
        config = str(ROOT / "gunicorn.conf.py")
        process = subprocess.Popen(
            [GUNICORN, "-c", config, "--pythonpath", str(folder), "scale_out_wsgi:app"],
            cwd=ROOT,
            env={**env, "WISHMAP_BIND": f"127.0.0.1:{port}"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_up(base: str, log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, log.read_text()[-2000:]
        time.sleep(0.3)


def token_of(client: requests.Session, url: str) -> str:
    page = client.get(url, timeout=60).text
    found = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def wishes_at(client: requests.Session, base: str, premise_id: int) -> int:
    collection = client.get(f"{base}/api/premises.geojson?bbox={BBOX}", timeout=60).json()
    [feature] = [f for f in collection["features"] if f["id"] == premise_id]
    return int(feature["properties"]["wishes"])


def test_two_app_servers_share_rate_limits_and_counts(tmp_path: Path) -> None:
    prefix = f"wishmap-test-{uuid.uuid4().hex[:12]}"
    (tmp_path / "scale_out_wsgi.py").write_text(WSGI.format(prefix=prefix))
    redis = Redis.from_url(REDIS_URL)
    with schema_of_its_own() as url, ExitStack() as servers:
        premise_id = seed(url)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": REDIS_URL,
            "SECRET_KEY": secrets.token_hex(32),  # the same on both: one session, two servers
            "WEB_CONCURRENCY": "1",
            "WISHMAP_THREADS": "2",
            "WISHMAP_MAIL_BACKEND": "folder",
            "WISHMAP_MAIL_OUTBOX": str(tmp_path / "outbox"),
            "WISHMAP_INSECURE_COOKIES": "1",  # plain http on the loopback
            "WISHMAP_LOG_LEVEL": "WARNING",
        }
        logs = [tmp_path / "a.log", tmp_path / "b.log"]
        bases = [servers.enter_context(app_server(env, tmp_path, log)) for log in logs]
        for base, log in zip(bases, logs, strict=True):
            wait_until_up(base, log)
        a, b = bases
        try:
            resident = requests.Session()
            # Counts: logged in on A, a wish posted on A shows in B's map data at once.
            assert wishes_at(resident, b, premise_id) == 0
            token = token_of(resident, f"{a}/account/login")
            logged = resident.post(
                f"{a}/account/login",
                data={"email": "resident@scale.example", "password": PASSWORD, "csrf_token": token},
                allow_redirects=False,
                timeout=60,
            )
            assert logged.status_code in (302, 303), logged.text[:500]
            token = token_of(resident, f"{b}/me/")  # B knows the session A opened
            wished = resident.post(
                f"{a}/wishes/",
                data={"premise": premise_id, "type": "bakery", "csrf_token": token},
                headers={"Accept": "application/json"},
                timeout=60,
            )
            assert wished.status_code == 201, wished.text[:500]
            assert wishes_at(resident, b, premise_id) == 1
            assert wishes_at(resident, a, premise_id) == 1

            # Limits: 5 log-ins a minute per address. The one above was the first; four more
            # wrong passwords alternate between the servers, and the sixth, on either, is refused.
            stranger = requests.Session()
            token = token_of(stranger, f"{b}/account/login")
            statuses = []
            for attempt in range(6):
                base = bases[(attempt + 1) % 2]  # B, A, B, A, B, A
                answer = stranger.post(
                    f"{base}/account/login",
                    data={"email": "nobody@scale.example", "password": "no", "csrf_token": token},
                    allow_redirects=False,
                    timeout=60,
                )
                statuses.append(answer.status_code)
            assert statuses == [200, 200, 200, 200, 429, 429]
        finally:
            for key in redis.scan_iter(f"{prefix}*"):
                redis.delete(key)
            redis.close()
