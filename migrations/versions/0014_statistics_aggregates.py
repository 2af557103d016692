"""statistics aggregates: counts per street, district, shop type and day

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 14:10:00

Tables and triggers of wishmap/models/statistics_aggregates.py: per group and day, the active
wishes and distinct residents, and per group the residents' consecutive wish days, so that
statistics for any grouping, filter and date range read a few rows instead of every wish.
Filled from the wishes here (the same rebuild as `flask rebuild-aggregates`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from wishmap.models.statistics_triggers import drop_trigger_statements, trigger_statements
from wishmap.services.statistics_rebuild import fill

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = ('scope', 'kind', 'street_id', 'level', 'district_id', 'shop_type_id', 'grp')


def _key_columns() -> list[sa.Column]:
    return [
        sa.Column('scope', sa.Integer(), nullable=False),
        sa.Column('kind', sa.SmallInteger(), nullable=False),
        sa.Column('street_id', sa.Integer(), nullable=False),
        sa.Column('level', sa.String(length=40), nullable=False),
        sa.Column('district_id', sa.Integer(), nullable=False),
        sa.Column('shop_type_id', sa.Integer(), nullable=False),
        sa.Column('grp', sa.String(length=20), nullable=False),
        sa.Column('day', sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        'agg_stat_days',
        *_key_columns(),
        sa.Column('residents', sa.Integer(), nullable=False),
        sa.Column('r1', sa.BigInteger(), nullable=False),
        sa.Column('r2', sa.BigInteger(), nullable=False),
        sa.Column('wishes', sa.Integer(), nullable=False),
        sa.Column('w1', sa.BigInteger(), nullable=False),
        sa.Column('w2', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, 'day', name=op.f('pk_agg_stat_days')),
    )
    op.create_table(
        'agg_stat_day_pairs',
        *_key_columns(),
        sa.Column('next_day', sa.Integer(), nullable=False),
        sa.Column('residents', sa.Integer(), nullable=False),
        sa.Column('r1', sa.BigInteger(), nullable=False),
        sa.Column('r2', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, 'day', 'next_day', name=op.f('pk_agg_stat_day_pairs')),
    )
    op.create_table(
        'agg_stat_levels',
        sa.Column('scope', sa.Integer(), nullable=False),
        sa.Column('level', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('scope', 'level', name=op.f('pk_agg_stat_levels')),
    )
    bind = op.get_bind()
    # Without the cross rows, which come with their tables in 0019.
    for statement in trigger_statements(bind.dialect.name, cross=False):
        op.execute(sa.text(statement))

    fill(Session(bind=bind), cross=False)


def downgrade() -> None:
    bind = op.get_bind()
    for statement in drop_trigger_statements(bind.dialect.name):
        op.execute(sa.text(statement))
    if bind.dialect.name == "postgresql":
        op.execute(sa.text("DROP FUNCTION IF EXISTS stat_wish_change()"))
        op.execute(sa.text("DROP FUNCTION IF EXISTS stat_wish_district_change()"))
    op.drop_table('agg_stat_levels')
    op.drop_table('agg_stat_day_pairs')
    op.drop_table('agg_stat_days')
