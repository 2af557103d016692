"""Serving concerns every request shares: a request id, JSON log lines, a request body limit,
static files.

A city's log stack joins the access log (gunicorn, see wishmap/access_log.py) and the app's own
log lines by the request id: taken from the proxy's X-Request-ID when it sends a sane one,
generated otherwise, and sent back on the response.
"""

from __future__ import annotations

import gc
import json
import logging
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g, has_request_context, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from wishmap import assets

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is kept only if it is short and plain: it ends up in every log line.
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def request_id() -> str:
    """Return the current request's id ("-" outside a request)."""
    if not has_request_context():
        return "-"
    if "request_id" not in g:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = offered if _SANE_ID.match(offered) else uuid.uuid4().hex
    return g.request_id


class RequestIdFilter(logging.Filter):
    """Give every log record a request_id attribute (the current request's, or "-")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object per line: time, level, logger, request id, message."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _check_body_size() -> None:
    """Refuse a body larger than MAX_CONTENT_LENGTH from its Content-Length, before reading it."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()


def _send_request_id(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = request_id()
    return response


def too_large(error: RequestEntityTooLarge) -> tuple[Any, int]:
    """Answer 413 with the limit in words: JSON for the map's fetch calls, a page otherwise."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    megabytes = f"{limit / 1_000_000:.1f}"
    message = _("This request is too large (at most %(size)s MB).", size=megabytes)
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        return {"error": message}, 413
    return render_template("errors/too_large.html", message=message), 413


def settle_heap() -> None:
    """Collect, then freeze the objects the started app holds out of the collector's full runs.

    The loaded app (modules, SQLAlchemy, Jinja, Babel) is about 125,000 objects that live as
    long as the process; every full collection walked them all again (~80 ms of CPU at 2 cores'
    load), once in about five large requests, which made a statistics page's p95 3 times its
    p50. Frozen (gc.freeze), they are never collected; what requests make still is. Called by
    gunicorn once a worker has loaded the app (gunicorn.conf.py), and by bench.scale likewise.
    """
    gc.collect()
    gc.freeze()


def init_app(app: Flask) -> None:
    """Tag requests and log lines with a request id, refuse oversized bodies with 413, and serve
    static files compressed under versioned URLs (wishmap/assets.py)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
    # First of all before-request hooks: CSRF protection would otherwise parse the form.
    app.before_request_funcs.setdefault(None, []).insert(0, _check_body_size)
    app.after_request(_send_request_id)
    app.register_error_handler(RequestEntityTooLarge, too_large)
    assets.init_app(app)
