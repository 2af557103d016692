"""Whole-database chores: is it empty, wipe its data (for reloading the demo)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap.db import Base
from wishmap.models import Premise, Street, User


def database_is_empty(session: Session) -> bool:
    """Return True when there are no users, streets or premises yet."""
    return not any(
        session.scalar(select(func.count()).select_from(model)) for model in (User, Street, Premise)
    )


def drop_all_data(session: Session) -> None:
    """Delete every row of every table, children first; commits."""
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(table.delete())
    session.commit()
