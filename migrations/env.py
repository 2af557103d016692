"""Alembic environment: runs on the connection handed in by wishmap.db.upgrade(), or on the
app's database when called from the alembic command line (WISHMAP settings apply)."""

from __future__ import annotations

from alembic import context

import wishmap.models  # noqa: F401  -- registers every table
from wishmap.db import Base

target_metadata = Base.metadata


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Render our column types as plain SQLAlchemy ones, so migrations never import models."""
    from wishmap.models._types import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations(connection) -> None:
    context.configure(
        render_item=render_item,
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite alters tables by copying them; batch mode does that for us.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    from wishmap import create_app, db

    with create_app().app_context(), db.engine().begin() as new_connection:
        run_migrations(new_connection)
