"""live aggregates: per grid cell and per premise counts of active wishes, kept by triggers

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 12:50:00

New tables and the triggers on wishes that keep them (wishmap/models/aggregates.py). The premise
counts are filled from the wishes here; the cell counts need the map's grid (configuration), so
the first map request or `flask rebuild-aggregates` fills them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from wishmap.models.aggregates import drop_trigger_statements, trigger_statements

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'agg_demand_grid',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lat0', sa.Float(), nullable=False),
        sa.Column('base_m', sa.Float(), nullable=False),
        sa.Column('dlat', sa.Float(), nullable=False),
        sa.Column('dlon', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agg_demand_grid')),
    )
    op.create_table(
        'agg_demand_cells',
        sa.Column('level', sa.Integer(), nullable=False),
        sa.Column('cell_row', sa.Integer(), nullable=False),
        sa.Column('cell_col', sa.Integer(), nullable=False),
        sa.Column('shop_type_id', sa.Integer(), nullable=False),
        sa.Column('wishes', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            'level', 'cell_row', 'cell_col', 'shop_type_id', name=op.f('pk_agg_demand_cells')
        ),
    )
    op.create_table(
        'agg_premise_types',
        sa.Column('premise_id', sa.Integer(), nullable=False),
        sa.Column('shop_type_id', sa.Integer(), nullable=False),
        sa.Column('wishes', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('premise_id', 'shop_type_id', name=op.f('pk_agg_premise_types')),
    )
    bind = op.get_bind()
    for statement in trigger_statements(bind.dialect.name):
        op.execute(sa.text(statement))
    op.execute(
        sa.text(
            "INSERT INTO agg_premise_types (premise_id, shop_type_id, wishes)"
            " SELECT premise_id, shop_type_id, count(*) FROM wishes"
            " WHERE status = 'active' AND premise_id IS NOT NULL"
            " GROUP BY premise_id, shop_type_id"
        )
    )


def downgrade() -> None:
    bind = op.get_bind()
    for statement in drop_trigger_statements(bind.dialect.name):
        op.execute(sa.text(statement))
    if bind.dialect.name == "postgresql":
        op.execute(sa.text("DROP FUNCTION IF EXISTS agg_wish_change()"))
    op.drop_table('agg_premise_types')
    op.drop_table('agg_demand_cells')
    op.drop_table('agg_demand_grid')
