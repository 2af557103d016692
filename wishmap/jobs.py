"""Background work, every job in one list: queued on RQ when there is one, run here otherwise.

With REDIS_URL set and the `rq` package installed, `enqueue()` puts a job on the JOBS_QUEUE
queue (JOB_RETRIES retries, spaced out) for `rq worker wishmap --url $REDIS_URL`, which runs
`run_job()` in an app of its own. Without Redis the same function runs in the calling process,
so the embedded default needs no extra service; the CLI commands (`send-notifications`,
`analyse`, each with `--every`) keep working either way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import click
from flask import Flask, after_this_request, current_app, has_app_context, has_request_context
from flask.cli import with_appcontext

from wishmap import db
from wishmap.models._types import utcnow


def send_notifications(page_url: str | None = None) -> int:
    """E-mail the residents' notifications whose e-mail has not gone out; return how many."""
    from wishmap.services.notifications import send_pending_notifications

    page_url = page_url or current_app.config["PUBLIC_URL"].rstrip("/") + "/me/"
    return send_pending_notifications(db.session(), page_url)


def tell_held(wish_ids: Sequence[int]) -> int:
    """E-mail the residents whose counting wishes a burst just held; return how many."""
    from wishmap.services.holds import mail_held

    return mail_held(db.session(), wish_ids)


def send_follow_news() -> int:
    """E-mail followers the news of the premises they follow; return how many e-mails."""
    from wishmap.services.follows import send_follow_news as send

    return send(db.session(), current_app.config["PUBLIC_URL"])


def analyse() -> int | None:
    """Run the full analysis over the active wishes; return the stored run's id (None: no data)."""
    from wishmap.services.analysis import NothingToAnalyse, run_analysis

    try:
        return run_analysis(db.session(), premise_statuses=("vacant",)).id
    except NothingToAnalyse as nothing:
        current_app.logger.info("analyse: %s", nothing)
        return None


# Every job the app can hand to the background, by the name the CLI and the queue use.
JOBS: dict[str, Callable[..., Any]] = {
    "send-notifications": send_notifications,
    "tell-held": tell_held,
    "analyse": analyse,
    "send-follow-news": send_follow_news,
}

_worker_app: Flask | None = None


def run_job(name: str, *args: Any) -> Any:
    """Run the named job in the current app, or in an app made once per worker process."""
    job = JOBS[name]
    if has_app_context():
        return job(*args)
    global _worker_app
    if _worker_app is None:
        from wishmap import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        return job(*args)


def job_queue(config: Mapping[str, Any]) -> Any | None:
    """Return the RQ queue when REDIS_URL is set and rq is installed, else None."""
    if not config.get("REDIS_URL"):
        return None
    try:
        import rq
        from redis import Redis
    except ImportError:
        return None
    connection = Redis.from_url(config["REDIS_URL"])
    return rq.Queue(config.get("JOBS_QUEUE", "wishmap"), connection=connection)


def enqueue(name: str, *args: Any) -> str:
    """Queue the named job on RQ (with retries), or run it in this process without a queue.

    Without a queue, a job asked for during a request runs once the response has gone out
    (the resident never waits for a mail server); elsewhere (CLI, scripts) and under TESTING
    (so that a test client's request has done its work when it returns) it runs at once.
    Return the RQ job id, "after-response", or "ran" when it ran now.
    """
    if name not in JOBS:
        raise KeyError(name)
    config = current_app.config
    queue = job_queue(config)
    if queue is None:
        if has_request_context() and not current_app.testing:
            _after_response(current_app._get_current_object(), name, args)  # type: ignore[attr-defined]
            return "after-response"
        run_job(name, *args)
        return "ran"
    import rq

    retries = int(config.get("JOB_RETRIES", 3))
    retry = rq.Retry(max=retries, interval=[30, 120, 600][:retries] or 0) if retries else None
    job = queue.enqueue(run_job, name, *args, retry=retry, description=name, job_timeout=3600)
    return job.id


def _after_response(app: Flask, name: str, args: tuple[Any, ...]) -> None:
    """Run the job when the server closes the response, i.e. after its last byte was sent."""

    def run() -> None:
        with app.app_context():
            try:
                run_job(name, *args)
            except Exception:
                # The answer is gone: the failure can only be logged (RQ would retry it).
                app.logger.exception("job %s failed after the response", name)

    @after_this_request
    def attach(response: Any) -> Any:
        response.call_on_close(run)
        return response


@dataclass
class FailedJob:
    id: str
    name: str
    ended_at: datetime | None
    error: str


def failed_jobs(config: Mapping[str, Any], limit: int = 50) -> list[FailedJob] | None:
    """Return the newest failed jobs of the queue (None when no queue is used)."""
    queue = job_queue(config)
    if queue is None:
        return None
    from rq.job import Job

    ids = queue.failed_job_registry.get_job_ids()[-limit:]
    found = []
    for job in Job.fetch_many(ids, connection=queue.connection):
        if job is None:
            continue
        trace = job.latest_result().exc_string if job.latest_result() else (job.exc_info or "")
        last_line = (trace or "").strip().splitlines()[-1:] or [""]
        found.append(FailedJob(job.id, job.description or "?", job.ended_at, last_line[0]))
    return sorted(found, key=lambda job: job.ended_at or datetime.min, reverse=True)


def analysis_due(
    session: Any, after_wishes: int, period: timedelta, now: datetime | None = None
) -> str | None:
    """Return why the analysis should run now, or None: after_wishes new wishes or period,
    whichever comes first, since the last finished run (never while one has just started)."""
    from sqlalchemy import func, select

    from wishmap.models import AnalysisRun, Wish
    from wishmap.services.analysis import latest_run

    now = now or utcnow()
    running = session.scalar(
        select(func.count())
        .select_from(AnalysisRun)
        .where(AnalysisRun.status == "running", AnalysisRun.started_at > now - period)
    )
    if running:
        return None
    run = latest_run(session)
    if run is None:
        return "no analysis has run yet"
    new = session.scalar(
        select(func.count()).select_from(Wish).where(Wish.created_at > run.started_at)
    )
    if new >= after_wishes:
        return f"{new} new wishes since run {run.id}"
    if now - run.started_at >= period:
        return f"run {run.id} is older than {period}"
    return None


@click.command("schedule")
@click.option(
    "--every",
    type=click.IntRange(min=10),
    metavar="SECONDS",
    help="Keep checking, once every SECONDS (else check once, e.g. from cron).",
)
@with_appcontext
def schedule_command(every: int | None) -> None:
    """Queue (or run) the analysis after ANALYSE_AFTER_WISHES new wishes or
    ANALYSE_EVERY_MINUTES, whichever comes first."""
    import time

    config = current_app.config
    while True:
        reason = analysis_due(
            db.session(),
            int(config.get("ANALYSE_AFTER_WISHES", 500)),
            timedelta(minutes=int(config.get("ANALYSE_EVERY_MINUTES", 60))),
        )
        db.close_session()
        if reason:
            click.echo(f"analysis due ({reason}): {enqueue('analyse')}")
        if every is None:
            return
        time.sleep(every)


@click.command("enqueue")
@click.argument("name", type=click.Choice(sorted(JOBS)))
@with_appcontext
def enqueue_command(name: str) -> None:
    """Queue a background job on RQ (REDIS_URL and rq), or run it now without a queue."""
    outcome = enqueue(name)
    click.echo(f"{name}: ran here" if outcome == "ran" else f"{name}: queued as RQ job {outcome}")
