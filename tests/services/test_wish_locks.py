"""PostgreSQL: which locks a wish waits for. Residents behind one address (a carrier's NAT, a
library) wishing on different premises do not queue behind each other."""

from __future__ import annotations

from datetime import timedelta

import pytest
from factories import make_premise, make_user, shop_type
from flask import Flask
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from testdb import BACKENDS

from wishmap import db
from wishmap.models import User
from wishmap.models._types import utcnow
from wishmap.services import integrity, wish_locks
from wishmap.services.wishes import create_wish

pytestmark = [
    pytest.mark.postgresql,
    # conftest's shared_app: an app on this run's PostgreSQL schema, with a secret (the advisory
    # locks' keys) of its own, emptied afterwards; the SQLite variant is deselected.
    pytest.mark.postgresql_only,
    pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL deselected"),
]

IP = "198.51.100.7"


def _established(session: Session) -> User:
    month_ago = utcnow() - timedelta(days=30)
    return make_user(session, created_at=month_ago, email_verified_at=month_ago)


def _held_open(engine: Engine, user_id: int, keys: list[str | None]) -> Session:
    """A transaction that holds a wish's locks (as one in flight would) until closed."""
    other = Session(engine)
    wish_locks.lock_for_wish(other, user_id, keys, integrity.burst_rule())
    return other


def test_a_wish_on_another_premise_from_the_same_network_does_not_wait(
    shared_app: Flask,
) -> None:
    session = db.session()
    bakery = shop_type(session).id
    first, second = make_premise(session), make_premise(session)
    neighbour, resident, another = (_established(session) for _ in range(3))
    rule = integrity.burst_rule()
    network = integrity.network_of(IP, rule)
    target = integrity.Target(bakery, first.id, first.lat, first.lon)
    in_flight = _held_open(db.engine(), neighbour.id, [target.key(rule), network])
    try:
        # LOCAL: for this transaction only, never left on a pooled connection.
        session.execute(text("SET LOCAL lock_timeout = '3s'"))
        # Before: the network's lock made this wait for the neighbour's commit (lock timeout).
        wish = create_wish(session, resident, bakery, premise_id=second.id, client_ip=IP)
        assert wish.status == "active"
        # The same premise and type still waits: the one-network rule counts there.
        session.execute(text("SET LOCAL lock_timeout = '1s'"))
        with pytest.raises(OperationalError, match="lock timeout"):
            create_wish(session, another, bakery, premise_id=first.id)
    finally:
        in_flight.close()
        session.rollback()
