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
