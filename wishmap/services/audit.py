"""The audit log: every admin action, who did it, when, and the fields before and after.

Entries name records by id and hold only the fields an action changed (statuses, roles,
managers), never e-mail addresses, names or reason texts, so the log keeps nobody's personal
data after their account is deleted.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wishmap.models import AuditEntry, User

# actor_role of an action taken with a flask command on the server (no account behind it).
COMMAND_LINE = "cli"
# actor_role of a wish held by the burst rules (services/integrity.py), no person behind it.
BURST_RULE = "rule"


def record(
    session: Session,
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_role: str = COMMAND_LINE,
) -> AuditEntry:
    """Add an audit entry for an action of actor, None for the command line or actor_role
    (committed with the action itself)."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        actor_role=actor.role if actor else actor_role,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=json.dumps(before, sort_keys=True) if before is not None else None,
        after=json.dumps(after, sort_keys=True) if after is not None else None,
    )
    session.add(entry)
    return entry


def recent_entries(session: Session, limit: int = 200, offset: int = 0) -> list[AuditEntry]:
    """Return audit entries, newest first."""
    return list(
        session.scalars(
            select(AuditEntry)
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
