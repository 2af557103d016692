"""Statistics for city officers: a filtered table with a chart, a demand map, and exports."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import gettext as _

from wishmap import db
from wishmap.i18n import current_language
from wishmap.models import Role
from wishmap.security import csp_nonce, roles
from wishmap.services import exports
from wishmap.services import statistics as stats
from wishmap.services.analysis import latest_hotspots
from wishmap.services.disclosure import CellKeys, cell_keys_from
from wishmap.views._nav import configured_base_map

bp = Blueprint("statistics", __name__, url_prefix="/statistics")
CHART_ROWS = 12


def _min_residents() -> int:
    return int(current_app.config["STATS_MIN_RESIDENTS"])


def _keys() -> CellKeys:
    return cell_keys_from(current_app.config)


@bp.get("/")
@roles(Role.OFFICER)
def index() -> tuple[str, int]:
    """The filter form, the table of counts and a chart of it."""
    session = db.session()
    table, error = None, None
    try:
        query = stats.parse_query(request.args)
        table = stats.statistics(session, query, _min_residents(), current_language(), keys=_keys())
    except stats.StatisticsError as failure:
        error = str(failure)
    return render_template(
        "statistics/index.html",
        table=table,
        error=error,
        args=request.args,
        choices=stats.filter_choices(session),
        min_residents=_min_residents(),
        chart_rows=CHART_ROWS,
    ), (400 if error else 200)


@bp.get("/map")
@roles(Role.OFFICER)
def demand_map() -> tuple[str, int]:
    """Demand per street (coloured lines) and per district (choropleth), filtered."""
    session = db.session()
    from wishmap.maps import add_hotspot_layer, add_statistics_layers, render_parts  # folium: lazy

    fmap = configured_base_map()
    error = None
    try:
        query = stats.parse_query(request.args)
        layers = stats.map_layers(session, query, _min_residents(), current_language(), _keys())
    except stats.StatisticsError as failure:
        error, layers = str(failure), []
    legends = add_statistics_layers(fmap, layers, _min_residents())
    # Hotspots come from the newest analysis run; the type/group filters apply to them too.
    hotspots = (
        [] if error else latest_hotspots(session, _min_residents(), query.type_code, query.group)
    )
    locale = current_language()
    add_hotspot_layer(
        fmap,
        hotspots,
        lambda spot: _(
            "%(type)s: %(residents)s residents, %(wishes)s wishes",
            type=spot.shop_type.label(locale),
            residents=spot.residents,
            wishes=spot.wishes,
        ),
    )
    return render_template(
        "statistics/map.html",
        map=render_parts(fmap, csp_nonce()),
        legends=legends,
        hotspots=len(hotspots),
        error=error,
        args=request.args,
        choices=stats.filter_choices(session),
        min_residents=_min_residents(),
    ), (400 if error else 200)


def _download(fmt: str) -> Response:
    session = db.session()
    try:
        query = stats.parse_query(request.args)
        table = stats.statistics(session, query, _min_residents(), current_language(), keys=_keys())
        body = exports.export(
            session,
            table,
            fmt,
            current_app.config["STATS_LICENCE"],
            current_language(),
            request.args.get("sep") or None,
        )
    except stats.StatisticsError as failure:
        return Response(str(failure) + "\n", status=400, mimetype="text/plain")
    response = Response(body, content_type=exports.FORMATS[fmt])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(table, fmt)}"'
    )
    # Officers' figures: never kept by a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/export.csv")
@roles(Role.OFFICER)
def export_csv() -> Response:
    """The current table as CSV."""
    return _download("csv")


@bp.get("/export.geojson")
@roles(Role.OFFICER)
def export_geojson() -> Response:
    """The current table as GeoJSON (grouped by street or district only)."""
    return _download("geojson")


@bp.get("/export.xlsx")
@roles(Role.OFFICER)
def export_xlsx() -> Response:
    """The current table as an XLSX workbook with an "About" sheet."""
    return _download("xlsx")
