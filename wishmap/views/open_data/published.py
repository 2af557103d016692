"""The open API's published statistics and key figures, and its OpenAPI document.

Public on purpose: they serve only figures the disclosure rule already protects (a floor of
residents and cell-key noise), the same that officers read and download.
"""

from __future__ import annotations

from flask import Response, request, url_for
from flask_babel import gettext as _

from wishmap import db
from wishmap.i18n import current_language
from wishmap.security import public
from wishmap.services import open_data
from wishmap.services import statistics as stats
from wishmap.services.dashboard import dashboard as key_figures
from wishmap.views.open_data._blueprint import bp, error, json, keys, min_residents


@bp.get("/statistics")
@public
def statistics() -> Response | tuple[Response, int]:
    """One page of a statistics table (by, then, filters as on the officers' page)."""
    session = db.session()
    try:
        query, page, per_page = open_data.parse_statistics_args(request.args)
        table = stats.statistics(session, query, min_residents(), current_language(), keys=keys())
    except stats.StatisticsError as failure:
        return error(400, str(failure))
    return json(open_data.statistics_document(table, page, per_page))


@bp.get("/dashboard")
@public
def dashboard() -> Response | tuple[Response, int]:
    """The key figures for the city and per district."""
    if request.args:
        return error(400, _("This endpoint takes no parameters."), next(iter(request.args)))
    board = key_figures(db.session(), min_residents(), keys(), current_language())
    return json(open_data.dashboard_document(board))


@bp.get("/openapi.json")
@public
def openapi() -> Response:
    """The OpenAPI 3.1 document of this API."""
    server = url_for("open_data.openapi", _external=True).rsplit("/openapi.json", 1)[0]
    return json(open_data.openapi(server))
