"""premise_gaps indexes for the portfolio

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 12:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_premise_gaps_run_premise_gap",
        "premise_gaps",
        ["run_id", "premise_id", "gap", "shop_type_id"],
    )
    op.create_index(
        "ix_premise_gaps_run_type_gap",
        "premise_gaps",
        ["run_id", "shop_type_id", "gap", "premise_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_premise_gaps_run_type_gap", table_name="premise_gaps")
    op.drop_index("ix_premise_gaps_run_premise_gap", table_name="premise_gaps")
