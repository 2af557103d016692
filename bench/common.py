"""What the benchmarks share: the app they measure, and a test client logged in as someone."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier

from wishmap import create_app

# No tiles (no network here), and only warnings in the log: the figures are what is printed.
CONFIG = {"SECRET_KEY": "bench", "LOG_LEVEL": "WARNING", "TILE_URL": ""}


def bench_app(url: str, instance_path: str | None = None) -> Flask:
    """Return the app on the database at url, set up as every benchmark runs it."""
    app = create_app({**CONFIG, "DATABASE_URL": url})
    if instance_path is not None:
        app.instance_path = instance_path
    return app


def logged_in_client(app: Flask, user_id: str) -> FlaskClient:
    """Return a test client whose session cookie holds the account user_id (as tests/web.py
    does: no form, no hashing, no rate limit)."""
    client = app.test_client()
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as cookie:
        cookie.update({"_user_id": user_id, "_fresh": True, "_id": identifier})
    return client
