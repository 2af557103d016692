"""statistics triggers: bulk loads count their wishes once, plans that cannot scan

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 17:20:00

Reinstalls the triggers of wishmap/models/statistics_triggers.py. PostgreSQL: they step
aside while a bulk load (services/statistics_rebuild.bulk_load) has set
wishmap.statistics_bulk in its transaction, they read a resident's other wishes once per group
instead of six times, and their plans never scan a whole table (enable_seqscan off). Both
databases: a wish_districts row of a level not kept, or of a wish not active, skips them.
They count the same rows as 0014's: the aggregates need no rebuild.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from wishmap.models.statistics_triggers import trigger_statements

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Without the cross rows, which come with their tables in 0019.
    for statement in trigger_statements(op.get_bind().dialect.name, cross=False):
        op.execute(sa.text(statement))


def downgrade() -> None:
    # 0014's triggers counted the same rows; these stay (0014's downgrade removes them).
    pass
