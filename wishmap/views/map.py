"""The public map: a folium base map, and GeoJSON of premises and demand for the visible area."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask.json.provider import DefaultJSONProvider
from flask_login import current_user

from wishmap import db
from wishmap.geo import (
    cell_features,
    feature_collection,
    premise_features,
    street_features,
    with_demand_classes,
)
from wishmap.i18n import current_language
from wishmap.security import csp_nonce, public
from wishmap.services import follows
from wishmap.services.aggregates import ensure_grid
from wishmap.services.demand import (
    MIN_CELL_M,
    DemandError,
    cell_size,
    demand_cells,
    parse_bbox,
    premise_points,
    type_ids,
)
from wishmap.services.extent import grid_latitude
from wishmap.services.map_payload import JsonStyle, premises_text
from wishmap.services.premises import find_places, premise_demand
from wishmap.services.shop_types import list_shop_types
from wishmap.services.streets import streets_in_view
from wishmap.type_icons import icon_name
from wishmap.views._nav import configured_base_map, json_error

bp = Blueprint("map", __name__)


def _conditional(response: Response, public: bool = True) -> Response:
    """Tag response with an ETag of its body and answer 304 when the client already holds it.

    The validator is a hash of the answer itself: it changes exactly when what the map shows
    changes (a new wish included, at once), and costs no write. A version row bumped by every
    wish would have done it without hashing, but would serialise all wish writes on one row.
    """
    # Revalidate every time (no-cache): a resident who just wished sees it on the next pan.
    response.cache_control.no_cache = True
    if public:
        response.cache_control.public = True
    else:
        response.cache_control.private = True
    response.add_etag()
    return response.make_conditional(request)


def _geojson(collection: object) -> Response:
    response = jsonify(collection)
    response.mimetype = "application/geo+json"
    return _conditional(response)


@bp.get("/")
@public
def index() -> str:
    """The public map page: base map, filters, legend; its data comes from the API below."""
    config = current_app.config
    from wishmap.maps import render_parts  # folium: imported by map pages only (views/_nav.py)

    fmap = configured_base_map()
    return render_template(
        "map/index.html",
        map=render_parts(fmap, csp_nonce()),
        shop_types=list_shop_types(db.session()),
        draw_streets=not config["TILE_URL"],
    )


def _compact_style(provider: object) -> JsonStyle | None:
    """How jsonify writes when it is Flask's own provider writing compact text (not debug)."""
    if type(provider) is not DefaultJSONProvider:
        return None  # a provider of our own might write otherwise
    assert isinstance(provider, DefaultJSONProvider)  # for the type checker
    if provider.compact is False or (provider.compact is None and current_app.debug):
        return None  # indented
    return JsonStyle(provider.ensure_ascii, provider.sort_keys)


@bp.get("/api/premises.geojson")
@public
def premises_geojson() -> Response | tuple[Response, int]:
    """Vacant premises in the bbox with their active-wish counts, as GeoJSON."""
    try:
        bbox = parse_bbox(request.args.get("bbox"), max_span=None)
    except DemandError as error:
        return json_error(str(error))
    style = _compact_style(current_app.json)
    if style is not None:
        # The same bytes as below, from kept per-premise texts and the live counts: about 4
        # instead of 21-25 ms CPU for 400 premises (tests/services/test_map_payload.py).
        body = premises_text(db.session(), bbox, style)
        return _conditional(current_app.response_class(body, mimetype="application/geo+json"))
    points, truncated = premise_points(db.session(), bbox)
    return _geojson(with_demand_classes(premise_features(points, truncated)))


@bp.get("/api/demand.geojson")
@public
def demand_geojson() -> Response | tuple[Response, int]:
    """Active wishes per grid cell (≥ 100 m, growing with the view) in any bbox, of a type/group."""
    session = db.session()
    try:
        bbox = parse_bbox(request.args.get("bbox"), max_span=None)
        ids = type_ids(session, request.args.get("type"), request.args.get("group"))
    except DemandError as error:
        return json_error(str(error))
    lat0 = grid_latitude(session, current_app.config["MAP_CENTER"])
    base = max(float(current_app.config["DEMAND_CELL_M"]), MIN_CELL_M)
    ensure_grid(session, lat0, base)
    size = cell_size(bbox, lat0, base)
    return _geojson(cell_features(demand_cells(session, bbox, size, lat0, ids), size))


@bp.get("/api/streets.geojson")
@public
def streets_geojson() -> Response | tuple[Response, int]:
    """Streets in the bbox (drawn when no tile server is configured)."""
    try:
        bbox = parse_bbox(request.args.get("bbox"))
    except DemandError as error:
        return json_error(str(error))
    rows = streets_in_view(db.session(), bbox.south, bbox.west, bbox.north, bbox.east)
    return _geojson(street_features(rows))


@bp.get("/api/premises/<int:premise_id>")
@public
def premise_summary(premise_id: int) -> Response | tuple[Response, int]:
    """One premise for its popup: address, surface, top wished types and a few reasons."""
    demand = premise_demand(db.session(), premise_id)
    if demand is None:
        return json_error("unknown premise", 404)
    locale = current_language()
    premise = demand.premise
    summary = jsonify(
        {
            "id": premise.id,
            "address": premise.address,
            "status": premise.status,
            "surface_m2": round(premise.surface_m2) if premise.surface_m2 else None,
            "wishes": demand.total,
            "types": [
                {"code": t.code, "icon": icon_name(t.code), "label": t.label(locale), "count": n}
                for t, n in demand.types[:5]
            ],
            "reasons": [
                {"name": r.name, "type": r.shop_type.label(locale), "text": r.text}
                for r in demand.reasons
            ],
            "url": url_for("premises.show", premise_id=premise.id),
            # The popup's Follow button: its state for this reader, and where it posts.
            "following": current_user.is_authenticated
            and follows.following(db.session(), current_user.id, premise.id),
            "follow": url_for("premises.follow", premise_id=premise.id),
            "unfollow": url_for("premises.unfollow", premise_id=premise.id),
        }
    )
    # Labels follow the reader's language: no shared cache may keep one reader's answer.
    return _conditional(summary, public=False)


@bp.get("/api/places")
@public
def places() -> Response:
    """Streets and vacant premises of the district matching ?q= (address search)."""
    found = find_places(db.session(), request.args.get("q", "")[:100])
    answer = jsonify(
        feature_collection(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(p.lon, 6), round(p.lat, 6)]},
                "properties": {"label": p.label, "premise": p.premise_id},
            }
            for p in found
        )
    )
    return _conditional(answer)
