"""Helpers for tests that drive the web app: log a client in, fetch a CSRF token."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from flask_login.utils import _create_identifier

from wishmap.models import User

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def log_in(client: FlaskClient, user: User) -> FlaskClient:
    """Log client in as user through its session cookie (no form, no hashing, no rate limit)."""
    # Flask-Login's "strong" session protection compares this fingerprint of the client.
    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["_id"] = identifier
    return client


def csrf_token(client: FlaskClient, path: str = "/account/login") -> str:
    """Return a valid CSRF token for client's session, read from a page with a form."""
    page = client.get(path).get_data(as_text=True)
    found = TOKEN.search(page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)
