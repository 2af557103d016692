"""The wish write path stays short: few statements per wish, one Redis round trip at most."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from factories import make_premise, make_user, shop_type
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap import db
from wishmap.limits import SweptMemoryStorage
from wishmap.models._types import utcnow

# user_loader, shop type by code, premise, districts' fingerprint, the account's lock
# (+ the advisory locks on PostgreSQL), quota and bursts in one SELECT, INSERT wish, INSERT
# origin. Before issue 13: 12 on SQLite.
MOST_STATEMENTS = {"sqlite": 8, "postgresql": 9}


def test_a_wish_post_takes_at_most_eight_statements(
    app: Flask, session: Session, backend: str
) -> None:
    month_ago = utcnow() - timedelta(days=30)
    user = make_user(session, created_at=month_ago, email_verified_at=month_ago)
    premises = [make_premise(session) for _ in range(3)]
    shop_type(session)
    client = log_in(app.test_client(), user)
    token = csrf_token(client, "/me/")
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    engine = db.engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        for premise in premises:
            statements.clear()
            answer = client.post(
                "/wishes/",
                data={"premise": premise.id, "type": "bakery", "csrf_token": token},
                headers={"Accept": "application/json"},
            )
            assert answer.status_code == 201, answer.get_data(as_text=True)
            assert answer.get_json()["status"] == "active"
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # The last wish: the expired origins were swept at most once a minute, not per wish.
    assert len(statements) <= MOST_STATEMENTS[backend], statements
    assert not any(statement.lstrip().upper().startswith("DELETE") for statement in statements)


def test_a_wish_answer_carries_no_rate_limit_headers_and_a_refusal_says_when_to_retry(
    app: Flask, session: Session
) -> None:
    app.config["WISH_RATE_LIMIT"] = "2 per hour"
    month_ago = utcnow() - timedelta(days=30)
    user = make_user(session, created_at=month_ago, email_verified_at=month_ago)
    premises = [make_premise(session) for _ in range(3)]
    shop_type(session)
    client = log_in(app.test_client(), user)
    token = csrf_token(client, "/me/")
    answers = [
        client.post(
            "/wishes/",
            data={"premise": premise.id, "type": "bakery", "csrf_token": token},
            headers={"Accept": "application/json"},
        )
        for premise in premises
    ]
    assert [answer.status_code for answer in answers] == [201, 201, 429]
    # Reading the window for these headers cost two Redis round trips per wish.
    assert not any(name.startswith("X-RateLimit") for name, _value in answers[0].headers)
    assert 0 < int(answers[2].headers["Retry-After"]) <= 3601  # the hour, rounded up


def test_in_memory_limits_start_no_thread_per_hit_and_still_expire(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[threading.Timer] = []
    monkeypatch.setattr(threading.Timer, "start", lambda timer: started.append(timer))
    storage = SweptMemoryStorage()
    for _hit in range(5):
        storage.incr("wish:user:1", 0.05)
    # limits' MemoryStorage started a timer thread on each of these hits (its one at start
    # never ran here): 6 in all.
    assert len(started) == 1 and storage.get("wish:user:1") == 5
    time.sleep(0.1)
    assert storage.get("wish:user:1") == 0
