"""map triggers read the grid row by its key; premises in view from one index

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 18:30:00

The map aggregates' triggers (wishmap/models/aggregates.py) read agg_demand_grid's one row by its
id: PostgreSQL never analyses a one-row table, and from its guess of ~1,300 rows planned a wish's
removal from the cell counts (withdraw, hold, hide) as a scan of every cell row (76 ms at 300,000
cells; 0.7 ms now). They count the same rows: no rebuild. ix_premises_status_lat_lon lets the
map find the vacant premises in a view from the index alone (7.2 → 0.13 ms for 5,885 vacant
premises among 60,000 on SQLite).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from wishmap.models.aggregates import trigger_statements

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in trigger_statements(op.get_bind().dialect.name):
        op.execute(sa.text(statement))
    op.create_index("ix_premises_status_lat_lon", "premises", ["status", "lat", "lon"])


def downgrade() -> None:
    op.drop_index("ix_premises_status_lat_lon", table_name="premises")
    # 0017's triggers counted the same rows; these stay.
