"""aggregate keys: the map reads the live counts from their key alone

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 18:10:00

agg_demand_cells is keyed (level, shop_type_id, cell_row, cell_col): a view reads one level and
type over a range of rows and columns, where the old key (level, cell_row, cell_col, type) made
it read every type of every cell of its rows across the city. agg_premise_types' key carries the
counts. SQLite: both tables become WITHOUT ROWID (the row is in the key: no lookup per row), a
rebuild, with the wish triggers that name them dropped meanwhile (renaming a table checks every
trigger). PostgreSQL: the keys are rebuilt in place, the premise key covering (INCLUDE wishes:
an index-only scan per premise in view); the cell key does not carry the counts, so that a wish's
16 cell updates stay HOT. The rows are kept as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from wishmap.models.aggregates import drop_trigger_statements, trigger_statements

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CELL_COLUMNS = ("level", "cell_row", "cell_col", "shop_type_id", "wishes")
PREMISE_COLUMNS = ("premise_id", "shop_type_id", "wishes")


def _columns(names: Sequence[str]) -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def _rebuild_sqlite(
    table: str, columns: Sequence[str], key: Sequence[str], with_rowid: bool
) -> None:
    new = f"_alembic_tmp_{table}"
    op.create_table(
        new,
        *_columns(columns),
        sa.PrimaryKeyConstraint(*key, name=op.f(f"pk_{table}")),
        sqlite_with_rowid=with_rowid,
    )
    listed = ", ".join(columns)
    op.execute(sa.text(f"INSERT INTO {new} ({listed}) SELECT {listed} FROM {table}"))
    op.drop_table(table)
    op.rename_table(new, table)


def _rekey_postgresql(table: str, key: Sequence[str], include: str = "") -> None:
    op.execute(
        sa.text(
            f"ALTER TABLE {table} DROP CONSTRAINT pk_{table},"
            f" ADD CONSTRAINT pk_{table} PRIMARY KEY ({', '.join(key)}){include}"
        )
    )


def _set_keys(cell_key: Sequence[str], premise_include: str, with_rowid: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in drop_trigger_statements("sqlite"):
            op.execute(sa.text(statement))
        _rebuild_sqlite("agg_demand_cells", CELL_COLUMNS, cell_key, with_rowid)
        _rebuild_sqlite("agg_premise_types", PREMISE_COLUMNS, PREMISE_COLUMNS[:2], with_rowid)
        for statement in trigger_statements("sqlite"):
            op.execute(sa.text(statement))
        return
    _rekey_postgresql("agg_demand_cells", cell_key)
    _rekey_postgresql("agg_premise_types", PREMISE_COLUMNS[:2], premise_include)
    # The one-row grid table is never analysed by autovacuum (under its 50-change threshold):
    # unanalysed, the planner takes it for ~1,300 rows and the wish triggers' cell updates
    # (withdraw, hold, hide) scan every cell row: 76 → 2.3 ms backend CPU per withdrawal at
    # 300,000 cell rows once analysed. Only where the grid exists already: an empty one analysed
    # is still misjudged when its row arrives (the triggers should read it by its id).
    op.execute(sa.text("ANALYZE agg_demand_grid"))


def upgrade() -> None:
    _set_keys(("level", "shop_type_id", "cell_row", "cell_col"), " INCLUDE (wishes)", False)


def downgrade() -> None:
    _set_keys(("level", "cell_row", "cell_col", "shop_type_id"), "", True)
