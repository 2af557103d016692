"""Serving: request ids, JSON log lines, the request body limit, SQLite's WAL, masked mail."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from wishmap import create_app
from wishmap.access_log import access_entry
from wishmap.db import make_engine
from wishmap.mail import send_mail
from wishmap.serving import JsonFormatter, RequestIdFilter


def test_a_request_gets_an_id_and_a_sane_offered_one_is_kept(app: Flask) -> None:
    client = app.test_client()
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32 and generated.isalnum()
    assert client.get("/healthz").headers["X-Request-ID"] != generated
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42"})
    assert kept.headers["X-Request-ID"] == "lb-7f3a.42"
    # An id that would smuggle a line break or a novel into the logs is replaced.
    replaced = client.get("/healthz", headers={"X-Request-ID": "x" * 65})
    assert replaced.headers["X-Request-ID"] != "x" * 65


def test_app_log_lines_carry_the_request_id_as_json(app: Flask) -> None:
    record_holder: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            record_holder.append(record)

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    app.logger.addHandler(handler)
    try:
        with app.test_request_context(headers={"X-Request-ID": "req-1"}):
            app.logger.warning("slow %s", "query")
    finally:
        app.logger.removeHandler(handler)
    line = json.loads(JsonFormatter().format(record_holder[0]))
    assert line["request_id"] == "req-1"
    assert line["message"] == "slow query"
    assert line["level"] == "WARNING"


def test_access_entry_is_json_with_id_and_duration() -> None:
    entry = access_entry(
        "201 CREATED",
        [("Content-Type", "text/html"), ("X-Request-ID", "abc")],
        {"REMOTE_ADDR": "10.0.0.1", "REQUEST_METHOD": "POST", "PATH_INFO": "/wishes/"},
        timedelta(milliseconds=12, microseconds=300),
        512,
    )
    assert json.loads(json.dumps(entry)) == entry
    assert entry["status"] == 201
    assert entry["request_id"] == "abc"
    assert entry["duration_ms"] == 12.3
    assert entry["path"] == "/wishes/"


def test_a_body_over_the_limit_is_refused_before_it_is_read(app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    client = app.test_client()
    # The announced length alone decides: 200 MB are announced, only a few bytes sent.
    page = client.post(
        "/account/login",
        data=b"email=a",
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"CONTENT_LENGTH": str(200_000_000)},
    )
    assert page.status_code == 413
    assert "too large" in page.get_data(as_text=True)
    as_json = client.post(
        "/wishes/",
        data=b"x" * 2000,
        content_type="application/json",
        headers={"Accept": "application/json"},
    )
    assert as_json.status_code == 413
    assert "at most 0.0 MB" in as_json.get_json()["error"]
    small = client.post("/account/login", data={"email": "a@b.org"})
    assert small.status_code != 413


def test_the_413_page_speaks_french(app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10
    response = app.test_client().post(
        "/account/login", data=b"x" * 100, headers={"Accept-Language": "fr"}
    )
    assert response.status_code == 413
    assert "trop volumineuse" in response.get_data(as_text=True)


def test_sqlite_files_run_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.sqlite'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def _console_app(tmp_path: Path, **config: object) -> Flask:
    return create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'mail.sqlite'}",
            "SECRET_KEY": "x" * 40,
            "MAIL_BACKEND": "console",
            **config,
        }
    )


LINK = "https://wishmap.example/account/reset/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1u"


def test_console_mail_masks_link_secrets_outside_debug(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = _console_app(tmp_path)
    with app.app_context(), caplog.at_level(logging.INFO):
        send_mail("a@b.org", "Reset", f"Open {LINK} within an hour.")
    logged = caplog.text
    assert "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1u" not in logged
    assert "https://wishmap.example/account/reset/Zm9v…[masked]" in logged
    assert "within an hour" in logged


def test_console_mail_keeps_links_when_testing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = _console_app(tmp_path, TESTING=True)
    with app.app_context(), caplog.at_level(logging.INFO):
        send_mail("a@b.org", "Reset", f"Open {LINK}")
    assert LINK in caplog.text
