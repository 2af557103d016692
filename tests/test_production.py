"""Fit to serve a city: the startup check, check-production, /healthz and /readyz."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from wishmap import db
from wishmap.production import default_workers, production_problems

SAFE = {"MAIL_BACKEND": "smtp", "SECRET_KEY": "k" * 64, "REDIS_URL": "", "DEBUG": False}


def test_a_safe_single_process_setup_passes() -> None:
    assert production_problems(SAFE, workers=1) == []
    assert production_problems({**SAFE, "REDIS_URL": "redis://r:6379/0"}, workers=9) == []


@pytest.mark.parametrize(
    ("change", "workers", "says"),
    [
        ({"MAIL_BACKEND": "console"}, 1, "MAIL_BACKEND is 'console'"),
        ({}, 4, "4 worker processes without REDIS_URL"),
        ({"SECRET_KEY": "dev"}, 1, "SECRET_KEY"),
        ({"SECRET_KEY": ""}, 1, "SECRET_KEY"),
        ({"SECRET_KEY": "short-but-not-known"}, 1, "SECRET_KEY"),
        ({"DEBUG": True}, 1, "DEBUG"),
    ],
)
def test_each_unsafe_setting_is_named(change: dict, workers: int, says: str) -> None:
    problems = production_problems({**SAFE, **change}, workers=workers)
    assert len(problems) == 1
    assert says in problems[0]


def test_workers_follow_redis_and_web_concurrency() -> None:
    assert default_workers({"REDIS_URL": ""}, environ={}) == 1
    assert default_workers({"REDIS_URL": "redis://r"}, environ={}) >= 3
    assert default_workers({"REDIS_URL": ""}, environ={"WEB_CONCURRENCY": "4"}) == 4


def test_check_production_command_refuses_and_accepts(app: Flask) -> None:
    runner = app.test_cli_runner()
    app.config.update(MAIL_BACKEND="console", SECRET_KEY="test-secret", REDIS_URL="")
    refused = runner.invoke(args=["check-production", "--workers", "4"])
    assert refused.exit_code == 1
    assert "MAIL_BACKEND is 'console'" in refused.output
    assert "4 worker processes without REDIS_URL" in refused.output
    assert "SECRET_KEY" in refused.output
    app.config.update(MAIL_BACKEND="smtp", SECRET_KEY="s" * 48)
    accepted = runner.invoke(args=["check-production", "--workers", "1"])
    assert accepted.exit_code == 0, accepted.output
    assert "ok: safe to serve with 1 worker" in accepted.output


def test_healthz_answers_alive(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "alive"}


def test_readyz_is_ready_on_a_migrated_database(app: Flask) -> None:
    response = app.test_client().get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["checks"] == {"database": "ok"}


def test_readyz_refuses_a_database_behind_the_migrations(app: Flask) -> None:
    engine = db.engine()
    with engine.connect() as connection:
        head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    try:
        response = app.test_client().get("/readyz")
    finally:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert response.status_code == 503
    body = response.get_json()
    assert body["ready"] is False
    assert "database at revision 0001" in body["reasons"][0]
    assert "init-db" in body["reasons"][0]


def test_readyz_refuses_when_the_configured_redis_does_not_answer(app: Flask) -> None:
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"] == {"database": "ok", "redis": "failing"}
    assert body["reasons"][0].startswith("redis unreachable")
