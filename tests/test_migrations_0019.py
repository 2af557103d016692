"""Migration 0019: the statistics' cross rows, filled on an existing database, counted after."""

from __future__ import annotations

from collections.abc import Callable
from unittest.mock import patch

from alembic import command
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.orm import Session
from test_migrations_0017 import empty_database  # noqa: F401  -- the fixture

from wishmap.db import alembic_config, schema_drift, upgrade
from wishmap.services import statistics_aggregates as live
from wishmap.services.statistics import StatsQuery, statistics, tables

TABLES = {"agg_stat_cross_days", "agg_stat_cross_day_pairs"}
# (level, id): two quartiers, and a zone holding quartier 1 and half of quartier 2.
DISTRICTS = (("quartier", 1), ("quartier", 2), ("zone", 3))


def _seed(engine: Engine) -> None:
    """A shop type, districts of two crossing levels, three residents and their wishes."""
    with engine.begin() as connection:
        connection.execute(
            text(
                'INSERT INTO shop_types (id, code, osm_tag, "group", label_en, label_fr,'
                " label_nl, icon) VALUES (1, 'bakery', 'shop', 'food', 'b', 'b', 'b', 'x')"
            )
        )
        for user_id in (1, 2, 3):
            connection.execute(
                text(
                    "INSERT INTO users (id, email, display_name, role, created_at, session_token)"
                    " VALUES (:id, :email, 'r', 'resident', '2026-12-01 00:00:00', :token)"
                ),
                {"id": user_id, "email": f"r{user_id}@example.org", "token": f"t{user_id}"},
            )
        for level, district_id in DISTRICTS:
            connection.execute(
                text(
                    "INSERT INTO districts (id, ref, name, level, geometry, min_lat, min_lon,"
                    " max_lat, max_lon) VALUES (:id, :ref, :ref, :level, '{}', 0, 0, 0, 0)"
                ),
                {"id": district_id, "ref": f"{level}{district_id}", "level": level},
            )
        for index in range(8):
            _add_wish(connection, index)


def _add_wish(connection: Connection, index: int) -> None:
    """Wish `index` of resident index % 3 on day index % 4, in quartier 1 or 2; the zone
    holds quartier 1's and the even ones of quartier 2."""
    wish_id = connection.execute(
        text(
            "INSERT INTO wishes (user_id, shop_type_id, lat, lon, status, created_at)"
            " VALUES (:user, 1, 48.88, 2.38, 'active', :day) RETURNING id"
        ),
        {"user": index % 3 + 1, "day": f"2026-11-0{index % 4 + 1} 10:00:00"},
    ).scalar_one()
    quartier = 1 + index % 2
    rows = [("quartier", quartier)] + [("zone", 3)] * (quartier == 1 or index % 4 == 1)
    for level, district_id in rows:
        connection.execute(
            text(
                "INSERT INTO wish_districts (wish_id, level, district_id)"
                " VALUES (:wish, :level, :district)"
            ),
            {"wish": wish_id, "level": level, "district": district_id},
        )


def _table(engine: Engine) -> list[tuple]:
    """Quartiers filtered on the zone: read from the cross rows (the levels do not nest)."""
    with Session(engine) as session:
        query = StatsQuery(by=("district", "month"), level="quartier", district_id=3)
        with patch.object(tables, "scan_tallies", side_effect=AssertionError("scanned")):
            found = statistics(session, query, 1)
        scanned = statistics(session, query, 1, scan=True)
        rows = [(row.keys, row.wishes, row.residents) for row in found.rows]
        assert rows == [(row.keys, row.wishes, row.residents) for row in scanned.rows]
        return rows


def _equal_to_a_rebuild(engine: Engine) -> None:
    with Session(engine) as session:
        kept = live.snapshot(session)
        live.rebuild(session)
        assert live.snapshot(session) == kept


def test_upgrade_fills_the_cross_rows_and_the_triggers_keep_them(
    empty_database: Callable[[], Engine],  # noqa: F811
) -> None:
    engine = empty_database()
    upgrade(engine, "0018")
    _seed(engine)
    upgrade(engine, "0019")
    assert schema_drift(engine) == []
    with Session(engine) as session:
        assert set(live.kept_levels(session)) == {"quartier", "zone"}
        cross_days = live.snapshot(session)[4]
    assert {row[3:7] for row in cross_days} == {
        ("quartier", 1, "zone", 3),
        ("quartier", 2, "zone", 3),
        ("quartier", 2, "zone", 0),
    }
    before = _table(engine)
    assert [keys for keys, _wishes, _residents in before][:2] == [(1, 202611), (2, 202611)]
    _equal_to_a_rebuild(engine)
    # The triggers count through the new tables: a wish added, another withdrawn.
    with engine.begin() as connection:
        _add_wish(connection, 9)
        connection.execute(text("UPDATE wishes SET status = 'withdrawn' WHERE id = 1"))
    assert _table(engine) != before
    _equal_to_a_rebuild(engine)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0018")
    assert not TABLES & set(inspect(engine).get_table_names())
    # 0015's triggers are back: a wish in both levels still lands and counts.
    with engine.begin() as connection:
        _add_wish(connection, 10)
        days = connection.scalar(text("SELECT sum(wishes) FROM agg_stat_days WHERE kind = 0"))
    assert days == 8 - 1 + 2
