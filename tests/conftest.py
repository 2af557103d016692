"""Fixtures: an app on a fresh database per test, on SQLite and on PostgreSQL.

WISHMAP_TEST_DATABASES (default "sqlite,postgresql") picks the backends; every test that
uses the `app` fixture runs once per backend. PostgreSQL tests get a schema of their own
(WISHMAP_TEST_POSTGRES_URL, default the local `test` database), dropped at the end.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, g, request_started
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool
from testdb import BACKENDS, POSTGRES_URL, SHARED_DATA

import wishmap.models  # noqa: F401  -- registers every table
from wishmap import create_app, db
from wishmap.db import Base, make_engine
from wishmap.limits import limiter

RUN_ID = uuid.uuid4().hex[:12]
BACKEND_NAMES = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: runs on the SQLite backend only")
    config.addinivalue_line("markers", "postgresql_only: runs on the PostgreSQL backend only")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the other backends' variants of sqlite_only and postgresql_only tests (not skip:
    they never run)."""
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("backend") if callspec else None
        only = [name for name in BACKEND_NAMES if item.get_closest_marker(f"{name}_only")]
        if only and backend is not None and backend not in only:
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """An engine whose connections live in a schema made for this test run alone."""
    schema = f"wm_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    _create_schema(engine)
    yield engine
    engine.dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _create_schema(engine: Engine) -> None:
    """Create every table at once and mark the database as migrated to the newest revision."""
    from alembic import command

    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        command.stamp(db.alembic_config(connection), "head")


def _truncate(engine: Engine) -> None:
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def shared_engine(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A database several connections share for real, for tests of races and live servers.

    The suite's in-memory SQLite is one connection and could not race: here a SQLite file, or
    this run's PostgreSQL schema, emptied afterwards.
    """
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'shared.sqlite'}")
        Base.metadata.create_all(engine)
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("postgres_engine")
    yield engine
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        # A request still waiting on a lock fails the test here rather than hanging it.
        connection.execute(text("SET LOCAL lock_timeout = '30s'"))
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(autouse=True)
def _forget_caches() -> Iterator[None]:
    """Per-database caches key on a fingerprint; one test's stand-in must not reach the next."""
    yield
    from wishmap.services.caching import forget_all

    forget_all()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def engine(backend: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A database with the current schema and no rows."""
    if backend == "sqlite":
        engine = make_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        _create_schema(engine)
        yield engine
        engine.dispose()
    else:
        engine = request.getfixturevalue("postgres_engine")
        yield engine
        _truncate(engine)


@pytest.fixture
def app(engine: Engine, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "ENGINE": engine,
            "DATABASE_URL": str(engine.url),
            # Per run: the advisory locks that serialise wishes on PostgreSQL are keyed on it
            # and span the whole database, so two runs in two schemas would wait on each other.
            "SECRET_KEY": f"test-secret-{RUN_ID}",
            "TILE_URL": "",
            "LOG_LEVEL": "WARNING",
        }
    )
    app.instance_path = str(tmp_path / "instance")
    request_started.connect(_fresh_request_globals, app)
    with app.app_context():
        # Rate-limit counts never leak from one test into the next.
        limiter.reset()
        yield app
    request_started.disconnect(_fresh_request_globals, app)


def _fresh_request_globals(sender: Flask, **_extra: object) -> None:
    """Start each request with a clean `g`, as in production, keeping the test's db session.

    The fixture's app context outlives single requests, so without this the logged-in user
    (Flask-Login), the CSRF token (Flask-WTF) and the CSP nonce would leak between requests.
    """
    for name in [name for name in g if name != "db_session"]:
        g.pop(name)


@pytest.fixture
def shared_app(shared_engine: Engine) -> Iterator[Flask]:
    """An app on a database that several connections share for real (races, locks, loads)."""
    app = create_app(
        {
            "TESTING": True,
            "ENGINE": shared_engine,
            "DATABASE_URL": str(shared_engine.url),
            # Advisory locks are database-wide: a key of this test's own shares none with
            # a test run in another schema.
            "SECRET_KEY": f"shared-{uuid.uuid4().hex}",
            "TILE_URL": "",
            "LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        yield app
        db.close_session()


@pytest.fixture
def session(app: Flask) -> Session:
    return db.session()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def outbox(app: Flask, tmp_path: Path) -> Path:
    """The folder the app's e-mails are written to (the folder mail backend), one per test."""
    folder = tmp_path / "outbox"
    app.config.update(MAIL_BACKEND="folder", MAIL_OUTBOX=str(folder))
    return folder


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def paris_data() -> Path:
    """The real Paris open data beside the repository (../shared/data/paris)."""
    folder = SHARED_DATA / "paris"
    if not folder.is_dir():
        pytest.skip(f"real data not found at {folder}")
    return folder
