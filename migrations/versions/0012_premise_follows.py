"""premise follows: residents who follow a premise, and the premise news they hear of

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 14:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Two new tables: nothing to copy, the same on SQLite and PostgreSQL.
    op.create_table(
        'premise_follows',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('premise_id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=64), server_default='', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('told_news_id', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(
            ['premise_id'],
            ['premises.id'],
            name=op.f('fk_premise_follows_premise_id_premises'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['user_id'],
            ['users.id'],
            name=op.f('fk_premise_follows_user_id_users'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_premise_follows')),
        sa.UniqueConstraint(
            'user_id', 'premise_id', 'scope', name=op.f('uq_premise_follows_user_id')
        ),
    )
    op.create_index(
        'ix_premise_follows_premise_id', 'premise_follows', ['premise_id'], unique=False
    )
    op.create_table(
        'premise_news',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('premise_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('happened_on', sa.Date(), nullable=False),
        sa.Column('shop_type_id', sa.Integer(), nullable=True),
        sa.Column('top_types', sa.String(length=300), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('let', 'opened', 'report')", name=op.f('ck_premise_news_kind')),
        sa.ForeignKeyConstraint(
            ['premise_id'],
            ['premises.id'],
            name=op.f('fk_premise_news_premise_id_premises'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['shop_type_id'],
            ['shop_types.id'],
            name=op.f('fk_premise_news_shop_type_id_shop_types'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_premise_news')),
    )
    op.create_index(
        'ix_premise_news_premise_id', 'premise_news', ['premise_id', 'id'], unique=False
    )


def downgrade() -> None:
    # Follows and news go; premises, wishes and notifications are untouched.
    op.drop_index('ix_premise_news_premise_id', table_name='premise_news')
    op.drop_table('premise_news')
    op.drop_index('ix_premise_follows_premise_id', table_name='premise_follows')
    op.drop_table('premise_follows')
