"""The migration history builds the current schema from nothing, with no drift."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from testdb import BACKENDS, POSTGRES_URL

from wishmap.db import make_engine, schema_drift, upgrade


def test_sqlite_upgrade_from_empty_has_no_drift(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    upgrade(engine)
    assert {"users", "premises", "wishes", "streets", "shops", "shop_types"} <= set(
        inspect(engine).get_table_names()
    )
    assert schema_drift(engine) == []
    engine.dispose()


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL not selected")
def test_postgresql_upgrade_from_empty_has_no_drift() -> None:
    schema = f"wm_migrate_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade(engine)
        assert "wishes" in inspect(engine).get_table_names()
        assert schema_drift(engine) == []
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_upgrade_in_place_keeps_accounts(tmp_path: Path) -> None:
    """A database holding accounts at revision 0001 upgrades; each account gets its own token."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    upgrade(engine, "0001")
    with engine.begin() as connection:
        for email in ("a@example.org", "b@example.org"):
            connection.execute(
                text(
                    "INSERT INTO users (email, display_name, role, created_at) "
                    "VALUES (:email, 'x', 'resident', '2026-01-01 00:00:00')"
                ),
                {"email": email},
            )
    upgrade(engine)
    with engine.connect() as connection:
        tokens = connection.execute(text("SELECT session_token FROM users")).scalars().all()
    assert len(tokens) == 2 and len(set(tokens)) == 2 and all(len(t) == 32 for t in tokens)
    assert schema_drift(engine) == []
    engine.dispose()
