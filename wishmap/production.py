"""Is this deployment fit to serve a city? The startup check and the readiness probe.

`production_problems` lists settings that are unsafe outside development (gunicorn.conf.py
refuses to start on them, `flask --app wishmap check-production` prints them); `readiness`
answers /readyz: database reachable, migrations at head, Redis reachable when configured.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Mapping
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Engine

from wishmap import db

# Secrets seen in examples, tests and tutorials: a key anyone can read signs nobody's cookie.
KNOWN_SECRETS = {"", "dev", "development", "secret", "changeme", "change-me", "test-secret"}
MIN_SECRET_LENGTH = 32


def default_workers(config: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> int:
    """Return how many gunicorn worker processes to run.

    WEB_CONCURRENCY wins when set. Otherwise 2 × cores + 1 with REDIS_URL, and a single
    process (with threads) without it: rate-limit counts live in each process's memory, so only
    one process keeps them honest.
    """
    environ = os.environ if environ is None else environ
    if environ.get("WEB_CONCURRENCY", "").strip():
        return max(1, int(environ["WEB_CONCURRENCY"]))
    if config.get("REDIS_URL"):
        return 2 * multiprocessing.cpu_count() + 1
    return 1


def production_problems(config: Mapping[str, Any], workers: int = 1) -> list[str]:
    """Return what makes this configuration unsafe to serve the public with (empty: none)."""
    problems = []
    if config.get("DEBUG"):
        problems.append("DEBUG is on: never serve the debugger to the public.")
    if config.get("MAIL_BACKEND", "console") == "console":
        problems.append(
            "MAIL_BACKEND is 'console': e-mails (password resets, verification links) would "
            "only go to the server log. Set WISHMAP_MAIL_BACKEND=smtp and WISHMAP_MAIL_SERVER "
            "(or 'folder' with WISHMAP_MAIL_OUTBOX if another program sends the files)."
        )
    if workers > 1 and not config.get("REDIS_URL"):
        problems.append(
            f"{workers} worker processes without REDIS_URL: each process would keep its own "
            "rate-limit counts, so a limit of 5 log-ins per minute lets through 5 per process. "
            "Set REDIS_URL=redis://… or run one worker (WEB_CONCURRENCY=1)."
        )
    secret = str(config.get("SECRET_KEY") or "")
    if secret.strip().lower() in KNOWN_SECRETS or len(secret) < MIN_SECRET_LENGTH:
        problems.append(
            f"SECRET_KEY is missing, a well-known value or shorter than {MIN_SECRET_LENGTH} "
            "characters: anyone could forge session cookies. Leave it unset to use the one "
            "generated in instance/secret_key, or set SECRET_KEY to a long random string "
            "(the same on every app server)."
        )
    return problems


def _database_state(engine: Engine) -> str | None:
    """Return why the database is not ready, or None when it answers and is at head."""
    try:
        current = db.current_revisions(engine)
    except Exception as error:  # any driver error means "not reachable" to a load balancer
        return f"database unreachable: {type(error).__name__}"
    heads = db.migration_heads()
    if current != heads:
        return (
            f"database at revision {', '.join(current) or 'none'}, code expects "
            f"{', '.join(heads)}: run `flask --app wishmap init-db`"
        )
    return None


def _redis_state(url: str) -> str | None:
    """Return why Redis is not reachable, or None when it answers PING."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
    except redis.RedisError as error:
        return f"redis unreachable: {type(error).__name__}"
    return None


def readiness(engine: Engine, redis_url: str = "") -> dict[str, Any]:
    """Return {"ready": bool, "checks": {...}, "reasons": [...]} for the database and Redis."""
    checks: dict[str, str] = {}
    reasons = []
    problem = _database_state(engine)
    checks["database"] = "ok" if problem is None else "failing"
    if problem:
        reasons.append(problem)
    if redis_url:
        problem = _redis_state(redis_url)
        checks["redis"] = "ok" if problem is None else "failing"
        if problem:
            reasons.append(problem)
    return {"ready": not reasons, "checks": checks, "reasons": reasons}


@click.command("check-production")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes to check for (default: as gunicorn.conf.py would start).",
)
@with_appcontext
def check_production_command(workers: int | None) -> None:
    """Refuse (exit status 1) a configuration that is unsafe to serve the public with."""
    config = current_app.config
    workers = workers or default_workers(config)
    problems = production_problems(config, workers)
    for problem in problems:
        click.echo(f"unsafe: {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo(f"ok: safe to serve with {workers} worker process(es).")
