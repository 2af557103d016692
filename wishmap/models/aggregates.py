"""Live counts of active wishes, kept by database triggers in the same transaction as the wish.

The map reads these rows instead of scanning every wish. Triggers rather than Python calls keep
them exact whoever writes a wish: an ORM change, a bulk UPDATE (holds, releases, privacy's
deletions), an import's INSERT ... SELECT or a premise's cascading delete. The trigger SQL is here,
beside the tables, so that create_all (tests) and migration 0008 install the same thing.
wishmap/services/aggregates.py rebuilds and reads them.
"""

from __future__ import annotations

from sqlalchemy import Connection, Float, Integer, MetaData, PrimaryKeyConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column

from wishmap.db import Base

# Cell levels kept: level k has cells of base × 2**k metres. One stored level every two lets any
# zoom read at most 2 × 2 stored rows per cell it draws.
LEVELS = (0, 2, 4, 6, 8, 10, 12, 14)
# shop_type_id 0 in agg_demand_cells counts every type (the map's default, unfiltered layer).
ALL_TYPES = 0


class DemandGrid(Base):
    """The one grid the cell counts are for (the map's grid latitude and base cell size)."""

    __tablename__ = "agg_demand_grid"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lat0: Mapped[float] = mapped_column(Float)
    base_m: Mapped[float] = mapped_column(Float)
    dlat: Mapped[float] = mapped_column(Float)
    dlon: Mapped[float] = mapped_column(Float)


class DemandCellCount(Base):
    """Active wishes of one shop type (0 = all) in one grid cell of one level."""

    __tablename__ = "agg_demand_cells"
    # The map reads one level and one type (or a few) over a range of rows and columns: keyed
    # in that order, a view reads its own cells only, not every type of every cell of its rows
    # across the city (migration 0017). SQLite stores the rows in the key itself (no rowid: no
    # second lookup per row). PostgreSQL's key leaves the counts out: the 16 rows a wish changes
    # are then updated in place (HOT), without new index entries.
    __table_args__ = (
        PrimaryKeyConstraint("level", "shop_type_id", "cell_row", "cell_col"),
        {"sqlite_with_rowid": False},
    )

    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    cell_row: Mapped[int] = mapped_column(Integer, primary_key=True)
    cell_col: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_type_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wishes: Mapped[int] = mapped_column(Integer)


class PremiseTypeCount(Base):
    """Active wishes of one shop type on one premise."""

    __tablename__ = "agg_premise_types"
    # The map sums a premise's rows for each premise in view: read from the key alone, in
    # SQLite's key-ordered table and PostgreSQL's covering key (an index-only scan, which also
    # makes the planner loop over the premises in view instead of reading every row).
    __table_args__ = (
        PrimaryKeyConstraint("premise_id", "shop_type_id", postgresql_include=["wishes"]),
        {"sqlite_with_rowid": False},
    )

    premise_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_type_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wishes: Mapped[int] = mapped_column(Integer)


def base_row(dialect: str, lat: str, dlat: str) -> str:
    """SQL for a point's level-0 grid index (positive: the grid starts at -90° / -180°)."""
    # SQLite's CAST truncates, a floor for positive values; PostgreSQL's CAST rounds.
    if dialect == "sqlite":
        return f"CAST(({lat} + 90) / {dlat} AS INTEGER)"
    return f"CAST(floor(({lat} + 90) / {dlat}) AS INTEGER)"


def base_col(dialect: str, lon: str, dlon: str) -> str:
    if dialect == "sqlite":
        return f"CAST(({lon} + 180) / {dlon} AS INTEGER)"
    return f"CAST(floor(({lon} + 180) / {dlon}) AS INTEGER)"


def _levels_sql() -> str:
    return " UNION ALL ".join(f"SELECT {k} AS level, {2**k} AS f" for k in LEVELS)


def _cell_keys(dialect: str, rec: str) -> str:
    # Every (level, row, col, type) a wish counts in: its type and ALL_TYPES at each level.
    row = base_row(dialect, f"{rec}.lat", "g.dlat")
    col = base_col(dialect, f"{rec}.lon", "g.dlon")
    return (
        f"SELECT l.level AS level, {row} / l.f AS cell_row, {col} / l.f AS cell_col,"
        " t.id AS shop_type_id"
        # The grid's one row by its key: PostgreSQL never analyses a one-row table, and planned
        # from a guess of ~1,300 rows the removal (withdraw, hold, hide) scanned every cell row
        # (76 ms at 300,000 cells, 0.7 ms so).
        f" FROM (SELECT dlat, dlon FROM agg_demand_grid WHERE id = 1) g, ({_levels_sql()}) l,"
        f" (SELECT {rec}.shop_type_id AS id UNION ALL SELECT {ALL_TYPES}) t"
    )


def _add(dialect: str, rec: str, when: str) -> list[str]:
    keys = _cell_keys(dialect, rec)
    return [
        "INSERT INTO agg_premise_types (premise_id, shop_type_id, wishes)"
        f" SELECT {rec}.premise_id, {rec}.shop_type_id, 1"
        f" WHERE {rec}.premise_id IS NOT NULL AND {when}"
        " ON CONFLICT (premise_id, shop_type_id)"
        " DO UPDATE SET wishes = agg_premise_types.wishes + 1",
        "INSERT INTO agg_demand_cells (level, cell_row, cell_col, shop_type_id, wishes)"
        f" SELECT k.*, 1 FROM ({keys}) k WHERE {when}"
        " ON CONFLICT (level, cell_row, cell_col, shop_type_id)"
        " DO UPDATE SET wishes = agg_demand_cells.wishes + 1",
    ]


def _remove(dialect: str, rec: str, when: str) -> list[str]:
    keys = _cell_keys(dialect, rec)
    premise = f"premise_id = {rec}.premise_id AND shop_type_id = {rec}.shop_type_id AND {when}"
    cells = f"(level, cell_row, cell_col, shop_type_id) IN ({keys}) AND {when}"
    # A count that reaches zero is deleted: the table then equals a rebuild, row for row.
    return [
        f"UPDATE agg_premise_types SET wishes = wishes - 1 WHERE {premise}",
        f"DELETE FROM agg_premise_types WHERE wishes <= 0 AND {premise}",
        f"UPDATE agg_demand_cells SET wishes = wishes - 1 WHERE {cells}",
        f"DELETE FROM agg_demand_cells WHERE wishes <= 0 AND {cells}",
    ]


def trigger_statements(dialect: str) -> list[str]:
    """The statements that install the triggers on wishes (idempotent)."""
    active = "'active'"
    if dialect == "sqlite":
        new_on, old_on = f"NEW.status = {active}", f"OLD.status = {active}"
        insert = ";\n".join(_add(dialect, "NEW", new_on))
        delete = ";\n".join(_remove(dialect, "OLD", old_on))
        update = ";\n".join(_remove(dialect, "OLD", old_on) + _add(dialect, "NEW", new_on))
        return [
            *drop_trigger_statements(dialect),
            f"CREATE TRIGGER agg_wish_insert AFTER INSERT ON wishes BEGIN {insert}; END",
            f"CREATE TRIGGER agg_wish_delete AFTER DELETE ON wishes BEGIN {delete}; END",
            "CREATE TRIGGER agg_wish_update AFTER UPDATE OF status, lat, lon, shop_type_id,"
            f" premise_id ON wishes BEGIN {update}; END",
        ]
    remove = ";\n".join(_remove(dialect, "OLD", "TRUE"))
    add = ";\n".join(_add(dialect, "NEW", "TRUE"))
    function = f"""
CREATE OR REPLACE FUNCTION agg_wish_change() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF OLD.status = {active} THEN {remove}; END IF;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    IF NEW.status = {active} THEN {add}; END IF;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql"""
    return [
        *drop_trigger_statements(dialect),
        function,
        "CREATE TRIGGER agg_wish_change AFTER INSERT OR UPDATE OR DELETE ON wishes"
        " FOR EACH ROW EXECUTE FUNCTION agg_wish_change()",
    ]


def drop_trigger_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS agg_wish_{name}" for name in ("insert", "delete", "update")
        ]
    return ["DROP TRIGGER IF EXISTS agg_wish_change ON wishes"]


def install_triggers(connection: Connection) -> None:
    for statement in trigger_statements(connection.dialect.name):
        connection.execute(text(statement))


@event.listens_for(Base.metadata, "after_create")
def _after_create(target: MetaData, connection: Connection, **_kw: object) -> None:
    # create_all (tests, bench, first start) installs the triggers once every table exists.
    if "wishes" in target.tables:
        install_triggers(connection)
