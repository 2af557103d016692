"""Web protection in one place: CSRF, security headers with a nonce-based CSP, route access rules.

Every view declares who may use it with one of the decorators below; a request to an endpoint
without a rule is refused, so a new route cannot be left open by accident.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
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
    if not current_user.is_authenticated:
        login_manager = current_app.login_manager  # type: ignore[attr-defined]
        return login_manager.unauthorized()
    if rule != AUTHENTICATED and current_user.role not in rule:
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
    if any(_CONTROL.search(text) for text in _request_strings()):
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


def security_headers(response: Any) -> Any:
    """Add the security headers every response carries."""
    tiles = _tile_source(current_app.config.get("TILE_URL", ""))
    policy = "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{csp_nonce()}'",
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
    )
    response.headers.setdefault("Content-Security-Policy", policy)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault(
        "Permissions-Policy", "geolocation=(self), camera=(), microphone=()"
    )
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


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
    csrf.init_app(app)
    # Before CSRF protection and every other hook: they read the form too.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_bad_input)
    app.before_request(enforce_access)
    app.after_request(security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
