"""respondents without login: users.respondent_key

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 11:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A nullable column and a unique index: SQLite adds both in place, without copying the
    # users table (which every other table references).
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('respondent_key', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_respondent_key'), ['respondent_key'], unique=True)


def downgrade() -> None:
    # Respondents become ordinary no-login residents with their reserved .invalid address.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_respondent_key'))
        batch_op.drop_column('respondent_key')
