"""The "your wish is held" and "your wish came true" e-mails leave the request for a job.

A request only enqueues; the job (RQ with REDIS_URL, else in-process once the response is
sent) writes the e-mail in the resident's language.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from factories import make_premise, make_user, shop_type
from flask import Flask
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap import jobs
from wishmap.mail import outbox_messages
from wishmap.models import Role, User
from wishmap.models._types import utcnow
from wishmap.services.outcomes import record_outcome
from wishmap.services.wishes import create_wish


class FakeQueue:
    """Records what would go to RQ."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Any, ...]] = []

    def enqueue(self, function: Any, *args: Any, **options: Any) -> Any:
        self.jobs.append(args)
        return type("Job", (), {"id": f"job-{len(self.jobs)}"})()


def _established(session: Session, **fields: object) -> User:
    month_ago = utcnow() - timedelta(days=30)
    return make_user(session, created_at=month_ago, email_verified_at=month_ago, **fields)


def _neighbours_of_one_network(session: Session, premise_id: int, bakery: int) -> list[User]:
    """Four accounts of 192.0.2.0/24 whose wishes count; a fifth would make a burst."""
    neighbours = [_established(session, locale="fr" if n == 0 else None) for n in range(4)]
    for number, user in enumerate(neighbours):
        create_wish(session, user, bakery, premise_id=premise_id, client_ip=f"192.0.2.{number}")
    return neighbours


def _fifth_wish(app: Flask, session: Session, premise_id: int) -> Any:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.9"
    log_in(client, _established(session))
    token = csrf_token(client, "/me/")
    return client.post(
        "/wishes/",
        data={"premise": premise_id, "type": "bakery", "csrf_token": token},
        headers={"Accept": "application/json"},
    )


def test_a_wish_that_holds_a_burst_enqueues_the_held_mail_and_the_job_sends_it_in_french(
    app: Flask, session: Session, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    premise = make_premise(session)
    neighbours = _neighbours_of_one_network(session, premise.id, shop_type(session).id)
    queue = FakeQueue()
    monkeypatch.setattr(jobs, "job_queue", lambda config: queue)

    answer = _fifth_wish(app, session, premise.id)

    assert answer.status_code == 201 and answer.get_json()["status"] == "held"
    # The request only enqueued: no e-mail was written while the resident waited.
    assert outbox_messages(outbox) == []
    assert len(queue.jobs) == 1
    name, wish_ids = queue.jobs[0]
    assert name == "tell-held" and len(wish_ids) == 4
    # The worker's side: the job sends, each resident in their own language.
    assert jobs.run_job(name, wish_ids) == 4
    mails = {message["To"]: message for message in outbox_messages(outbox)}
    assert set(mails) == {user.email for user in neighbours}
    assert "retenu" in mails[neighbours[0].email]["Subject"]
    assert "held for review" in mails[neighbours[1].email]["Subject"]


def test_without_a_queue_the_held_mail_goes_once_the_response_is_closed(
    app: Flask, session: Session, outbox: Path
) -> None:
    premise = make_premise(session)
    neighbours = _neighbours_of_one_network(session, premise.id, shop_type(session).id)
    app.testing = False  # as in production: in-process jobs wait for the response to go out
    try:
        answer = _fifth_wish(app, session, premise.id)
        assert answer.status_code == 201 and answer.get_json()["status"] == "held"
        assert outbox_messages(outbox) == []
        answer.close()  # what the WSGI server does once the last byte is sent
    finally:
        app.testing = True
    mails = {message["To"]: message for message in outbox_messages(outbox)}
    assert set(mails) == {user.email for user in neighbours}
    assert "retenu" in mails[neighbours[0].email]["Subject"]


def _wished_on(session: Session) -> tuple[User, User, Any]:
    owner = make_user(session, role=Role.OWNER)
    premise = make_premise(session, manager_id=owner.id)
    bakery = shop_type(session).id
    french = _established(session, locale="fr")
    create_wish(session, french, bakery, premise_id=premise.id)
    return owner, french, premise


def test_recording_an_outcome_enqueues_the_mail_and_the_job_sends_it_in_french(
    app: Flask, session: Session, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner, french, premise = _wished_on(session)
    queue = FakeQueue()
    monkeypatch.setattr(jobs, "job_queue", lambda config: queue)

    notified = record_outcome(
        session, owner, premise.id, "opened", shop_type(session).id, date.today(), "http://x/me/"
    )

    assert len(notified) == 1 and outbox_messages(outbox) == []
    assert ("send-notifications", "http://x/me/") in queue.jobs
    assert jobs.run_job("send-notifications", "http://x/me/") == 1
    [mail] = outbox_messages(outbox)
    assert mail["To"] == french.email
    assert "Votre souhait s'est réalisé" in mail["Subject"]
    assert "http://x/me/" in mail.get_content()


def test_with_redis_the_held_mail_is_an_rq_job_a_worker_runs(
    app: Flask, session: Session, outbox: Path
) -> None:
    import rq
    from redis import Redis

    # A queue of this test run alone: parallel runs on the same Redis never take its jobs.
    name = f"wishmap-test-{uuid.uuid4().hex[:12]}"
    app.config.update(REDIS_URL="redis://127.0.0.1:6379/0", JOBS_QUEUE=name, JOB_RETRIES=0)
    premise = make_premise(session)
    neighbours = _neighbours_of_one_network(session, premise.id, shop_type(session).id)
    queue = rq.Queue(name, connection=Redis.from_url(app.config["REDIS_URL"]))
    try:
        answer = _fifth_wish(app, session, premise.id)
        assert answer.status_code == 201 and answer.get_json()["status"] == "held"
        assert outbox_messages(outbox) == [] and queue.count == 1
        # A worker in this process (SimpleWorker: no fork) runs it in the current app.
        rq.SimpleWorker([queue], connection=queue.connection).work(burst=True)
        assert queue.count == 0 and queue.failed_job_registry.count == 0
    finally:
        queue.delete(delete_jobs=True)
    mails = {message["To"]: message for message in outbox_messages(outbox)}
    assert set(mails) == {user.email for user in neighbours}
    assert "retenu" in mails[neighbours[0].email]["Subject"]
