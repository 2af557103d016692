"""The open API (/api/v1): published statistics and key figures as JSON, and their OpenAPI.

Public on purpose: it serves only figures the disclosure rule already protects (a floor of
residents and cell-key noise), the same that officers read and download; rate-limited per
address. Every bad parameter gets a 400 with a JSON reason, never a page or a 500.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from wishmap import db
from wishmap.i18n import current_language
from wishmap.limits import configured, limiter
from wishmap.security import public
from wishmap.services import open_data
from wishmap.services import statistics as stats
from wishmap.services.dashboard import dashboard as key_figures
from wishmap.services.disclosure import cell_keys_from

bp = Blueprint("open_data", __name__, url_prefix="/api/v1")


def _error(status: int, message: str) -> tuple[Response, int]:
    return jsonify(error={"status": status, "message": message}), status


@bp.errorhandler(HTTPException)
@bp.errorhandler(429)  # by code too: the app's own 429 page would win over a class handler
def http_error(error: HTTPException) -> tuple[Response, int]:
    """Answer the API's errors (429 included) in JSON, not with a page."""
    return _error(error.code or 500, str(error.description or error.name))


def _json(document: dict[str, Any]) -> Response:
    response = jsonify(document)
    # Protected, published figures: a shared cache may keep them for a few minutes.
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _min_residents() -> int:
    return int(current_app.config["STATS_MIN_RESIDENTS"])


@bp.get("/statistics")
@public
@limiter.limit(configured("API_RATE_LIMIT"))
def statistics() -> Response | tuple[Response, int]:
    """One page of a statistics table (by, then, filters as on the officers' page)."""
    session = db.session()
    try:
        query, page, per_page = open_data.parse_statistics_args(request.args)
        table = stats.statistics(
            session,
            query,
            _min_residents(),
            current_language(),
            keys=cell_keys_from(current_app.config),
        )
    except stats.StatisticsError as failure:
        return _error(400, str(failure))
    return _json(open_data.statistics_document(table, page, per_page))


@bp.get("/dashboard")
@public
@limiter.limit(configured("API_RATE_LIMIT"))
def dashboard() -> Response | tuple[Response, int]:
    """The key figures for the city and per district."""
    if request.args:
        return _error(400, _("This endpoint takes no parameters."))
    board = key_figures(
        db.session(), _min_residents(), cell_keys_from(current_app.config), current_language()
    )
    return _json(open_data.dashboard_document(board))


@bp.get("/openapi.json")
@public
def openapi() -> Response:
    """The OpenAPI 3.1 document of this API."""
    server = url_for("open_data.openapi", _external=True).rsplit("/openapi.json", 1)[0]
    return _json(open_data.openapi(server))
