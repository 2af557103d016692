"""Migration 0017: the live counts keyed as the map reads them, on an existing database too."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session
from testdb import BACKENDS, POSTGRES_URL

import wishmap.models  # noqa: F401  -- registers every table
from wishmap.db import Base, alembic_config, make_engine, schema_drift, upgrade
from wishmap.services import aggregates

TABLES = ("agg_demand_cells", "agg_premise_types")
LAT0, BASE_M = 49.0, 100.0


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[], Engine]]:
    """A factory of empty databases of the parameter's kind (files, or PostgreSQL schemas)."""
    if request.param not in BACKENDS:
        pytest.skip(f"{request.param} not selected")
    engines: list[Engine] = []
    schemas: list[str] = []

    def make() -> Engine:
        if request.param == "sqlite":
            engine = make_engine(f"sqlite:///{tmp_path / f'{len(engines)}.sqlite'}")
        else:
            schema = f"wm_0017_{uuid.uuid4().hex[:10]}"
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            schemas.append(schema)
            options = {"options": f"-csearch_path={schema}"}
            engine = make_engine(POSTGRES_URL, connect_args=options)
        engines.append(engine)
        return engine

    admin = make_engine(POSTGRES_URL) if request.param == "postgresql" else None
    yield make
    for engine in engines:
        engine.dispose()
    if admin is not None:
        with admin.begin() as connection:
            for schema in schemas:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def key_layout(engine: Engine) -> dict[str, tuple[object, ...]]:
    """Per aggregate table: its key's columns in order, and how the rows are stored with it."""
    layout: dict[str, tuple[object, ...]] = {}
    with engine.connect() as connection:
        for table in TABLES:
            if engine.dialect.name == "sqlite":
                info = connection.execute(text(f"PRAGMA table_info({table})")).mappings()
                key = tuple(row["name"] for row in sorted(info, key=lambda r: r["pk"]) if row["pk"])
                listed = connection.execute(text(f"PRAGMA table_list({table})")).mappings()
                layout[table] = (key, "without rowid" if next(iter(listed))["wr"] else "rowid")
            else:
                definition = connection.scalar(
                    text(
                        "SELECT pg_get_indexdef(conindid) FROM pg_constraint"
                        " WHERE conname = :name AND conrelid = to_regclass(:table)"
                    ),
                    {"name": f"pk_{table}", "table": table},
                )
                layout[table] = (re.sub(r"^.* USING ", "", definition),)
    return layout


UPGRADED = {
    "sqlite": {
        "agg_demand_cells": (("level", "shop_type_id", "cell_row", "cell_col"), "without rowid"),
        "agg_premise_types": (("premise_id", "shop_type_id"), "without rowid"),
    },
    "postgresql": {
        "agg_demand_cells": ("btree (level, shop_type_id, cell_row, cell_col)",),
        "agg_premise_types": ("btree (premise_id, shop_type_id) INCLUDE (wishes)",),
    },
}
BEFORE = {
    "sqlite": {
        "agg_demand_cells": (("level", "cell_row", "cell_col", "shop_type_id"), "rowid"),
        "agg_premise_types": (("premise_id", "shop_type_id"), "rowid"),
    },
    "postgresql": {
        "agg_demand_cells": ("btree (level, cell_row, cell_col, shop_type_id)",),
        "agg_premise_types": ("btree (premise_id, shop_type_id)",),
    },
}


def test_migrated_keys_are_the_models(empty_database: Callable[[], Engine]) -> None:
    # Alembic's drift check compares neither keys' order nor how a table stores its rows.
    migrated, created = empty_database(), empty_database()
    upgrade(migrated)
    Base.metadata.create_all(created)
    dialect = migrated.dialect.name
    assert key_layout(migrated) == key_layout(created) == UPGRADED[dialect]
    assert schema_drift(migrated) == []


def _seed(engine: Engine) -> None:
    """Two shop types, two premises, the grid, and wishes on premises and free."""
    dlat, dlon = aggregates.grid_degrees(BASE_M, LAT0)
    with engine.begin() as connection:
        for type_id, code in ((1, "bakery"), (2, "bar")):
            connection.execute(
                text(
                    'INSERT INTO shop_types (id, code, osm_tag, "group", label_en, label_fr,'
                    " label_nl, icon) VALUES (:id, :code, 'shop', 'food', :code, :code, :code,"
                    " 'x')"
                ),
                {"id": type_id, "code": code},
            )
        for premise_id in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO premises (id, ref, address, street_name, lat, lon, status,"
                    " updated_at) VALUES (:id, :ref, 'a', 'b', :lat, 2.37, 'vacant',"
                    " '2026-12-01 00:00:00')"
                ),
                {"id": premise_id, "ref": f"P{premise_id}", "lat": 48.87 + premise_id / 100},
            )
        connection.execute(
            text(
                "INSERT INTO agg_demand_grid (id, lat0, base_m, dlat, dlon)"
                " VALUES (1, :lat0, :base_m, :dlat, :dlon)"
            ),
            {"lat0": LAT0, "base_m": BASE_M, "dlat": dlat, "dlon": dlon},
        )
        for index in range(12):
            _add_wish(connection, index % 2 + 1, index % 3 + 1 if index % 3 < 2 else None, index)


def _add_wish(
    connection: Connection, shop_type_id: int, premise_id: int | None, index: int
) -> None:
    connection.execute(
        text(
            "INSERT INTO wishes (shop_type_id, premise_id, lat, lon, status, created_at)"
            " VALUES (:type, :premise, :lat, :lon, 'active', '2026-12-01 00:00:00')"
        ),
        {"type": shop_type_id, "premise": premise_id, "lat": 48.87 + index / 500, "lon": 2.37},
    )


def _rows(engine: Engine) -> tuple[set[tuple], set[tuple]]:
    with Session(engine) as session:
        return aggregates.snapshot(session)


def test_upgrade_in_place_keeps_the_counts_and_the_triggers(
    empty_database: Callable[[], Engine],
) -> None:
    engine = empty_database()
    upgrade(engine, "0016")
    _seed(engine)
    before = _rows(engine)
    assert before[0] and before[1]
    upgrade(engine, "0017")
    dialect = engine.dialect.name
    assert key_layout(engine) == UPGRADED[dialect]
    assert _rows(engine) == before
    # The triggers count through the new tables: a wish added, another withdrawn, as a rebuild.
    with engine.begin() as connection:
        _add_wish(connection, 2, 1, 40)
        connection.execute(text("UPDATE wishes SET status = 'withdrawn' WHERE id = 1"))
    kept = _rows(engine)
    assert kept != before
    with Session(engine) as session:
        aggregates.rebuild(session, LAT0, BASE_M)
    assert _rows(engine) == kept
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0016")
    assert key_layout(engine) == BEFORE[dialect]
    assert _rows(engine) == kept
