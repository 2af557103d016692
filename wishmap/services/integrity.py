"""Fair counting: the burst rule that holds suspected ballot stuffing for review.

A wish is held (status "held", counted nowhere) when, within BURST_WINDOW_MINUTES,
  * an account younger than BURST_NEW_ACCOUNT_HOURS makes more than
    BURST_MAX_WISHES_NEW_ACCOUNT wishes, or
  * more than BURST_MAX_ACCOUNTS_PER_NETWORK accounts wish from one network address.
The whole burst is held, including the wishes of that window that already counted, so the
public counts go back to what they were before it; an admin releases or hides them. Addresses
are stored only as a keyed hash (HMAC-SHA256 under the secret key) and deleted after
BURST_ORIGIN_RETENTION_HOURS.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from wishmap.models import User, Wish, WishOrigin, WishStatus


@dataclass(frozen=True)
class BurstRule:
    """The thresholds of the burst rule and the key that hashes addresses."""

    key: bytes
    window: timedelta = timedelta(minutes=60)
    new_account_age: timedelta = timedelta(hours=24)
    max_wishes_new_account: int = 5
    max_accounts_per_network: int = 4
    retention: timedelta = timedelta(hours=48)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> BurstRule:
        """Return the rule configured by the BURST_* settings."""
        return cls(
            key=str(config["SECRET_KEY"]).encode(),
            window=timedelta(minutes=config["BURST_WINDOW_MINUTES"]),
            new_account_age=timedelta(hours=config["BURST_NEW_ACCOUNT_HOURS"]),
            max_wishes_new_account=config["BURST_MAX_WISHES_NEW_ACCOUNT"],
            max_accounts_per_network=config["BURST_MAX_ACCOUNTS_PER_NETWORK"],
            retention=timedelta(hours=config["BURST_ORIGIN_RETENTION_HOURS"]),
        )


def burst_rule() -> BurstRule:
    """Return the burst rule of the current app."""
    return BurstRule.from_config(current_app.config)


def network_of(client_ip: str | None, rule: BurstRule) -> str | None:
    """Return the keyed hash standing for a client address (None when it is unknown)."""
    if not client_ip:
        return None
    return hmac.new(rule.key, client_ip.encode(), hashlib.sha256).hexdigest()


def _account_wishes(session: Session, user_id: int, start: datetime, end: datetime) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                Wish.user_id == user_id, Wish.created_at > start, Wish.created_at <= end
            )
        )
        or 0
    )


def _network_accounts(session: Session, network: str, start: datetime, end: datetime) -> set[int]:
    rows = session.scalars(
        select(Wish.user_id)
        .join(WishOrigin, WishOrigin.wish_id == Wish.id)
        .where(WishOrigin.network == network, WishOrigin.created_at > start)
        .where(WishOrigin.created_at <= end, Wish.user_id.is_not(None))
        .distinct()
    )
    return {user_id for user_id in rows if user_id is not None}


def burst_reason(
    session: Session,
    user: User,
    network: str | None,
    at: datetime,
    rule: BurstRule,
    new: bool = True,
) -> str | None:
    """Return why a wish made by user at `at` belongs to a burst, or None if it does not.

    new: the wish is not in the database yet, so it is added to the counts.
    """
    start = at - rule.window
    if at - user.created_at < rule.new_account_age:
        made = _account_wishes(session, user.id, start, at) + (1 if new else 0)
        if made > rule.max_wishes_new_account:
            return "new-account burst"
    if network is not None:
        accounts = _network_accounts(session, network, start, at) | {user.id}
        if len(accounts) > rule.max_accounts_per_network:
            return "many accounts on one address"
    return None


def hold_burst(
    session: Session, user: User, network: str | None, at: datetime, rule: BurstRule
) -> int:
    """Hold the wishes of the window that already counted (the user's and the address's)."""
    start = at - rule.window
    in_window = (Wish.created_at > start) & (Wish.created_at <= at)
    active = Wish.status == WishStatus.ACTIVE.value
    held = session.execute(
        update(Wish)
        .where(Wish.user_id == user.id, in_window, active)
        .values(status=WishStatus.HELD.value)
    ).rowcount
    if network is not None:
        same_network = select(WishOrigin.wish_id).where(WishOrigin.network == network)
        held += session.execute(
            update(Wish)
            .where(Wish.id.in_(same_network), in_window, active)
            .values(status=WishStatus.HELD.value)
        ).rowcount
    return held


def note_new_wish(
    session: Session, wish: Wish, user: User, network: str | None, rule: BurstRule
) -> None:
    """After a wish is flushed: hold its burst, remember its origin, forget expired origins."""
    if wish.status == WishStatus.HELD:
        hold_burst(session, user, network, wish.created_at, rule)
    if network is not None:
        session.add(WishOrigin(wish_id=wish.id, network=network, created_at=wish.created_at))
    forget_expired_origins(session, wish.created_at, rule)


def forget_expired_origins(session: Session, now: datetime, rule: BurstRule) -> None:
    """Delete the address hashes older than the retention period."""
    session.execute(delete(WishOrigin).where(WishOrigin.created_at < now - rule.retention))


def settle_pending(session: Session, user: User, rule: BurstRule) -> None:
    """Turn a newly verified user's pending wishes active, or hold them all if one was a burst."""
    pending = list(
        session.scalars(
            select(Wish).where(Wish.user_id == user.id, Wish.status == WishStatus.PENDING.value)
        )
    )
    origins = dict(
        session.execute(
            select(WishOrigin.wish_id, WishOrigin.network).where(
                WishOrigin.wish_id.in_([wish.id for wish in pending])
            )
        ).all()
    )
    burst = any(
        burst_reason(session, user, origins.get(wish.id), wish.created_at, rule, new=False)
        for wish in pending
    )
    status = WishStatus.HELD if burst else WishStatus.ACTIVE
    for wish in pending:
        wish.status = status.value
