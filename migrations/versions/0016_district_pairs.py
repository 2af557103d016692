"""district pairs: wishes per pair of districts of two levels

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 17:30:00

Table and triggers of wishmap/models/district_nesting.py: per district of one level and
district of another, the wishes in both, so that statistics grouped by the districts of one
level and filtered on a district of another read the aggregates instead of scanning every
wish. Filled from wish_districts here (as `flask rebuild-aggregates` does).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from wishmap.models.district_nesting import (
    drop_trigger_statements,
    rebuild_statements,
    trigger_statements,
)

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'agg_district_pairs',
        sa.Column('scope', sa.Integer(), nullable=False),
        sa.Column('level', sa.String(length=40), nullable=False),
        sa.Column('district_id', sa.Integer(), nullable=False),
        sa.Column('other_level', sa.String(length=40), nullable=False),
        sa.Column('other_id', sa.Integer(), nullable=False),
        sa.Column('wishes', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            'scope', 'level', 'district_id', 'other_level', 'other_id',
            name=op.f('pk_agg_district_pairs'),
        ),
    )  # fmt: skip
    bind = op.get_bind()
    for statement in trigger_statements(bind.dialect.name) + rebuild_statements():
        op.execute(sa.text(statement))


def downgrade() -> None:
    bind = op.get_bind()
    for statement in drop_trigger_statements(bind.dialect.name):
        op.execute(sa.text(statement))
    if bind.dialect.name == "postgresql":
        op.execute(sa.text("DROP FUNCTION IF EXISTS nest_wish_district_change()"))
    op.drop_table("agg_district_pairs")
