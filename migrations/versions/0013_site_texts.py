"""site texts: the district's name, introduction and privacy notice per language

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 14:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A new table: nothing to copy, the same on SQLite and PostgreSQL.
    op.create_table(
        'site_texts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "key IN ('district_name', 'introduction', 'privacy_notice')",
            name=op.f('ck_site_texts_key_known'),
        ),
        sa.CheckConstraint(
            "language IN ('en', 'fr', 'nl')", name=op.f('ck_site_texts_language_known')
        ),
        sa.ForeignKeyConstraint(
            ['updated_by_id'],
            ['users.id'],
            name=op.f('fk_site_texts_updated_by_id_users'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_site_texts')),
        sa.UniqueConstraint('key', 'language', name=op.f('uq_site_texts_key')),
    )
    op.create_index(
        op.f('ix_site_texts_updated_by_id'), 'site_texts', ['updated_by_id'], unique=False
    )


def downgrade() -> None:
    # The deployer's texts go; the pages fall back to their built-in wording.
    op.drop_index(op.f('ix_site_texts_updated_by_id'), table_name='site_texts')
    op.drop_table('site_texts')
