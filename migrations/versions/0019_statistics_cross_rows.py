"""statistics cross rows: districts of one level filtered on a district of another, read

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 19:40:00

agg_stat_cross_days and agg_stat_cross_day_pairs (wishmap/models/statistics_aggregates.py):
the day / day-pair rows of the district kinds keyed by a district of each of two kept levels,
so that statistics grouped by the districts of one level and filtered on a district of another
that does not nest in it read them instead of scanning the filter's wishes (1.2 s at 200,000
wishes). The triggers are reinstalled with their cross part and every aggregate rebuilt here,
the district pairs too (as `flask rebuild-aggregates` does). The downgrade puts 0015's
triggers back, then drops the tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from wishmap.models import district_nesting as nesting
from wishmap.models.statistics_triggers import trigger_statements
from wishmap.services.statistics_rebuild import fill

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = (
    "scope", "kind", "street_id", "level", "district_id", "other_level", "other_id",
    "shop_type_id", "grp",
)  # fmt: skip


def _key_columns() -> list[sa.Column]:
    return [
        sa.Column('scope', sa.Integer(), nullable=False),
        sa.Column('kind', sa.SmallInteger(), nullable=False),
        sa.Column('street_id', sa.Integer(), nullable=False),
        sa.Column('level', sa.String(length=40), nullable=False),
        sa.Column('district_id', sa.Integer(), nullable=False),
        sa.Column('other_level', sa.String(length=40), nullable=False),
        sa.Column('other_id', sa.Integer(), nullable=False),
        sa.Column('shop_type_id', sa.Integer(), nullable=False),
        sa.Column('grp', sa.String(length=20), nullable=False),
        sa.Column('day', sa.Integer(), nullable=False),
    ]  # fmt: skip


def upgrade() -> None:
    op.create_table(
        'agg_stat_cross_days',
        *_key_columns(),
        sa.Column('residents', sa.Integer(), nullable=False),
        sa.Column('r1', sa.BigInteger(), nullable=False),
        sa.Column('r2', sa.BigInteger(), nullable=False),
        sa.Column('wishes', sa.Integer(), nullable=False),
        sa.Column('w1', sa.BigInteger(), nullable=False),
        sa.Column('w2', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, 'day', name=op.f('pk_agg_stat_cross_days')),
    )  # fmt: skip
    op.create_table(
        'agg_stat_cross_day_pairs',
        *_key_columns(),
        sa.Column('next_day', sa.Integer(), nullable=False),
        sa.Column('residents', sa.Integer(), nullable=False),
        sa.Column('r1', sa.BigInteger(), nullable=False),
        sa.Column('r2', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            *KEY, 'day', 'next_day', name=op.f('pk_agg_stat_cross_day_pairs')
        ),
    )  # fmt: skip
    bind = op.get_bind()
    for statement in trigger_statements(bind.dialect.name):
        op.execute(sa.text(statement))
    fill(Session(bind=bind))
    # The kept levels may have changed with the rebuild: the district pairs follow them.
    for statement in nesting.rebuild_statements():
        op.execute(sa.text(statement))


def downgrade() -> None:
    bind = op.get_bind()
    for statement in trigger_statements(bind.dialect.name, cross=False):
        op.execute(sa.text(statement))
    op.drop_table("agg_stat_cross_day_pairs")
    op.drop_table("agg_stat_cross_days")
