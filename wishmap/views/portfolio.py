"""Portfolio for owners, agencies, officers: premises ranked by demand, "where should a … go?"."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from wishmap import db
from wishmap.geo import feature_collection, point_feature
from wishmap.i18n import current_language
from wishmap.models import PremiseStatus, Role
from wishmap.security import csp_nonce, roles
from wishmap.services import portfolio as service
from wishmap.services.activity_codes import activity_codes
from wishmap.services.portfolio import exports
from wishmap.views._nav import configured_base_map

bp = Blueprint("portfolio", __name__, url_prefix="/portfolio")
READERS = (Role.OWNER, Role.AGENCY, Role.OFFICER)


def _page(**changes: object) -> tuple[service.PortfolioPage | None, str | None]:
    try:
        query = service.parse_query(request.args)
        if changes:
            query = service.PortfolioQuery(**{**query.__dict__, **changes})
        return service.portfolio(db.session(), current_user, query, service.PAGE_SIZE), None
    except service.PortfolioError as failure:
        return None, str(failure)


def _context(page: service.PortfolioPage | None, error: str | None) -> dict:
    return {
        "page": page,
        "error": error,
        "args": request.args,
        "choices": service.filter_choices(db.session(), current_user),
        "statuses": [(s.value, exports.status_label(s.value)) for s in PremiseStatus],
        "status_names": {s.value: exports.status_label(s.value) for s in PremiseStatus},
        "page_size": service.PAGE_SIZE,
    }


@bp.get("/")
@roles(*READERS)
def index() -> tuple[str, int]:
    """The reader's premises with their best-matching shop types, filtered, sorted, paginated."""
    page, error = _page()
    return render_template("portfolio/index.html", **_context(page, error)), 400 if error else 200


def _download(kind: str, fmt: str) -> Response:
    try:
        query = service.parse_query(request.args)
        if kind == "where":
            if not query.type_code:
                raise service.PortfolioError(_("Choose a shop type."))
            query = service.PortfolioQuery(type_code=query.type_code, sort="score")
        page = service.portfolio(db.session(), current_user, query, page_size=None)
    except service.PortfolioError as failure:
        return Response(str(failure) + "\n", status=400, mimetype="text/plain")
    locale = current_language()
    official = activity_codes(db.session())
    records = (
        exports.ranking_records(page, locale, official)
        if kind == "where"
        else exports.portfolio_records(page, locale, official)
    )
    if fmt == "csv":
        body = exports.to_csv(records)
    else:
        body = exports.to_xlsx(records, kind.capitalize(), exports.about(page))
    response = Response(body, content_type=exports.FORMATS[fmt])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(kind, page, fmt)}"'
    )
    # A landlord's figures: never kept by a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/export.csv")
@roles(*READERS)
def export_csv() -> Response:
    """The portfolio with the current filters and sort, every page, as CSV."""
    return _download("portfolio", "csv")


@bp.get("/export.xlsx")
@roles(*READERS)
def export_xlsx() -> Response:
    """The portfolio with the current filters and sort, every page, as an XLSX workbook."""
    return _download("portfolio", "xlsx")


def _score_colour(score: float) -> str:
    from wishmap.maps import COUNT_COLOURS  # folium: imported by map pages only (views/_nav.py)

    return COUNT_COLOURS[min(len(COUNT_COLOURS) - 1, int(score // 20))]


def _ranking_map(page: service.PortfolioPage | None) -> dict[str, str]:
    import folium

    from wishmap.maps import escaped_fields, render_parts

    fmap = configured_base_map()
    if page is None or not page.rows:
        return render_parts(fmap, csp_nonce())
    first = (page.page - 1) * service.PAGE_SIZE
    features = []
    for rank, row in enumerate(page.rows, start=first + 1):
        score = row.focus.gap if row.focus else 0.0
        label = f"{rank}. {row.premise.address} — {round(score)}/100"
        colour = _score_colour(score)
        features.append(
            point_feature(
                row.premise.lat,
                row.premise.lon,
                {"label": label, "colour": colour, "top": rank <= 3},
            )
        )
    # One GeoJSON layer, not one folium object per premise: folium compiles a template for
    # each object it draws, which costs more than the whole page's queries.
    folium.GeoJson(
        # Addresses come from imported files and folium's tooltip inserts them as HTML.
        escaped_fields(feature_collection(features), ["label"]),
        name="ranking",
        marker=folium.CircleMarker(
            radius=8, fill=True, fill_opacity=0.9, weight=1, color="#212529"
        ),
        style_function=lambda feature: {
            "fillColor": feature["properties"]["colour"],
            "radius": 10 if feature["properties"]["top"] else 7,
        },
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(fmap)
    lats = [row.premise.lat for row in page.rows]
    lons = [row.premise.lon for row in page.rows]
    fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], max_zoom=17)
    return render_parts(fmap, csp_nonce())


@bp.get("/where")
@roles(*READERS)
def where() -> tuple[str, int]:
    """Pick a shop type; the reader's premises ranked by its score, on a map and in a table."""
    page, error = None, None
    if (request.args.get("type") or "").strip():
        page, error = _page(
            sort="score", min_score=None, status=None, street=None, district_id=None
        )
    from wishmap.maps import COUNT_COLOURS

    context = _context(page, error)
    context["map"] = _ranking_map(page)
    context["colours"] = [
        (low, low + 19 if low < 80 else 100, colour)
        for low, colour in zip(range(0, 100, 20), COUNT_COLOURS, strict=True)
    ]
    return render_template("portfolio/where.html", **context), 400 if error else 200


@bp.get("/where.csv")
@roles(*READERS)
def where_csv() -> Response:
    """The "where should a … go?" ranking of one shop type, every premise, as CSV."""
    return _download("where", "csv")
