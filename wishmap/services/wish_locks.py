"""Serialising wishes: what keeps the quota, the one voice and the burst rules exact under load.

Counting then inserting must not interleave with another wish of the same account or target;
these locks, held until the wish's commit, make sure it does not (services/wishes/, and the
concurrency tests in tests/services/test_wish_locks.py and tests/views/test_races_over_http.py).
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import hmac
import os
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from weakref import WeakKeyDictionary

from sqlalchemy import bindparam, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from wishmap.models import User
from wishmap.services.integrity import BurstRule

# SQLite lets one writer in at a time, and a writer that finds the database locked sleeps
# (1, 2, 5 … then 25 to 100 ms) before it looks again, so under load most of a wish's wait
# was sleeping past the moment the lock came free. Wishes queue here instead, each woken as
# soon as the one before it has committed: the threads of one process on a thread lock, the
# processes (gunicorn's workers) on an flock of a file beside the database, which the kernel
# hands to the next waiter at once and lets go if its holder dies (a killed worker).
_WRITERS: WeakKeyDictionary[Engine, tuple[threading.Lock, int | None]] = WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()


def _writer_slot(engine: Engine) -> tuple[threading.Lock, int | None]:
    """This process's thread lock and lock file for the SQLite database behind engine."""
    with _WRITERS_LOCK:
        slot = _WRITERS.get(engine)
        if slot is None:
            database = engine.url.database or ""
            shared = database and database != ":memory:" and not database.startswith("file:")
            flags = os.O_RDWR | os.O_CREAT
            descriptor = os.open(f"{database}.writer-lock", flags, 0o600) if shared else None
            if descriptor is not None:
                weakref.finalize(engine, os.close, descriptor)
            slot = _WRITERS[engine] = (threading.Lock(), descriptor)
        return slot


@contextmanager
def one_writer(session: Session) -> Iterator[None]:
    """On SQLite, hold the database's writer slot for the block (a wish's transaction)."""
    engine = session.get_bind().engine
    if engine.dialect.name != "sqlite":
        yield
        return
    lock, descriptor = _writer_slot(engine)
    with lock:
        if descriptor is None:
            yield
            return
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)


def lock_for_wish(
    session: Session, user_id: int, keys: Iterable[str | None], rule: BurstRule
) -> None:
    """Serialise wishing per account (and per target and network) until the commit.

    Counting the quota, the one voice and the bursts, then inserting, must not interleave
    with another wish of the same account, or 30 posts at once would all see room for one
    more. PostgreSQL: the account's row is locked FOR UPDATE, and a transaction advisory lock
    per target and network serialises the cross-account rules (taken in one sorted order, so
    two wishes never wait on each other). SQLite: a no-op write takes the database's write
    lock at once (what BEGIN IMMEDIATE does), before anything is counted.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(_TOUCH_USER, {"uid": user_id})
        return
    numbers = {
        int.from_bytes(
            hmac.new(rule.key, key.encode(), hashlib.sha256).digest()[:8], "big", signed=True
        )
        for key in keys
        if key
    }
    # One round trip: the row first (the FROM is read before the target list), then the
    # target list left to right, in the sorted order.
    values = {f"k{n}": number for n, number in enumerate(sorted(numbers))}
    connection.execute(_pg_locks(len(numbers)), {"uid": user_id, **values})


_users = User.__table__
# Built once: this runs in every wish's transaction (see burst_columns).
_TOUCH_USER = update(_users).where(_users.c.id == bindparam("uid")).values(id=_users.c.id)


@functools.cache
def _pg_locks(count: int) -> TextClause:
    advisory = "".join(f", pg_advisory_xact_lock(:k{n})" for n in range(count))
    return text(f"SELECT u.id{advisory} FROM (SELECT id FROM users WHERE id = :uid FOR UPDATE) u")
