"""oidc identities: log-in through the city's OpenID Connect provider

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A new table: nothing to copy, the same on SQLite and PostgreSQL.
    op.create_table(
        'oidc_identities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('issuer', sa.String(length=255), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'],
            ['users.id'],
            name=op.f('fk_oidc_identities_user_id_users'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_oidc_identities')),
        sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_oidc_identities_issuer')),
    )
    op.create_index(
        op.f('ix_oidc_identities_user_id'), 'oidc_identities', ['user_id'], unique=False
    )


def downgrade() -> None:
    # Accounts made through the provider stay; they log in with a reset password instead.
    op.drop_index(op.f('ix_oidc_identities_user_id'), table_name='oidc_identities')
    op.drop_table('oidc_identities')
