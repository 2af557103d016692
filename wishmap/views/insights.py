"""Matching reports for owners, agencies and officers: one premise at a time, as a page or PDF."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from wishmap import db
from wishmap.i18n import type_label
from wishmap.models import Role
from wishmap.security import csp_nonce, roles
from wishmap.services import insights, report_pdf
from wishmap.services.demand import MIN_CELL_M
from wishmap.services.extent import grid_latitude
from wishmap.services.portfolio.query import PortfolioError, parse_query

bp = Blueprint("insights", __name__, url_prefix="/insights")
READERS = (Role.OWNER, Role.AGENCY, Role.OFFICER)


@bp.get("/")
@roles(*READERS)
def index() -> Response:
    """The list of reports is the portfolio: premises ranked by demand, filtered, exported."""
    return redirect(url_for("portfolio.index"))


def _grid() -> tuple[float, float]:
    # The public map's demand grid: the report's map never shows finer cells than it does.
    config = current_app.config
    lat0 = grid_latitude(db.session(), config["MAP_CENTER"])
    return lat0, max(float(config["DEMAND_CELL_M"]), MIN_CELL_M)


def _report(premise_id: int) -> insights.PremiseReport:
    try:
        return insights.premise_report(db.session(), current_user, premise_id, _grid())
    except insights.NotFound:
        abort(404)
    except insights.NotAllowed:
        abort(403)


def _figures(report: insights.PremiseReport) -> dict[str, Any]:
    """The drawings of a report: its static map, its legend and its chart of scores."""
    # folium (through report_map) is imported by the report pages only, not at start-up.
    from wishmap.services.report_map import svg_map, svg_scores, type_colours

    mapped = [line.shop_type.id for line in report.mapped]
    colours = type_colours(mapped)
    bars = [
        (type_label(line.shop_type), line.score, index == 0)
        for index, line in enumerate(report.lines[:6])
    ]
    return {
        "map_svg": svg_map(
            report.surroundings, mapped, _("Map of the premise and its surroundings")
        ),
        "legend": [(colours[line.shop_type.id], line) for line in report.mapped],
        "chart": svg_scores(bars, _("Gap score per shop type, out of 100")) if bars else None,
    }


def _live_map(report: insights.PremiseReport) -> dict[str, str]:
    from wishmap.maps import base_map, render_parts
    from wishmap.services.report_map import add_report_layers

    # Centred on the premise (and fitted to its surroundings below), not on the whole city.
    config = current_app.config
    fmap = base_map(
        center=(report.premise.lat, report.premise.lon),
        zoom=16,
        tile_url=config["TILE_URL"],
        attribution=config["TILE_ATTRIBUTION"],
        static_url=lambda path: url_for("static", filename=path),
    )
    labels = {line.shop_type.id: type_label(line.shop_type) for line in report.lines}
    add_report_layers(
        fmap,
        report.surroundings,
        [line.shop_type.id for line in report.mapped],
        lambda type_id: labels.get(type_id, ""),
        {
            "premise": report.premise.address,
            "radius": _("Walking distance: %(m)s m", m=round(report.radius_m)),
            "hotspot": _("Where wishes for %(type)s gather: %(n)s residents"),
            "cell": _("%(type)s: %(n)s wishes here"),
            "competitor": _("Existing %(type)s: %(name)s"),
        },
    )
    return render_parts(fmap, csp_nonce())


# The tenant applications page of a premise (views/applications.py).
CANDIDATES_ENDPOINT = "applications.for_premise"


def _render(report: insights.PremiseReport) -> str:
    return render_template(
        "insights/premise.html",
        report=report,
        printing=False,
        map=_live_map(report),
        candidates_endpoint=(
            CANDIDATES_ENDPOINT if CANDIDATES_ENDPOINT in current_app.view_functions else None
        ),
        **_figures(report),
    )


def _pdf(report: insights.PremiseReport) -> bytes:
    html = render_template(
        "insights/premise.html", report=report, printing=True, **_figures(report)
    )
    return report_pdf.render_pdf(
        html, current_app.static_folder or "static", ("css/wishmap.css", "css/report.css")
    )


def _filename(report: insights.PremiseReport) -> str:
    text = unicodedata.normalize("NFKD", report.premise.address).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:60] or "premise"
    return f"wishmap-{report.premise.id}-{slug}.pdf"


@bp.get("/premises/<int:premise_id>")
@roles(*READERS)
def premise(premise_id: int) -> str:
    """A premise's report: the headline recommendation, its evidence, a map, the figures."""
    return _render(_report(premise_id))


@bp.get("/premises/<int:premise_id>/report.pdf")
@roles(*READERS)
def premise_pdf(premise_id: int) -> Response:
    """The premise's report as a PDF to forward, in the reader's language."""
    report = _report(premise_id)
    return Response(
        _pdf(report),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{_filename(report)}"'},
    )


@bp.get("/reports.zip")
@roles(*READERS)
def reports_zip() -> Response:
    """The reports of the reader's portfolio as PDFs in one zip, streamed as they are made.

    Takes the portfolio's filters (street, district, status, type, min_score, sort); at most
    MAX_REPORTS_PER_ZIP reports, and the archive says so when there were more.
    """
    session = db.session()
    cap = report_pdf.MAX_REPORTS_PER_ZIP
    try:
        query = parse_query(request.args)
        ids, total = insights.premises_for_reports(session, current_user, query, cap)
    except PortfolioError as error:
        abort(400, str(error))
    if not ids:
        abort(404, _("No premise of yours matches, so there is no report to download."))

    def files() -> Iterator[tuple[str, Any]]:
        if total > len(ids):
            note = _(
                "This archive holds the reports of the first %(cap)s of the %(n)s premises "
                "you asked for, in the portfolio's order. Narrow the list with its filters "
                "to download the others.",
                cap=len(ids),
                n=total,
            )
            yield "README.txt", lambda: note.encode()
        for premise_id in ids:
            report = _report(premise_id)
            yield _filename(report), lambda report=report: _pdf(report)

    return Response(
        stream_with_context(report_pdf.stream_zip(files())),
        mimetype="application/zip",
        headers={"Content-Disposition": 'attachment; filename="wishmap-reports.zip"'},
    )
