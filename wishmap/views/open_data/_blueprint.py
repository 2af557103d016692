"""The open API's blueprint: JSON errors, personal-token log-in, rate limits, JSON answers.

Anyone may read the published, protected aggregates; officer data needs an officer's session or
`Authorization: Bearer <personal token>` (services/api_tokens.py). Without either, an officer
endpoint answers 401 (never a redirect to the log-in page); a resident's session gets 403.
Every error is JSON: {"error": code, "detail": reason}, plus "parameter" for a bad parameter.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, g, jsonify, request
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from wishmap import db
from wishmap.auth import login_manager
from wishmap.limits import configured, limiter
from wishmap.models import User
from wishmap.security import csrf, public
from wishmap.services import api_tokens
from wishmap.services.api_params import ApiParamError
from wishmap.services.disclosure import cell_keys_from

bp = Blueprint("open_data", __name__, url_prefix="/api/v1")

CODES = {
    400: "bad_parameter",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "too_many_requests",
}


def error(status: int, detail: str, parameter: str | None = None) -> tuple[Response, int]:
    """Return the API's JSON error: a stable code, the reason, and the parameter at fault."""
    body: dict[str, Any] = {"error": CODES.get(status, "error"), "detail": detail}
    if parameter:
        body["parameter"] = parameter
    response = jsonify(body)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="wishmap"'
    return response, status


def bad_parameter(failure: ApiParamError) -> tuple[Response, int]:
    """Return the 400 for a bad query parameter."""
    return error(400, str(failure), failure.parameter)


@bp.errorhandler(HTTPException)
@bp.errorhandler(429)  # by code too: the app's own 429 page would win over a class handler
def http_error(failure: HTTPException) -> tuple[Response, int]:
    """Answer the API's errors (401, 403, 429 included) in JSON, not with a page."""
    status = failure.code or 500
    if status == 401:
        return error(401, _("Send an officer's API token: Authorization: Bearer <token>."))
    if status == 403:
        return error(403, _("This endpoint is for city officers and admins."))
    return error(status, str(failure.description or failure.name))


def json(document: dict[str, Any], public: bool = True) -> Response:
    """Return a document as JSON; published figures may be cached and read from any origin."""
    response = jsonify(document)
    if public:
        # Protected, published figures: a shared cache may keep them for a few minutes.
        response.headers["Cache-Control"] = "public, max-age=300"
        response.headers["Access-Control-Allow-Origin"] = "*"
    else:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def min_residents() -> int:
    """Return the floor of distinct residents below which a figure is withheld."""
    return int(current_app.config["STATS_MIN_RESIDENTS"])


def keys() -> Any:
    """Return the cell-key perturbation of published figures."""
    return cell_keys_from(current_app.config)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _space, secret = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return secret.strip()


def load_token_user(_request: Any) -> User | None:
    """Return the account a bearer token names, on API requests only (Flask-Login request
    loader); remember a token that opens nothing so the request is refused, not served."""
    if request.blueprint != bp.name:
        return None
    secret = _bearer()
    if secret is None:
        return None
    found = api_tokens.user_for_secret(db.session(), secret)
    if found is None:
        g.api_token_refused = True
        return None
    user, token = found
    g.api_token_id = token.id
    return user


def _load_user() -> bool:
    """Load the request's account (from the session, else the bearer token), once."""
    return bool(current_user.is_authenticated)


@bp.before_request
def refuse_bad_token() -> Any:
    """Refuse (401) a request whose bearer token is unknown, revoked or its account's no more."""
    if _bearer() is not None:
        _load_user()
        if g.get("api_token_refused"):
            return error(401, _("This API token is unknown or was revoked."))
    return None


def _token_key() -> str:
    return f"api-token:{g.get('api_token_id')}"


def _with_token() -> bool:
    _load_user()
    return g.get("api_token_id") is not None


# Per address without a token; per token with one (a city's dashboard may read more often).
limiter.limit(configured("API_RATE_LIMIT"), key_func=get_remote_address, exempt_when=_with_token)(
    bp
)
limiter.limit(
    configured("API_TOKEN_RATE_LIMIT"), key_func=_token_key, exempt_when=lambda: not _with_token()
)(bp)


@bp.record_once
def _bind_tokens(state: BlueprintSetupState) -> None:
    # The API answers 401 rather than redirecting to the log-in page, and reads bearer tokens.
    login_manager.blueprint_login_views[bp.name] = None  # type: ignore[index]
    login_manager.request_loader(load_token_user)
    # No cookie-authenticated action changes anything here (every endpoint reads), and a
    # program's POST to a wrong URL should get the API's JSON answer, not a CSRF page.
    csrf.exempt(bp)


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@public
def not_found(rest: str) -> tuple[Response, int]:
    """Any other URL under /api/v1: a JSON 404, or 405 for a known path with another method."""
    adapter = current_app.url_map.bind("")
    try:
        endpoint, _values = adapter.match(request.path, method="GET")
    except HTTPException:
        endpoint = None
    if endpoint and endpoint != f"{bp.name}.not_found" and request.method != "GET":
        return error(405, _("This endpoint only answers GET."))
    return error(404, _("No such API endpoint: see /api/v1/openapi.json."))


__all__ = ["abort", "bad_parameter", "bp", "error", "json", "keys", "min_residents"]
