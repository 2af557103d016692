"""gunicorn's access log as JSON lines: one object per request, with its id and duration.

Selected by gunicorn.conf.py (logger_class); the app sets X-Request-ID on every response
(wishmap/serving.py), so the access line and the app's own lines share the id.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from gunicorn.glogging import Logger


def access_entry(
    status: str | int, headers: Any, environ: dict[str, Any], duration: timedelta, sent: Any
) -> dict[str, Any]:
    """Return the access-log entry of one request as a dict (keys stable for log parsers)."""
    # Only the request id is wanted from the response headers: found, not copied into a dict.
    request_id = next(
        (value for name, value in headers or () if name.lower() == "x-request-id"), "-"
    )
    return {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "type": "access",
        "request_id": request_id,
        "remote": environ.get("REMOTE_ADDR", "-"),
        "method": environ.get("REQUEST_METHOD", "-"),
        "path": environ.get("PATH_INFO", "-"),
        "query": environ.get("QUERY_STRING", ""),
        "status": int(str(status).split(None, 1)[0]),
        "bytes": sent if isinstance(sent, int) else None,
        "duration_ms": round(duration.total_seconds() * 1000, 1),
        "user_agent": environ.get("HTTP_USER_AGENT", "-"),
    }


class JsonAccessLogger(Logger):
    """gunicorn Logger whose access lines are JSON objects instead of Apache's format."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        try:
            entry = access_entry(
                resp.status, resp.headers, environ, request_time, getattr(resp, "sent", None)
            )
            self.access_log.info(json.dumps(entry, ensure_ascii=False))
        except Exception:  # a log line must never fail a request
            self.exception("access log entry failed")
