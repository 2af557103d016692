"""Rate limits (Flask-Limiter): in memory by default, in Redis when REDIS_URL is set.

One limited request costs one hit: one Redis round trip (no X-RateLimit headers, which read
the window back), or a dictionary update in memory (no timer thread: SweptMemoryStorage).

With several app processes behind one address, only a shared store keeps the counts honest:
set REDIS_URL and every process counts the same attempts.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar

from flask import Flask, current_app, make_response, render_template, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from limits.storage import MemoryStorage
from werkzeug.wrappers import Response

limiter = Limiter(key_func=get_remote_address)


class SweptMemoryStorage(MemoryStorage):
    """limits' in-process storage without a thread per hit.

    MemoryStorage starts a 10 ms threading.Timer on every hit once the previous one ran out:
    a thread per request, 5 ms of a wish under load (bench.wish_profile). Counts already
    expire when read (get); the sweep of stale keys runs here instead, inline, once a second.
    """

    STORAGE_SCHEME: ClassVar[list[str]] = ["wishmap-memory"]
    SWEEP_EVERY_S = 1.0

    def __init__(self, uri: str | None = None, **options: Any) -> None:
        super().__init__(uri, **options)
        self._swept = time.monotonic()
        self._sweeping = threading.Lock()

    # MemoryStorage calls self.__schedule_expiry() on every hit; this is its mangled name.
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now - self._swept < self.SWEEP_EVERY_S or not self._sweeping.acquire(blocking=False):
            return
        try:
            self._swept = now
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]
        finally:
            self._sweeping.release()


def configured(name: str) -> Callable[[], str]:
    """Return a limit provider reading the limit string from config[name] at request time."""
    return lambda: current_app.config[name]


def account_key() -> str:
    """Return the rate-limit key of the logged-in account, else of the client address."""
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    if user.is_authenticated:
        return f"user:{user.id}"
    return get_remote_address()


def login_account_key() -> str:
    """Return the rate-limit key of the account a login form names (hashed, not stored plain).

    Limiting per address alone lets a botnet try one password per address against the same
    account; this second limit caps the attempts on each account wherever they come from.
    """
    email = (request.form.get("email") or "").strip().lower()
    return "login-account:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def too_many_requests(error: RateLimitExceeded) -> Response:
    """Render the 429 page: a person who hit a limit learns why and when to come back.

    Retry-After is computed here, on a refusal only (two more round trips to Redis).
    """
    response = make_response(
        render_template("accounts/rate_limited.html", limit=error.description), 429
    )
    breached = limiter.current_limit
    if breached is not None:
        response.headers["Retry-After"] = str(max(1, breached.reset_at - int(time.time())))
    return response


def _limits_before_view(blueprint: str | None, endpoint: str | None) -> bool:
    """Return False when Flask-Limiter's before-request check has nothing to count here.

    That check only counts application-wide, default and meta limits, limits on the request's
    blueprints, and hinted limits; a limit on a view is counted by its decorator. Wishmap sets
    only view limits and the open-data blueprint's, so on every other route the check is pure
    overhead (a tenth of a logged-in POST's fixed cost, issue 13). Read from Flask-Limiter's
    own state each time, and assumed needed if that state ever looks different.
    """
    manager = limiter.limit_manager
    try:
        if (
            manager._application_limits
            or manager._default_limits
            or limiter._meta_limits
            or limiter._storage_dead
        ):
            return True
        limited_blueprints = manager._blueprint_limits
    except AttributeError:
        return True
    if endpoint and manager.has_hints(endpoint):
        return True
    if not blueprint:
        return False
    # A nested blueprint ("a.b") is limited by its own limits and its parents'.
    return any(name in limited_blueprints for name in blueprint.split("."))


def _check_only_where_limited(app: Flask) -> None:
    """Wrap Flask-Limiter's before-request check so it runs only where it may count a limit."""
    hooks = app.before_request_funcs.get(None, [])
    found = [
        index
        for index, hook in enumerate(hooks)
        if getattr(hook, "__self__", None) is limiter and hook.__name__ == "_check_request_limit"
    ]
    if not found:
        return
    check = hooks[found[0]]

    def check_request_limit() -> None:
        if _limits_before_view(request.blueprint, request.endpoint):
            check()

    hooks[found[0]] = check_request_limit


def init_app(app: Flask) -> None:
    """Bind the limiter to app with Redis storage when REDIS_URL is set."""
    app.config.setdefault(
        "RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "wishmap-memory://"
    )
    # X-RateLimit-* headers on every limited answer would cost two more Redis round trips
    # per request (the window's count and expiry) on top of the one that counts the hit: a
    # wish went from three round trips to one. The 429 page still says when to come back.
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter.init_app(app)
    _check_only_where_limited(app)
    app.register_error_handler(429, too_many_requests)


# A browser where an account logged in successfully keeps a signed cookie naming that account
# (by the same hash as the limit's key): a password-guessing flood against the account then
# never locks its owner out of the browsers they already use.
KNOWN_DEVICE_COOKIE = "wishmap_known_device"
KNOWN_DEVICE_DAYS = 365


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def known_device_accounts() -> list[str]:
    """Return the account keys this browser logged in to before (from its signed cookie)."""
    raw = request.cookies.get(KNOWN_DEVICE_COOKIE)
    if not raw:
        return []
    try:
        keys = _device_serializer().loads(raw)
    except BadSignature:
        return []
    return [key for key in keys if isinstance(key, str)] if isinstance(keys, list) else []


def is_known_device() -> bool:
    """Return True when this browser logged in before to the account the log-in form names."""
    return login_account_key() in known_device_accounts()


def remember_device(response: Response) -> Response:
    """Add the account the log-in form names to this browser's known-device cookie."""
    keys = [key for key in known_device_accounts() if key != login_account_key()]
    keys = [login_account_key(), *keys][:5]
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        _device_serializer().dumps(keys),
        max_age=KNOWN_DEVICE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response


def failed_login(response: Response) -> bool:
    """Return True when a log-in attempt failed: only failures count toward the account limit."""
    return response.status_code != 302
