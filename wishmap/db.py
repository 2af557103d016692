"""Database wiring: the declarative Base, one engine per app, one session per app context."""

from __future__ import annotations

import re
import time
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, MetaData, create_engine, event, inspect, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# Named constraints let Alembic alter them later, on SQLite as on PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


SQLITE_BUSY_TIMEOUT_MS = 30_000
# A pooled connection idle this long is pinged before use; one used more recently is trusted.
PING_AFTER_IDLE_S = 1.0


def make_engine(url: str, **options: Any) -> Engine:
    """Return an engine for url; SQLite gets foreign keys, WAL and a busy timeout."""
    if url.startswith("sqlite"):
        options.setdefault("connect_args", {}).setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
        # Pool sizes are PostgreSQL's business; SQLite's pools take no such arguments.
        options.pop("pool_size", None)
        options.pop("max_overflow", None)
        engine = create_engine(url, **options)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # SQLite ignores foreign keys unless asked, per connection.
            cursor.execute("PRAGMA foreign_keys=ON")
            # Writers wait for each other instead of failing with "database is locked".
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            # WAL: readers (the map) never wait for a writer (a wish), nor the writer for them.
            # The mode sticks to the file; an in-memory database answers "memory" and stays so.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    engine = create_engine(url, **options)
    _ping_idle_connections(engine)
    return engine


def _ping_idle_connections(engine: Engine) -> None:
    """Ping a pooled connection before use only when it sat idle (pool_pre_ping pings always).

    pool_pre_ping cost a round trip on every request (a wish, a map tile's data); under load a
    connection comes back within milliseconds and a database restart in between is unlikely.
    A connection idle past PING_AFTER_IDLE_S (a quiet night, a restarted database) is still
    tested, and replaced by the pool when dead. A connection that dies while in use fails its
    request either way, and SQLAlchemy then renews the pool's older connections.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["wishmap_checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in = record.info.get("wishmap_checked_in")
        if checked_in is None or time.monotonic() - checked_in < PING_AFTER_IDLE_S:
            return  # fresh from connect(), or just used
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool discards this connection and checks out (or opens) another.
            raise DisconnectionError("idle connection failed its ping") from error


def init_app(app: Flask) -> None:
    """Bind an engine and a session factory to app and close sessions at teardown."""
    engine = app.config.get("ENGINE") or make_engine(
        app.config["DATABASE_URL"],
        echo=app.config.get("SQLALCHEMY_ECHO", False),
        pool_size=app.config.get("DATABASE_POOL_SIZE", 5),
        max_overflow=app.config.get("DATABASE_MAX_OVERFLOW", 5),
    )
    app.extensions["wishmap.engine"] = engine
    app.extensions["wishmap.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(close_session)


def engine() -> Engine:
    """Return the current app's engine."""
    return current_app.extensions["wishmap.engine"]


def session() -> Session:
    """Return the session of the current app context, opening it on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["wishmap.sessionmaker"]()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    """Close the app context's session, rolling back anything left uncommitted."""
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


def alembic_config(connection: Any = None) -> Any:
    """Return an Alembic Config for the migrations folder, bound to connection if given."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(db_engine: Engine, revision: str = "head") -> None:
    """Upgrade the database behind db_engine to revision through the migration history."""
    # Every command upgrades first; at head there is nothing to do, and importing and running
    # Alembic to find that out cost 0.11 s of each command's start-up (flask analyse: ~5%).
    if revision == "head" and current_revisions(db_engine) == migration_heads():
        return
    from alembic import command

    with db_engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


_REVISION = re.compile(r"^revision\b[^=]*=\s*(.+)$", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=]*=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")


@cache
def migration_heads() -> tuple[str, ...]:
    """Return the head revisions of the migration scripts, sorted (read once per process).

    Read from the scripts' `revision` and `down_revision` lines, as Alembic's ScriptDirectory
    reads them (a test holds the two equal), without importing Alembic.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revision = _REVISION.search(source)
        if revision is None:
            continue
        revisions.update(_QUOTED.findall(revision.group(1)))
        down = _DOWN_REVISION.search(source)
        if down is not None:
            parents.update(_QUOTED.findall(down.group(1)))
    return tuple(sorted(revisions - parents))


def current_revisions(db_engine: Engine) -> tuple[str, ...]:
    """Return the revisions the database is at, sorted (empty for a database never migrated)."""
    with db_engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return ()
        rows = connection.execute(text("SELECT version_num FROM alembic_version"))
        return tuple(sorted(row[0] for row in rows))


def schema_drift(db_engine: Engine) -> list[Any]:
    """Return the differences between the models and the migrated database (empty: none)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    import wishmap.models  # noqa: F401  -- registers every table on Base.metadata

    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)
