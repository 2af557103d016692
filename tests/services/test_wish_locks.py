"""PostgreSQL: which locks a wish waits for. Residents behind one address (a carrier's NAT, a
library) wishing on different premises do not queue behind each other."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from factories import make_premise, make_user, shop_type
from flask import Flask
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from testdb import BACKENDS

from wishmap import create_app, db
from wishmap.db import Base
from wishmap.models import User
from wishmap.models._types import utcnow
from wishmap.services import integrity, wish_locks
from wishmap.services.wishes import create_wish

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL deselected"),
]

IP = "198.51.100.7"


@pytest.fixture
def pg_app(postgres_engine: Engine) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "ENGINE": postgres_engine,
            "DATABASE_URL": str(postgres_engine.url),
            # Advisory locks are database-wide and keyed by an HMAC under the secret: a secret
            # of this test's own keeps parallel runs in other schemas from sharing its keys.
            "SECRET_KEY": f"test-secret-{uuid.uuid4().hex}",
            "LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        yield app
        db.close_session()
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with postgres_engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def _established(session: Session) -> User:
    month_ago = utcnow() - timedelta(days=30)
    return make_user(session, created_at=month_ago, email_verified_at=month_ago)


def _held_open(engine: Engine, user_id: int, keys: list[str | None]) -> Session:
    """A transaction that holds a wish's locks (as one in flight would) until closed."""
    other = Session(engine)
    wish_locks.lock_for_wish(other, user_id, keys, integrity.burst_rule())
    return other


def test_a_wish_on_another_premise_from_the_same_network_does_not_wait(
    pg_app: Flask, postgres_engine: Engine
) -> None:
    session = db.session()
    bakery = shop_type(session).id
    first, second = make_premise(session), make_premise(session)
    neighbour, resident, another = (_established(session) for _ in range(3))
    rule = integrity.burst_rule()
    network = integrity.network_of(IP, rule)
    target = integrity.Target(bakery, first.id, first.lat, first.lon)
    in_flight = _held_open(postgres_engine, neighbour.id, [target.key(rule), network])
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
