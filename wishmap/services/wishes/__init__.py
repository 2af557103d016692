"""Wishes: making, importing and counting them. One person, one voice per premise and shop type.

The wish write path is the busiest write of the site (a city's launch evening): one short
transaction per wish, with what the quota, the one voice and the burst rules need fetched in
one statement once the account's lock is held, and anything that can wait (e-mails) handed
to the jobs after the commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from flask_babel import gettext as _
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached

from wishmap.models import (
    VOICE_STATUSES,
    PremiseStatus,
    ShopType,
    User,
    Wish,
    WishStatus,
)
from wishmap.models._types import utcnow
from wishmap.services import holds, integrity, verification, wish_locks
from wishmap.services.districts import OUTSIDE, districts_of
from wishmap.services.streets import cached_street_locator
from wishmap.services.wishes import statements
from wishmap.services.wishes.common import (
    FREE_WISH_STREET_M,
    FREQUENCIES,
    QuotaReached,
    WishError,
    WishNotFound,
    check_text,
)
from wishmap.services.wishes.imports import RESIDENT_COLUMNS, WishImportReport, import_wishes
from wishmap.services.wishes.queries import (
    active_wish_count,
    others_sharing,
    user_types_at,
    user_wishes,
)

__all__ = [
    "FREE_WISH_STREET_M",
    "FREQUENCIES",
    "RESIDENT_COLUMNS",
    "QuotaReached",
    "WishError",
    "WishImportReport",
    "WishNotFound",
    "active_wish_count",
    "change_wish",
    "create_wish",
    "import_wishes",
    "others_sharing",
    "restore_wish",
    "support_wish",
    "user_types_at",
    "user_wishes",
    "withdraw_wish",
]


def _place(
    connection: Connection,
    session: Session,
    shop_type_id: int,
    premise_id: int | None,
    point: tuple[float, float] | None,
) -> tuple[float, float, int | None]:
    """Return (lat, lon, street id) of a wish's place, or raise WishError.

    The shop type is checked in the same round trip.
    """
    if premise_id is not None:
        row = connection.execute(statements.PLACE, {"pid": premise_id, "tid": shop_type_id}).first()
        if row is None:
            raise WishError(_("Unknown premise."))
        if not row.type_known:
            raise WishError(_("Unknown shop type."))
        if row.status != PremiseStatus.VACANT.value:
            raise WishError(_("This premise is no longer vacant."))
        return row.lat, row.lon, row.street_id
    if not connection.execute(statements.TYPE_KNOWN, {"tid": shop_type_id}).scalar():
        raise WishError(_("Unknown shop type."))
    if point is not None:
        lat, lon = point
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise WishError(_("The point is not a latitude/longitude."))
        return lat, lon, cached_street_locator(session).nearest(lat, lon, FREE_WISH_STREET_M)
    raise WishError(_("A wish needs a premise or a point."))


def _districts_at(session: Session, lat: float, lon: float) -> dict[str, int]:
    """Return {level: district id} of the districts a point lies in."""
    found = districts_of(session, np.array([lat]), np.array([lon]))
    return {level: int(ids[0]) for level, ids in found.items() if ids[0] != OUTSIDE}


def _counts(session: Session, user: User) -> bool:
    """Return True when the user's wishes count (else they wait, pending)."""
    settings = verification.counting_settings()
    # A confirmed address meets the default minimum whatever else the account proved: no query.
    if settings.min_verification == verification.EMAIL and user.email_verified_at is not None:
        return True
    return verification.meets_minimum(session, user, settings)


def create_wish(
    session: Session,
    user: User,
    shop_type_id: int,
    premise_id: int | None = None,
    point: tuple[float, float] | None = None,
    reason: str | None = None,
    frequency: str | None = None,
    quota: int = 10,
    max_reason: int = 500,
    client_ip: str | None = None,
    now: datetime | None = None,
    supporting: bool = False,
) -> Wish:
    """Record a wish on a vacant premise or a free point; commit, or raise WishError.

    It counts at once (active) unless its resident is unverified (pending) or it belongs to
    a burst from client_ip or the account (held); see services/integrity.py. supporting: only
    if others already wish for this type on the premise (support_wish).
    """
    reason = check_text(reason, frequency, max_reason)
    # Every statement of the path is prebuilt (services/wishes/statements.py) and run on the
    # session's connection, and the wish is inserted without the ORM's unit of work: on a
    # launch evening the Python around each statement was most of a wish's CPU.
    connection = session.connection()
    lat, lon, street_id = _place(connection, session, shop_type_id, premise_id, point)
    # The districts depend on the place alone: found before the lock, not while holding it.
    districts = _districts_at(session, lat, lon)
    rule = integrity.burst_rule()
    network = integrity.network_of(client_ip, rule)
    target = integrity.Target(shop_type_id, premise_id, lat, lon)
    # From here to the commit, no other wish of this account (nor on this target) is counted
    # or written: the quota, the one voice and the bursts hold under load. Every burst rule
    # counts within one target, so the target's lock covers them for a premise; a free point
    # is judged over a box that reaches past its grid cell (the target's key), so its network
    # is locked too. Not locking the network for premises keeps residents behind one address
    # (a carrier's NAT, a library) from queueing behind each other on PostgreSQL.
    keys = [target.key(rule), network if premise_id is None else None]
    with wish_locks.one_writer(session):
        try:
            wish_locks.lock_for_wish(session, user.id, keys, rule)
            # The time is read once the lock is held, so that wishes are stamped in the order they
            # are counted: a wish stamped before the lock would not see those that got it first.
            now = now or utcnow()
            status, hold_reason = _judge(
                connection, session, user, target, network, now, rule, quota, supporting
            )
            values = {
                "status": status.value,
                "created_at": now,
                "user_id": user.id,
                "shop_type_id": shop_type_id,
                "premise_id": premise_id,
                "street_id": street_id,
                "lat": lat,
                "lon": lon,
                "reason": reason,
                "frequency": frequency or None,
            }
            # An active wish with districts is written pending, given its districts, then made
            # active: the statistics triggers then count it once with its districts, instead of
            # counting it outside every district and moving it into each (several times the
            # work, all of it while the write lock is held).
            activate = bool(districts) and status is WishStatus.ACTIVE
            written = {**values, "status": WishStatus.PENDING.value} if activate else values
            wish_id = connection.execute(statements.INSERT_WISH, written).scalar_one()
            held = integrity.note_new_wish(
                session, wish_id, now, target, user, network, rule, hold_reason
            )
            if districts:
                rows = [
                    {"wish_id": wish_id, "level": level, "district_id": district_id}
                    for level, district_id in districts.items()
                ]
                connection.execute(statements.INSERT_DISTRICTS, rows)
            if activate:
                connection.execute(statements.ACTIVATE, {"wish_id": wish_id})
            session.commit()
        except IntegrityError:
            # The unique index on active (user, premise, type) caught a second voice.
            session.rollback()
            raise WishError(_("You already wish for this shop type here.")) from None
        except BaseException:
            session.rollback()
            raise
    # The caller gets the stored wish as a persistent object of its session, made from the
    # values just written (no query) once the write lock is let go; its premise and shop type
    # load when asked for.
    wish = Wish(id=wish_id, **values)
    make_transient_to_detached(wish)
    session.add(wish)
    # Residents whose wishes counted until this burst held them learn it from a job, after the
    # commit: a slow mail server holds neither the write lock nor the resident's answer.
    holds.tell_held(session, held)
    return wish


def _judge(
    connection: Connection,
    session: Session,
    user: User,
    target: integrity.Target,
    network: str | None,
    now: datetime,
    rule: integrity.BurstRule,
    quota: int,
    supporting: bool,
) -> tuple[WishStatus, str | None]:
    """Return the status a new wish starts in and the burst rule that held it, or raise.

    One statement counts the quota, whether others wished here (support) and the bursts.
    """
    counting = _counts(session, user)
    asked, params = integrity.burst_params(user, network, now, rule, target)
    statement = statements.judge_counts(asked if counting else None, supporting)
    found = connection.execute(statement, params).one()._mapping
    if found["used"] >= quota:
        raise QuotaReached(
            _(
                "You already have %(quota)d active wishes, the most one resident can have. "
                "Withdraw one on your wishes page to make another.",
                quota=quota,
            )
        )
    if supporting and not found["wished"]:
        raise WishError(_("Nobody wishes for this shop type here yet; make the first wish."))
    if not counting:
        # Pending until the account proves the campaign's minimum (services/verification.py).
        return WishStatus.PENDING, None
    reason = integrity.reason_from_counts(found, rule)
    return (WishStatus.HELD if reason else WishStatus.ACTIVE), reason


def support_wish(
    session: Session, user: User, premise_id: int, shop_type_id: int, **limits: Any
) -> Wish:
    """Add the user's voice to a shop type others already wished for on this premise; commit."""
    return create_wish(
        session, user, shop_type_id, premise_id=premise_id, supporting=True, **limits
    )


def restore_wish(session: Session, user: User, wish_id: int, **limits: Any) -> Wish:
    """Undo a withdrawal: make the withdrawn wish again as a new wish; commit, or WishError.

    It goes through create_wish, so the quota, the one voice, the premise still being vacant
    and the burst rules hold exactly as for a wish made now.
    """
    wish = session.get(Wish, wish_id)
    if wish is None or wish.user_id != user.id or wish.status != WishStatus.WITHDRAWN.value:
        raise WishNotFound(_("You have no such wish."))
    return create_wish(
        session,
        user,
        wish.shop_type_id,
        premise_id=wish.premise_id,
        point=None if wish.premise_id is not None else (wish.lat, wish.lon),
        reason=wish.reason,
        frequency=wish.frequency,
        **limits,
    )


def _own_wish(session: Session, user: User, wish_id: int) -> Wish:
    wish = session.get(Wish, wish_id)
    # Someone else's wish is reported as missing: its id tells nothing about who made it.
    if wish is None or wish.user_id != user.id or wish.status not in VOICE_STATUSES:
        raise WishNotFound(_("You have no such wish."))
    return wish


def withdraw_wish(session: Session, user: User, wish_id: int) -> Wish:
    """Withdraw one of the user's live wishes; it stops counting at once. Commits."""
    wish = _own_wish(session, user, wish_id)
    wish.status = WishStatus.WITHDRAWN.value
    session.commit()
    return wish


def change_wish(
    session: Session,
    user: User,
    wish_id: int,
    shop_type_id: int,
    reason: str | None = None,
    frequency: str | None = None,
    max_reason: int = 500,
) -> Wish:
    """Change the shop type, reason or frequency of one of the user's live wishes; commit."""
    wish = _own_wish(session, user, wish_id)
    reason = check_text(reason, frequency, max_reason)
    if session.get(ShopType, shop_type_id) is None:
        raise WishError(_("Unknown shop type."))
    if wish.premise is not None and not wish.premise.is_vacant:
        raise WishError(_("This premise is no longer vacant."))
    wish.shop_type_id, wish.reason, wish.frequency = shop_type_id, reason, frequency or None
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise WishError(_("You already wish for this shop type here.")) from None
    return wish
