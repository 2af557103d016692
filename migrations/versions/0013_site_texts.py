"""site texts: the district's name, introduction and privacy notice per language

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 14:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Reserved so that parallel work keeps one linear history; filled by the change that needs it.
    pass


def downgrade() -> None:
    pass
