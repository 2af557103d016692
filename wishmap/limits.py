"""Rate limits (Flask-Limiter): in memory by default, in Redis when REDIS_URL is set.

With several app processes behind one address, only a shared store keeps the counts honest:
set REDIS_URL and every process counts the same attempts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Flask, current_app, render_template, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user

limiter = Limiter(key_func=get_remote_address)


def configured(name: str) -> Callable[[], str]:
    """Return a limit provider reading the limit string from config[name] at request time."""
    return lambda: current_app.config[name]


def account_key() -> str:
    """Return the rate-limit key of the logged-in account, else of the client address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def login_account_key() -> str:
    """Return the rate-limit key of the account a login form names (hashed, not stored plain).

    Limiting per address alone lets a botnet try one password per address against the same
    account; this second limit caps the attempts on each account wherever they come from.
    """
    email = (request.form.get("email") or "").strip().lower()
    return "login-account:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def too_many_requests(error: RateLimitExceeded) -> tuple[str, int]:
    """Render the 429 page: a person who hit a limit learns why and when to come back."""
    return render_template("accounts/rate_limited.html", limit=error.description), 429


def init_app(app: Flask) -> None:
    """Bind the limiter to app with Redis storage when REDIS_URL is set."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    app.register_error_handler(429, too_many_requests)
