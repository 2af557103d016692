"""district pair triggers step aside while a district import rebuilds the pairs

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 20:30:00

Reinstalls the triggers of wishmap/models/district_nesting.py. PostgreSQL: they leave
agg_district_pairs alone while a district import (services/statistics_aggregates.
reassign_districts) has set wishmap.district_pairs_bulk in its transaction, as the statistics
triggers do for wishmap.statistics_bulk, so that the import no longer drops and reinstalls
them (DDL, which locked wishes and wish_districts against every reader for the whole import).
SQLite's are the same as 0016's. They count the same rows: no rebuild.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from wishmap.models.district_nesting import trigger_statements

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in trigger_statements(op.get_bind().dialect.name):
        op.execute(sa.text(statement))


def downgrade() -> None:
    # 0016's triggers counted the same rows; these stay (nothing older sets the setting).
    pass
