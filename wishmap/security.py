"""Web protection in one place: CSRF, security headers with a nonce-based CSP, route access rules.

Every view declares who may use it with one of the decorators below; a request to an endpoint
without a rule is refused, so a new route cannot be left open by accident.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, jsonify, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from itsdangerous import URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix

from wishmap.models import Role

csrf = CSRFProtect()

View = TypeVar("View", bound=Callable[..., Any])
PUBLIC = "public"
AUTHENTICATED = "authenticated"
ACCESS_ATTRIBUTE = "wishmap_access"


def _rule(value: str | frozenset[str]) -> Callable[[View], View]:
    def mark(view: View) -> View:
        setattr(view, ACCESS_ATTRIBUTE, value)
        return view

    return mark


def public(view: View) -> View:
    """Anyone, logged in or not, may use this view."""
    return _rule(PUBLIC)(view)


def authenticated(view: View) -> View:
    """Any logged-in user may use this view."""
    return _rule(AUTHENTICATED)(view)


def roles(*allowed: Role) -> Callable[[View], View]:
    """Only logged-in users with one of these roles may use this view (admins always may)."""
    return _rule(frozenset({role.value for role in allowed} | {Role.ADMIN.value}))


def access_rule(app: Flask, endpoint: str) -> str | frozenset[str] | None:
    """Return the access rule declared for an endpoint, or None when it has none."""
    if endpoint == "static":
        return PUBLIC
    view = app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTRIBUTE, None)


def enforce_access() -> None:
    """Refuse the request unless the endpoint's rule admits the current user."""
    if request.endpoint is None:
        return  # 404 and 405 are Flask's to answer
    rule = access_rule(current_app, request.endpoint)
    if rule == PUBLIC:
        return
    if rule is None:
        current_app.logger.error("endpoint %s declares no access rule; refused", request.endpoint)
        abort(403)
    # Resolved once: each current_user.x goes through the proxy and Flask-Login's lookup again.
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    if not user.is_authenticated:
        login_manager = current_app.login_manager  # type: ignore[attr-defined]
        return login_manager.unauthorized()
    if rule != AUTHENTICATED and user.role not in rule:
        abort(403)
    return None


# Control characters no field has a use for (tab, newline and carriage return stay: a reason
# has lines). A NUL byte in particular makes PostgreSQL refuse the whole statement.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Ids in URLs beyond the databases' integer columns (PostgreSQL's integer is 32-bit) exist
# nowhere: a 404 rather than an overflow deep in a query.
MAX_ID = 2**31 - 1


def _strings(value: Any) -> Iterator[str]:
    """Yield every string (keys too) nested in a parsed JSON value, without recursing in Python
    (a deeply nested body must not exhaust the stack)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _request_strings() -> Iterator[str]:
    yield request.path
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            yield key
            yield value
    for upload in request.files.values():
        yield upload.filename or ""
    if request.is_json:
        yield from _strings(request.get_json(silent=True))


def refuse_bad_input() -> Any:
    """Refuse a request carrying a control character anywhere (400), or an id no table can hold
    (404), before any view or database sees it."""
    # One search over all the strings: newline joins them and is no control character here.
    if _CONTROL.search("\n".join(_request_strings())):
        message = _(
            "The request contains a control character (such as a NUL byte) that no field "
            "accepts. Remove it and try again."
        )
        if request.blueprint == "open_data":
            abort(400, description=message)  # the API answers in its own JSON error shape
        # Map data (/api/…) is read by scripts too, which do not always ask for JSON.
        if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
            return jsonify({"error": message}), 400
        return render_template("errors/bad_input.html", message=message), 400
    if any(
        isinstance(value, int) and not 0 <= value <= MAX_ID
        for value in (request.view_args or {}).values()
    ):
        abort(404)
    return None


def csp_nonce() -> str:
    """Return this response's script nonce (one per request)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _tile_source(tile_url: str) -> str:
    """Return the CSP source that admits the configured tile server ({s} subdomains → *)."""
    if not tile_url:
        return ""
    parts = urlsplit(tile_url.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


@lru_cache(maxsize=8)
def _policy_around_nonce(tile_url: str) -> tuple[str, str]:
    """Return the Content-Security-Policy before and after the nonce, for this tile server
    (built once, not per response)."""
    tiles = _tile_source(tile_url)
    before, after = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'nonce-\0'",
            # Leaflet and folium position everything with inline styles.
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: {tiles}".strip(),
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    ).split("\0")
    return before, after


# The headers every response carries besides the policy, lower-cased name first.
_FIXED_HEADERS = [
    ("x-content-type-options", "X-Content-Type-Options", "nosniff"),
    ("x-frame-options", "X-Frame-Options", "DENY"),
    ("referrer-policy", "Referrer-Policy", "strict-origin-when-cross-origin"),
    ("permissions-policy", "Permissions-Policy", "geolocation=(self), camera=(), microphone=()"),
]
_HSTS = ("strict-transport-security", "Strict-Transport-Security", "max-age=31536000")


def security_headers(response: Any) -> Any:
    """Add the security headers every response carries (a view's own value of one stays)."""
    headers = response.headers
    # One pass over the response's headers instead of a scan per header (setdefault).
    present = {name.lower() for name, _value in headers.items()}
    if "content-security-policy" not in present:
        before, after = _policy_around_nonce(current_app.config.get("TILE_URL", ""))
        headers.add("Content-Security-Policy", f"{before}{csp_nonce()}{after}")
    headers.extend([(name, value) for lower, name, value in _FIXED_HEADERS if lower not in present])
    if request.is_secure and _HSTS[0] not in present:
        headers.add(_HSTS[1], _HSTS[2])
    return response


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, with its signing serializer built once per secret key.

    Flask builds a new serializer (keys, salt, JSON tags, signer settings) for every request;
    the keys and settings only change with SECRET_KEY or SECRET_KEY_FALLBACKS, which are part
    of the cache key, so signing and checking are exactly Flask's.
    """

    _cached: tuple[Any, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        fallbacks = app.config.get("SECRET_KEY_FALLBACKS")
        key = (app.secret_key, tuple(fallbacks) if fallbacks else ())
        cached = self._cached
        if cached is None or cached[0] != key:
            cached = self._cached = (key, super().get_signing_serializer(app))
        return cached[1]


def init_app(app: Flask) -> None:
    """Bind CSRF protection, access rules, headers and cookie settings to app."""
    # Secure cookies never travel over plain http; development and tests on http opt out.
    # (Flask's own default for SESSION_COOKIE_SECURE is False, so it is raised, not defaulted.)
    secure = not (app.config.get("INSECURE_COOKIES") or app.debug or app.testing)
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        app.config[name] = bool(app.config.get(name)) or secure
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    # Flask defaults SameSite to None, which setdefault would keep.
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault(
        "REMEMBER_COOKIE_DURATION", timedelta(days=app.config.get("REMEMBER_DAYS", 30))
    )
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind a reverse proxy, the client address is the proxies' X-Forwarded-For entry.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    app.session_interface = SessionCookies()
    csrf.init_app(app)
    # Before CSRF protection and every other hook: they read the form too.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_bad_input)
    app.before_request(enforce_access)
    app.after_request(security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
