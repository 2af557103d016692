"""The open API's demand per premise and type, per grid cell, per street and per district.

Every count is protected as on the statistics pages (floor of residents, cell-key noise).
"""

from __future__ import annotations

from flask import Response, current_app, request

from wishmap import db
from wishmap.i18n import current_language
from wishmap.security import public
from wishmap.services import api_demand, api_params
from wishmap.services.api_spec import CELL_DEMAND, DISTRICT_DEMAND, PREMISE_DEMAND, STREET_DEMAND
from wishmap.services.demand import MIN_CELL_M
from wishmap.services.extent import grid_latitude
from wishmap.views.open_data._blueprint import bad_parameter, bp, json, keys, min_residents


def _protection() -> api_demand.Protection:
    return api_demand.Protection(keys=keys(), min_residents=min_residents())


@bp.get("/demand/premises")
@public
def premise_demand() -> Response | tuple[Response, object]:
    """A page of (premise, shop type) rows with their protected counts."""
    session = db.session()
    try:
        args = api_params.parse(request.args, PREMISE_DEMAND.params)
        document = api_demand.premise_demand(
            session, _protection(), current_language(), args.values, args["limit"], args["offset"]
        )
    except api_params.ApiParamError as failure:
        return bad_parameter(failure)
    return json(document)


@bp.get("/demand/cells")
@public
def cell_demand() -> Response | tuple[Response, object]:
    """A page of the public map's grid cells in a bbox, as GeoJSON, with protected counts."""
    session = db.session()
    try:
        args = api_params.parse(request.args, CELL_DEMAND.params)
        grid = (
            grid_latitude(session, current_app.config["MAP_CENTER"]),
            max(float(current_app.config["DEMAND_CELL_M"]), MIN_CELL_M),
        )
        document = api_demand.cell_demand(
            session, _protection(), grid, args.values, args["limit"], args["offset"]
        )
    except api_params.ApiParamError as failure:
        return bad_parameter(failure)
    response = json(document)
    response.mimetype = "application/geo+json"
    return response


def _area(dimension: str, params: list[api_params.Param]) -> Response | tuple[Response, object]:
    try:
        args = api_params.parse(request.args, params)
        filters = {
            name: str(value)
            for name, value in args.values.items()
            if value is not None and name not in ("limit", "offset")
        }
        document = api_demand.area_demand(
            db.session(),
            _protection(),
            current_language(),
            dimension,
            filters,
            args["limit"],
            args["offset"],
        )
    except api_params.ApiParamError as failure:
        return bad_parameter(failure)
    return json(document)


@bp.get("/demand/streets")
@public
def street_demand() -> Response | tuple[Response, object]:
    """A page of streets with their protected counts (the statistics table by street)."""
    return _area("street", STREET_DEMAND.params)


@bp.get("/demand/districts")
@public
def district_demand() -> Response | tuple[Response, object]:
    """A page of districts with their protected counts (the statistics table by district)."""
    return _area("district", DISTRICT_DEMAND.params)
