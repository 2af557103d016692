"""Privacy: a resident's copy of everything stored about them, and deleting their account.

Deleting an account erases its personal data: the account row, tokens, reports, claims,
address hashes and every row of any other table tied to the account. Wishes that count (active)
or await review (held) stay as anonymous counts, so a landlord's figures do not drop without
reason: they lose their author, their reason text, and free wishes their exact point (rounded
to about 100 m). Pending, withdrawn and hidden wishes, which count nowhere, are deleted.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Numeric, Table, cast, delete, func, select, update
from sqlalchemy.orm import Session

from wishmap.db import Base
from wishmap.models import AuditEntry, User, Wish, WishOrigin, WishStatus
from wishmap.services.users import UserError, password_matches

# Secrets and hashes are no one's business, not even in their own export.
NEVER_EXPORTED = {"password_hash", "session_token", "digest", "network"}
KEPT_STATUSES = (WishStatus.ACTIVE.value, WishStatus.HELD.value)
# Three decimals of a degree: about 110 m north-south, 75 m east-west at Paris latitudes.
ANONYMOUS_POINT_DECIMALS = 3


def _rounded(column: Any) -> Any:
    # PostgreSQL rounds to decimals only numerics, not double precision.
    return func.round(cast(column, Numeric(12, 7)), ANONYMOUS_POINT_DECIMALS)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(table: Table, row: Any) -> dict[str, Any]:
    mapping = row._mapping
    return {
        column.name: _plain(mapping[column])
        for column in table.columns
        if column.name not in NEVER_EXPORTED
    }


def _user_columns(table: Table) -> list[Any]:
    """Return the columns of table that point at users.id."""
    return [
        column
        for column in table.columns
        for key in column.foreign_keys
        if key.column.table.name == User.__tablename__
    ]


def export_user_data(session: Session, user: User) -> dict[str, Any]:
    """Return everything stored about user as JSON-ready data, table by table."""
    users = User.__table__
    data: dict[str, Any] = {
        "account": _row(users, session.execute(select(users).where(users.c.id == user.id)).one())
    }
    for table in Base.metadata.sorted_tables:
        columns = _user_columns(table)
        if table is users or not columns:
            continue
        condition = columns[0] == user.id
        for column in columns[1:]:
            condition = condition | (column == user.id)
        rows = session.execute(select(table).where(condition)).all()
        data[table.name] = [_row(table, row) for row in rows]
    audit = AuditEntry.__table__
    data["audit_entries_about_you"] = [
        _row(audit, row)
        for row in session.execute(
            select(audit).where(audit.c.target_type == "user", audit.c.target_id == user.id)
        )
    ]
    own_wishes = select(Wish.id).where(Wish.user_id == user.id)
    data["network_records"] = {
        "count": len(
            session.scalars(
                select(WishOrigin.wish_id).where(WishOrigin.wish_id.in_(own_wishes))
            ).all()
        ),
        "note": "keyed hashes of the addresses your wishes came from, deleted after two days",
    }
    return data


def delete_account(session: Session, user: User, password: str | None) -> None:
    """Erase user's personal data and account; keep their counting wishes anonymous. Commits."""
    if user.password_hash and not password_matches(user, password or ""):
        raise UserError(_("The password is wrong; the account was not deleted."))
    own = select(Wish.id).where(Wish.user_id == user.id)
    session.execute(delete(WishOrigin).where(WishOrigin.wish_id.in_(own)))
    session.execute(delete(Wish).where(Wish.user_id == user.id, Wish.status.not_in(KEPT_STATUSES)))
    session.execute(
        update(Wish)
        .where(Wish.user_id == user.id, Wish.premise_id.is_(None))
        .values(
            lat=_rounded(Wish.lat),
            lon=_rounded(Wish.lon),
        )
    )
    session.execute(update(Wish).where(Wish.user_id == user.id).values(user_id=None, reason=None))
    # Every other table tied to the account: optional links are cut, owned rows deleted.
    for table in reversed(Base.metadata.sorted_tables):
        if table.name in (User.__tablename__, Wish.__tablename__):
            continue
        for column in _user_columns(table):
            if column.nullable:
                session.execute(update(table).where(column == user.id).values({column.name: None}))
            else:
                session.execute(delete(table).where(column == user.id))
    session.execute(delete(User).where(User.id == user.id))
    session.commit()
