"""Wishing at the same moment: the quota, the one voice and the burst rules hold under load.

Each thread has its own session (its own database connection) and waits at a barrier, so
that every wish is counted and written at once; SQLite runs on a file (the in-memory test
database is one shared connection and could not race).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from factories import make_premise, make_user, shop_type
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap import db
from wishmap.models import User, Wish, WishStatus
from wishmap.models._types import utcnow
from wishmap.services.wishes import QuotaReached, WishError, create_wish

Call = Callable[[Session, User], Any]


def _race(app: Flask, calls: list[tuple[int, Call]]) -> list[Any]:
    """Run each (user id, call) in its own thread and session, all released at one barrier."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, user_id: int, call: Call) -> None:
        with app.app_context():
            session = db.session()
            user = session.get(User, user_id)
            # Give the connection back before waiting: the pool is smaller than the crowd.
            session.commit()
            barrier.wait(timeout=60)
            try:
                results[index] = call(session, user)
            except WishError as error:
                results[index] = error
            finally:
                db.close_session()

    threads = [
        threading.Thread(target=run, args=(index, user_id, call))
        for index, (user_id, call) in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def _established(session: Session) -> User:
    month_ago = utcnow() - timedelta(days=30)
    return make_user(session, created_at=month_ago, email_verified_at=month_ago)


def _statuses(session: Session, **where: Any) -> list[str]:
    session.expire_all()
    query = select(Wish.status)
    for name, value in where.items():
        query = query.where(getattr(Wish, name) == value)
    return sorted(session.scalars(query))


def test_thirty_posts_at_once_stop_at_the_quota(shared_app: Flask) -> None:
    session = db.session()
    user = _established(session)
    bakery = shop_type(session).id
    premises = [make_premise(session).id for _ in range(30)]

    def wish_on(premise_id: int) -> Call:
        return lambda s, u: create_wish(s, u, bakery, premise_id=premise_id, quota=10)

    results = _race(shared_app, [(user.id, wish_on(premise_id)) for premise_id in premises])
    # Before the lock: 24 active on SQLite, 18 on PostgreSQL.
    assert _statuses(session, user_id=user.id) == ["active"] * 10
    assert sum(isinstance(result, QuotaReached) for result in results) == 20


def test_ten_posts_of_one_wish_at_once_make_one_voice(shared_app: Flask) -> None:
    session = db.session()
    user = _established(session)
    bakery, premise = shop_type(session).id, make_premise(session).id
    call: Call = lambda s, u: create_wish(s, u, bakery, premise_id=premise)  # noqa: E731
    results = _race(shared_app, [(user.id, call)] * 10)
    assert _statuses(session, user_id=user.id) == ["active"]
    refused = [result for result in results if isinstance(result, WishError)]
    assert len(refused) == 9 and all("already wish" in str(error) for error in refused)


def test_a_new_accounts_burst_at_once_is_held_whole(shared_app: Flask) -> None:
    session = db.session()
    newcomer = make_user(session)  # made and verified just now
    bakery = shop_type(session).id
    premises = [make_premise(session).id for _ in range(10)]

    def wish_on(premise_id: int) -> Call:
        return lambda s, u: create_wish(s, u, bakery, premise_id=premise_id)

    _race(shared_app, [(newcomer.id, wish_on(premise_id)) for premise_id in premises])
    # One by one the sixth wish holds the burst; at once, before the lock, all ten counted.
    assert _statuses(session, user_id=newcomer.id) == ["held"] * 10


def test_one_networks_accounts_at_once_are_held_whole(shared_app: Flask) -> None:
    session = db.session()
    users = [_established(session) for _ in range(10)]
    bakery, premise = shop_type(session).id, make_premise(session).id

    def wish_from(number: int) -> Call:
        return lambda s, u: create_wish(
            s, u, bakery, premise_id=premise, client_ip=f"203.0.113.{number}"
        )

    _race(shared_app, [(user.id, wish_from(index + 1)) for index, user in enumerate(users)])
    assert _statuses(session, premise_id=premise) == ["held"] * 10
    active = session.scalar(select(func.count()).where(Wish.status == WishStatus.ACTIVE.value))
    assert active == 0
