"""The public map of premises."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, url_for

from wishmap import db
from wishmap.geo import premise_features, street_features
from wishmap.maps import premises_map, render_parts
from wishmap.security import csp_nonce, public
from wishmap.services.premises import premises_with_demand
from wishmap.services.streets import all_streets

bp = Blueprint("map", __name__)


@bp.get("/")
@public
def index() -> str:
    """The public map: every premise, vacant ones standing out."""
    session = db.session()
    rows = premises_with_demand(session)
    fmap = premises_map(
        premise_features(rows),
        street_features(all_streets(session)),
        center=current_app.config["MAP_CENTER"],
        zoom=current_app.config["MAP_ZOOM"],
        tile_url=current_app.config["TILE_URL"],
        attribution=current_app.config["TILE_ATTRIBUTION"],
        static_url=lambda path: url_for("static", filename=path),
    )
    vacant = sum(1 for premise, _wishes in rows if premise.is_vacant)
    return render_template(
        "map/index.html", map=render_parts(fmap, csp_nonce()), vacant=vacant, total=len(rows)
    )


@bp.get("/api/premises.geojson")
@public
def premises_geojson() -> Response:
    """Every premise with its active-wish count, as GeoJSON."""
    response = jsonify(premise_features(premises_with_demand(db.session())))
    response.mimetype = "application/geo+json"
    return response
