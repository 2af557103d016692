"""Background jobs: in-process without a queue, on RQ with Redis, failures listed for admins."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from factories import make_user
from flask import Flask
from sqlalchemy.orm import Session
from web import log_in

from wishmap import jobs
from wishmap.models import Role

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
