"""Fair counting: the burst rules that hold suspected ballot stuffing for review.

A wish is held (status "held", counted nowhere) when
  * "new-account": an account younger than BURST_NEW_ACCOUNT_HOURS makes more than
    BURST_MAX_WISHES_NEW_ACCOUNT wishes within BURST_WINDOW_MINUTES;
  * "one-network": more than BURST_MAX_ACCOUNTS_PER_NETWORK accounts from one network
    (IPv4 /24, IPv6 /64) wish for one target within BURST_TARGET_WINDOW_HOURS;
  * "fresh-accounts": more than BURST_MAX_FRESH_ACCOUNTS_PER_TARGET accounts made or verified
    within BURST_NEW_ACCOUNT_HOURS, from anywhere, wish for one target within
    BURST_WINDOW_MINUTES.
A target is one premise × shop type, or, for free wishes, one shop type within
BURST_AREA_METRES. The burst's wishes that already counted are held with it, so the public
counts go back to what they were before it; an admin releases or hides them. A household or a
library wishing for different things is never held: only convergence on one target is.
Networks are stored only as a keyed hash (HMAC-SHA256 under the secret key) and deleted after
BURST_ORIGIN_RETENTION_HOURS.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    and_,
    bindparam,
    delete,
    distinct,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from wishmap.models import User, Wish, WishOrigin, WishStatus
from wishmap.services import holds

NEW_ACCOUNT, ONE_NETWORK, FRESH_ACCOUNTS = "new-account", "one-network", "fresh-accounts"
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class BurstRule:
    """The thresholds of the burst rules and the key that hashes networks."""

    key: bytes
    window: timedelta = timedelta(minutes=60)
    new_account_age: timedelta = timedelta(hours=24)
    max_wishes_new_account: int = 5
    max_accounts_per_network: int = 4
    target_window: timedelta = timedelta(hours=24)
    ipv4_prefix: int = 24
    ipv6_prefix: int = 64
    max_fresh_accounts: int = 5
    area_m: float = 150.0
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
            target_window=timedelta(hours=config["BURST_TARGET_WINDOW_HOURS"]),
            ipv4_prefix=config["BURST_IPV4_PREFIX"],
            ipv6_prefix=config["BURST_IPV6_PREFIX"],
            max_fresh_accounts=config["BURST_MAX_FRESH_ACCOUNTS_PER_TARGET"],
            area_m=float(config["BURST_AREA_METRES"]),
            retention=timedelta(hours=config["BURST_ORIGIN_RETENTION_HOURS"]),
        )


def burst_rule() -> BurstRule:
    """Return the burst rule of the current app."""
    return BurstRule.from_config(current_app.config)


def network_of(client_ip: str | None, rule: BurstRule) -> str | None:
    """Return the keyed hash standing for a client's network (None when it is unknown).

    The network, not the address: an IPv6 subscriber gets a whole /64 and an IPv4 block
    changes hands by /24, so one address each would let one person be many.
    """
    if not client_ip:
        return None
    return _network_hash(client_ip, rule.key, rule.ipv4_prefix, rule.ipv6_prefix)


# A resident posts several wishes from one address: parsing it and hashing its network once
# per address (and key) saves every later wish that work.
@functools.lru_cache(maxsize=4096)
def _network_hash(client_ip: str, key: bytes, ipv4_prefix: int, ipv6_prefix: int) -> str:
    try:
        address = ipaddress.ip_address(client_ip.strip())
    except ValueError:
        prefix = client_ip
    else:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        bits = ipv4_prefix if address.version == 4 else ipv6_prefix
        prefix = str(ipaddress.ip_network(f"{address}/{bits}", strict=False))
    return hmac.new(key, prefix.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Target:
    """What a wish converges on: a premise × shop type, or a small area × shop type."""

    shop_type_id: int
    premise_id: int | None
    lat: float
    lon: float

    @classmethod
    def of(cls, wish: Wish) -> Target:
        """Return the target of a wish."""
        return cls(wish.shop_type_id, wish.premise_id, wish.lat, wish.lon)

    def key(self, rule: BurstRule) -> str:
        """Return a name of the target, the same for every wish converging on it."""
        if self.premise_id is not None:
            return f"premise:{self.premise_id}:type:{self.shop_type_id}"
        cell = rule.area_m / METRES_PER_DEGREE
        row, column = math.floor(self.lat / cell), math.floor(self.lon / cell)
        return f"area:{row}:{column}:type:{self.shop_type_id}"

    def values(self, rule: BurstRule) -> dict[str, Any]:
        """Return the values of the parameters of _target_clause() for this target."""
        values: dict[str, Any] = {"tid": self.shop_type_id, "pid": self.premise_id}
        if self.premise_id is None:
            dlat = rule.area_m / METRES_PER_DEGREE
            dlon = dlat / max(math.cos(math.radians(self.lat)), 0.01)
            values.update(
                lat0=self.lat - dlat,
                lat1=self.lat + dlat,
                lon0=self.lon - dlon,
                lon1=self.lon + dlon,
            )
        return values


def _is_fresh(user: User, at: datetime, rule: BurstRule) -> bool:
    since = at - rule.new_account_age
    verified = user.email_verified_at
    return user.created_at > since or (verified is not None and verified > since)


# Accounts made or verified since :fresh_since.
_FRESH = or_(
    User.created_at > bindparam("fresh_since"), User.email_verified_at > bindparam("fresh_since")
)


# Pending wishes count nowhere yet, and so push nobody else's wish into a burst either: an
# attacker's unverified accounts must not get genuine residents held. They are judged when
# their address is confirmed (settle_pending).
_LIVE = [WishStatus.ACTIVE.value, WishStatus.HELD.value]


@dataclass(frozen=True)
class CountsAsked:
    """Which burst counts a wish needs: its statement is built once per combination."""

    account: bool  # the account is young: its own recent wishes
    network: bool  # its network is known: accounts of that network on the target
    fresh: bool  # the account is fresh: fresh accounts on the target
    area: bool | None  # None: no target; else whether the target is an area (a free wish)


def _target_clause(area: bool) -> ColumnElement[bool]:
    """The wishes on a target, over bind parameters (:tid, :pid, or the box :lat0 … :lon1)."""
    if not area:
        return and_(Wish.premise_id == bindparam("pid"), Wish.shop_type_id == bindparam("tid"))
    return and_(
        Wish.premise_id.is_(None),
        Wish.shop_type_id == bindparam("tid"),
        Wish.lat.between(bindparam("lat0"), bindparam("lat1")),
        Wish.lon.between(bindparam("lon0"), bindparam("lon1")),
    )


@functools.cache
def burst_columns(asked: CountsAsked) -> dict[str, ScalarSelect[int]]:
    """Return the counts the burst rules need, as scalar subqueries over bind parameters.

    Built once per combination and process: on a launch evening every wish asks for them, and
    building and compiling a statement costs more than running it. burst_params() gives the
    values; a caller fetches the counts in one statement with whatever else it needs (the wish
    path adds the quota) and reason_from_counts() names the rule.
    """
    counts: dict[str, ScalarSelect[int]] = {}
    at = bindparam("at", type_=Wish.created_at.type)
    if asked.account:
        counts["account_wishes"] = (
            select(func.count())
            .where(Wish.user_id == bindparam("uid"), Wish.created_at > bindparam("start"))
            .where(Wish.created_at <= at)
            .scalar_subquery()
        )
    if asked.area is None:
        return counts
    target = _target_clause(asked.area)
    others = and_(
        Wish.user_id.is_not(None), Wish.user_id != bindparam("uid"), Wish.status.in_(_LIVE)
    )
    if asked.network:
        counts["network_accounts"] = (
            select(func.count(distinct(Wish.user_id)))
            .join(WishOrigin, WishOrigin.wish_id == Wish.id)
            .where(WishOrigin.network == bindparam("network"))
            .where(WishOrigin.created_at > bindparam("target_since"), WishOrigin.created_at <= at)
            .where(target, others)
            .scalar_subquery()
        )
    if asked.fresh:
        counts["fresh_accounts"] = (
            select(func.count(distinct(Wish.user_id)))
            .join(User, User.id == Wish.user_id)
            .where(Wish.created_at > bindparam("start"), Wish.created_at <= at, others, target)
            .where(_FRESH)
            .scalar_subquery()
        )
    return counts


def burst_params(
    user: User, network: str | None, at: datetime, rule: BurstRule, target: Target | None = None
) -> tuple[CountsAsked, dict[str, Any]]:
    """Return which burst counts apply to a wish by user at `at`, and their parameter values.

    Only the rules that can apply are counted: an old account's own wishes, say, are never a
    burst.
    """
    asked = CountsAsked(
        account=at - user.created_at < rule.new_account_age,
        network=target is not None and network is not None,
        fresh=target is not None and _is_fresh(user, at, rule),
        area=None if target is None else target.premise_id is None,
    )
    params: dict[str, Any] = {
        "uid": user.id,
        "at": at,
        "start": at - rule.window,
        "target_since": at - rule.target_window,
        "fresh_since": at - rule.new_account_age,
        "network": network,
    }
    if target is not None:
        params.update(target.values(rule))
    return asked, params


def reason_from_counts(counts: Mapping[str, int], rule: BurstRule, new: bool = True) -> str | None:
    """Return the rule the counts of burst_columns() break, or None.

    new: the wish is not in the database yet, so it is added to the account's count. The other
    counts leave the wish's own account out: it is added to them here, once.
    """
    made = counts.get("account_wishes")
    if made is not None and made + (1 if new else 0) > rule.max_wishes_new_account:
        return NEW_ACCOUNT
    accounts = counts.get("network_accounts")
    if accounts is not None and accounts + 1 > rule.max_accounts_per_network:
        return ONE_NETWORK
    fresh = counts.get("fresh_accounts")
    if fresh is not None and fresh + 1 > rule.max_fresh_accounts:
        return FRESH_ACCOUNTS
    return None


@functools.cache
def _burst_statement(asked: CountsAsked) -> Select[Any]:
    return select(*[query.label(name) for name, query in burst_columns(asked).items()])


def burst_reason(
    session: Session,
    user: User,
    network: str | None,
    at: datetime,
    rule: BurstRule,
    target: Target | None = None,
    new: bool = True,
) -> str | None:
    """Return which rule makes a wish by user at `at` on target part of a burst, or None.

    new: the wish is not in the database yet, so it is added to the counts.
    """
    asked, params = burst_params(user, network, at, rule, target)
    if not burst_columns(asked):
        return None
    counts = session.connection().execute(_burst_statement(asked), params).one()._mapping
    return reason_from_counts(counts, rule, new)


def hold_burst(
    session: Session,
    user: User,
    network: str | None,
    at: datetime,
    rule: BurstRule,
    reason: str = NEW_ACCOUNT,
    target: Target | None = None,
) -> list[int]:
    """Hold the burst's wishes that already counted; return their ids.

    Only the wishes the rule names are held: the new account's own, or the network's or the
    fresh accounts' wishes on the one target, never a neighbour's other wishes.
    """
    active = Wish.status == WishStatus.ACTIVE.value
    if reason == NEW_ACCOUNT or target is None:
        query = select(Wish.id).where(
            Wish.user_id == user.id, Wish.created_at > at - rule.window, Wish.created_at <= at
        )
    elif reason == ONE_NETWORK and network is not None:
        start = at - rule.target_window
        query = (
            select(Wish.id)
            .join(WishOrigin, WishOrigin.wish_id == Wish.id)
            .where(WishOrigin.network == network, Wish.created_at > start, Wish.created_at <= at)
            .where(_target_clause(target.premise_id is None))
            .params(target.values(rule))
        )
    else:
        query = (
            select(Wish.id)
            .join(User, User.id == Wish.user_id)
            .where(Wish.created_at > at - rule.window, Wish.created_at <= at)
            .where(_target_clause(target.premise_id is None), _FRESH)
            .params(target.values(rule), fresh_since=at - rule.new_account_age)
        )
    ids = list(session.scalars(query.where(active)))
    if ids:
        session.execute(
            update(Wish)
            .where(Wish.id.in_(ids), active)
            .values(status=WishStatus.HELD.value)
            .execution_options(synchronize_session=False)
        )
    return ids


def burst_key(user: User, reason: str, target: Target, rule: BurstRule) -> str:
    """Return the name of the burst a hold belongs to: the new account, or the target."""
    return f"user:{user.id}" if reason == NEW_ACCOUNT else target.key(rule)


def note_new_wish(
    session: Session,
    wish_id: int,
    at: datetime,
    target: Target,
    user: User,
    network: str | None,
    rule: BurstRule,
    reason: str | None = None,
) -> list[int]:
    """After a wish is written: hold its burst, remember its origin, forget expired origins.

    reason: the burst rule that held the new wish (None when it was not held). Return the ids
    of other wishes that counted until now and are held with this one.
    """
    held: list[int] = []
    if reason:
        held = hold_burst(session, user, network, at, rule, reason, target)
        burst = burst_key(user, reason, target, rule)
        holds.record_holds(session, [wish_id], None, reason, burst)
        holds.record_holds(session, held, WishStatus.ACTIVE.value, reason, burst)
    if network is not None:
        session.connection().execute(
            _ADD_ORIGIN, {"wish_id": wish_id, "network": network, "created_at": at}
        )
    _sweep_origins(session, at, rule)
    return [other for other in held if other != wish_id]


def forget_expired_origins(session: Session, now: datetime, rule: BurstRule) -> None:
    """Delete the network hashes older than the retention period."""
    session.execute(delete(WishOrigin).where(WishOrigin.created_at < now - rule.retention))


_ADD_ORIGIN = insert(WishOrigin.__table__)


# When each database's expired origins were last deleted by this process (monotonic seconds).
_SWEPT: WeakKeyDictionary[Engine, float] = WeakKeyDictionary()
SWEEP_EVERY_S = 60.0


def _sweep_origins(session: Session, now: datetime, rule: BurstRule) -> None:
    """Forget expired origins at most once a minute per process: the retention is counted in
    hours, and a delete in every wish's transaction would lengthen the write lock for nothing."""
    engine = session.get_bind().engine
    moment = time.monotonic()
    if moment - _SWEPT.get(engine, -SWEEP_EVERY_S) < SWEEP_EVERY_S:
        return
    _SWEPT[engine] = moment
    forget_expired_origins(session, now, rule)


def settle_pending(session: Session, user: User, rule: BurstRule) -> list[int]:
    """Turn a newly verified user's pending wishes active, or hold them all (with the rest of
    their burst) if one belongs to a burst; return the ids of other wishes held with them."""
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
    for wish in pending:
        network, target = origins.get(wish.id), Target.of(wish)
        reason = burst_reason(session, user, network, wish.created_at, rule, target, new=False)
        if reason:
            for each in pending:
                each.status = WishStatus.HELD.value
            session.flush()
            held = hold_burst(session, user, network, wish.created_at, rule, reason, target)
            burst = burst_key(user, reason, target, rule)
            holds.record_holds(
                session, [each.id for each in pending], WishStatus.PENDING.value, reason, burst
            )
            holds.record_holds(session, held, WishStatus.ACTIVE.value, reason, burst)
            return held
    for wish in pending:
        wish.status = WishStatus.ACTIVE.value
    return []
