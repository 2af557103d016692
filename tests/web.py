"""Helpers for tests that drive the web app: log a client in, fetch a CSRF token, serve it."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier
from werkzeug.serving import WSGIRequestHandler, make_server

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


_ANSWERS = "wishmap.test.answers"


class _ClosingHandler(WSGIRequestHandler):
    """Werkzeug's handler, closing the answer when the browser hangs up mid-transfer.

    When the client drops the connection, werkzeug's clean-up can fail before it closes the
    answer, and a static file's handle is left to the garbage collector (a ResourceWarning,
    an error under filterwarnings). Gunicorn closes it; this test server now does too.
    """

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        for answer in (environ or {}).get(_ANSWERS, ()):
            close = getattr(answer, "close", None)
            if close is not None:
                close()


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve app from a thread on a free port of 127.0.0.1 until the block ends; yield its URL."""

    def remembering(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        answer = app(environ, start_response)
        environ.setdefault(_ANSWERS, []).append(answer)
        return answer

    server = make_server(
        "127.0.0.1", 0, remembering, threaded=True, request_handler=_ClosingHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
