"""The migration history builds the current schema from nothing, with no drift."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from testdb import BACKENDS, POSTGRES_URL

from wishmap.db import current_revisions, make_engine, migration_heads, schema_drift, upgrade


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


def test_migration_heads_are_alembics(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    from wishmap.db import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    assert migration_heads() == tuple(sorted(script.get_heads()))
    # A branch point and a merge written as a tuple, as `alembic merge` writes it.
    versions = tmp_path / "versions"
    versions.mkdir()
    for name, header in {
        "a": 'revision = "a"\ndown_revision = None',
        "b": 'revision: str = "b"\ndown_revision: str | None = "a"',
        "c": "revision = 'c'\ndown_revision = 'a'",
        "d": 'revision = "d"\ndown_revision = ("b", "c")',
        "e": 'revision = "e"\ndown_revision = "a"',
    }.items():
        (versions / f"{name}_x.py").write_text(f'"""{name}"""\n\n{header}\n', encoding="utf-8")
    migration_heads.cache_clear()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("wishmap.db.MIGRATIONS_DIR", tmp_path)
            assert migration_heads() == ("d", "e")
    finally:
        migration_heads.cache_clear()


def test_upgrade_at_head_leaves_alembic_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alembic import command

    engine = make_engine(f"sqlite:///{tmp_path / 'head.sqlite'}")
    assert current_revisions(engine) == ()
    upgrade(engine, "0019")
    assert current_revisions(engine) == ("0019",)
    calls: list[str] = []
    real_upgrade = command.upgrade
    monkeypatch.setattr(command, "upgrade", lambda *a: calls.append(a[1]) or real_upgrade(*a))
    upgrade(engine)
    assert calls == ["head"] and current_revisions(engine) == migration_heads()
    upgrade(engine)  # at head: no Alembic run at all
    assert calls == ["head"]
    engine.dispose()
