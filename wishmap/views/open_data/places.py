"""The open API's premises (GeoJSON), shop types, and officers' vacancy facts."""

from __future__ import annotations

from flask import Response, current_app, request, url_for

from wishmap import db
from wishmap.i18n import current_language
from wishmap.models import Role
from wishmap.security import public, roles
from wishmap.services import api_data, api_params
from wishmap.services.api_spec import PREMISES, SHOP_TYPES, VACANCIES
from wishmap.type_icons import ICONS_FOLDER
from wishmap.views.open_data._blueprint import bad_parameter, bp, json


@bp.get("/premises")
@public
def premises() -> Response | tuple[Response, object]:
    """A page of premises as a GeoJSON FeatureCollection, by status, bbox and street."""
    try:
        args = api_params.parse(request.args, PREMISES.params)
        document = api_data.premise_collection(
            db.session(),
            args["status"],
            args["bbox"],
            args["street"],
            args["limit"],
            args["offset"],
        )
    except api_params.ApiParamError as failure:
        return bad_parameter(failure)
    response = json(document)
    response.mimetype = "application/geo+json"
    return response


@bp.get("/shop-types")
@public
def shop_types() -> Response | tuple[Response, object]:
    """A page of shop types with labels in the language asked (lang, else the request's)."""
    try:
        args = api_params.parse(request.args, SHOP_TYPES.params)
    except api_params.ApiParamError as failure:
        return bad_parameter(failure)
    language = args["lang"] or current_language()
    if language not in api_data.LANGUAGES:
        language = current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    icons = url_for("static", filename=ICONS_FOLDER, _external=True)
    return json(
        api_data.shop_type_page(
            db.session(), language, args["group"], args["limit"], args["offset"], icons
        )
    )


@bp.get("/vacancies")
@roles(Role.OFFICER)
def vacancies() -> Response | tuple[Response, object]:
    """Officers: a page of premises with rent, vacancy dates and days vacant."""
    try:
        args = api_params.parse(request.args, VACANCIES.params)
        document = api_data.vacancy_page(
            db.session(), args["status"], args["street"], args["limit"], args["offset"]
        )
    except api_params.ApiParamError as failure:
        return bad_parameter(failure)
    return json(document, public=False)
