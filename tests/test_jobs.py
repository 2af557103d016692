"""Background jobs: in-process without a queue, on RQ with Redis, failures listed for admins."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from factories import make_premise, make_street, make_user, make_wish
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from web import log_in

from wishmap import db, jobs
from wishmap.models import AnalysisRun, Role
from wishmap.models._types import utcnow

REDIS_URL = os.environ.get("WISHMAP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def test_without_redis_a_job_runs_here_and_now(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []
    monkeypatch.setitem(jobs.JOBS, "probe", lambda: ran.append("probe"))
    app.config["REDIS_URL"] = ""
    assert jobs.enqueue("probe") == "ran"
    assert ran == ["probe"]
    assert jobs.failed_jobs(app.config) is None
    with pytest.raises(KeyError):
        jobs.enqueue("no-such-job")


def test_the_real_jobs_run_in_process(app: Flask) -> None:
    app.config["REDIS_URL"] = ""
    # Nothing pending: sent none, and the command says it ran here.
    assert jobs.run_job("send-notifications") == 0
    result = app.test_cli_runner().invoke(args=["enqueue", "send-notifications"])
    assert result.exit_code == 0, result.output
    assert "send-notifications: ran here" in result.output


@pytest.fixture
def rq_queue(app: Flask) -> Iterator[str]:
    """A queue of this test's own on the local Redis, emptied afterwards."""
    pytest.importorskip("rq")
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    name = f"wishmap-test-{uuid.uuid4().hex[:12]}"
    app.config.update(REDIS_URL=REDIS_URL, JOBS_QUEUE=name, JOB_RETRIES=0)
    yield name
    for key in client.scan_iter(f"*{name}*"):
        client.delete(key)
    client.close()


@pytest.mark.sqlite_only
def test_with_redis_jobs_are_queued_and_failures_listed(
    app: Flask, session: Session, rq_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rq import SimpleWorker

    ran: list[str] = []
    monkeypatch.setitem(jobs.JOBS, "probe", lambda: ran.append("probe") or 7)

    def boom() -> None:
        raise RuntimeError("mail server said no")

    monkeypatch.setitem(jobs.JOBS, "boom", boom)
    queue = jobs.job_queue(app.config)
    assert queue is not None and queue.name == rq_queue
    good, bad = jobs.enqueue("probe"), jobs.enqueue("boom")
    assert good != "ran" and ran == []  # queued, not run
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert ran == ["probe"]
    assert queue.fetch_job(good).return_value() == 7
    [failed] = jobs.failed_jobs(app.config)
    assert failed.id == bad and failed.name == "boom"
    assert "RuntimeError: mail server said no" in failed.error
    admin = log_in(app.test_client(), make_user(session, role=Role.ADMIN))
    page = admin.get("/admin/jobs").get_data(as_text=True)
    assert "mail server said no" in page and bad in page


def test_the_admin_page_says_when_no_queue_is_used(app: Flask, session: Session) -> None:
    app.config["REDIS_URL"] = ""
    admin = log_in(app.test_client(), make_user(session, role=Role.ADMIN))
    page = admin.get("/admin/jobs").get_data(as_text=True)
    assert "No job queue is configured" in page


def _run(session: Session, started: datetime, status: str = "finished") -> AnalysisRun:
    run = AnalysisRun(started_at=started, finished_at=started, status=status)
    session.add(run)
    session.commit()
    return run


def test_the_analysis_is_due_after_enough_wishes_or_time(session: Session) -> None:
    now = utcnow()
    hour = timedelta(hours=1)
    assert jobs.analysis_due(session, 3, hour, now) == "no analysis has run yet"
    run = _run(session, now - timedelta(minutes=10))
    assert jobs.analysis_due(session, 3, hour, now) is None
    premise = make_premise(session)
    for code in ("bakery", "books"):
        make_wish(session, premise=premise, code=code)
    assert jobs.analysis_due(session, 3, hour, now) is None
    make_wish(session, premise=premise, code="florist")
    assert jobs.analysis_due(session, 3, hour, now) == f"3 new wishes since run {run.id}"
    later = now + hour
    assert jobs.analysis_due(session, 100, hour, later) == f"run {run.id} is older than 1:00:00"
    # A run that has just started is not started again.
    _run(session, later - timedelta(minutes=1), status="running")
    assert jobs.analysis_due(session, 3, hour, later) is None


def test_schedule_runs_the_analysis_in_place_when_due(app: Flask, session: Session) -> None:
    app.config.update(REDIS_URL="", ANALYSE_AFTER_WISHES=1)
    make_street(session)
    premise = make_premise(session)
    make_wish(session, premise=premise)
    first = app.test_cli_runner().invoke(args=["schedule"])
    assert first.exit_code == 0, first.output
    assert "analysis due (no analysis has run yet): ran" in first.output
    # Counted on a connection of its own: the command closes the context's session.
    with db.engine().connect() as connection:
        assert connection.scalar(select(func.count()).select_from(AnalysisRun)) == 1
    again = app.test_cli_runner().invoke(args=["schedule"])
    assert again.exit_code == 0 and again.output == ""
