"""The language switcher present on every page."""

from __future__ import annotations

from flask import Blueprint, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from wishmap import db
from wishmap.i18n import LANGUAGES
from wishmap.security import public
from wishmap.services.preferences import set_locale
from wishmap.views._nav import json_error, safe_path

bp = Blueprint("language", __name__)


@bp.post("/language")
@public
def switch() -> Response | tuple[Response, int]:
    """Switch the interface language, then go back to the page the visitor was on."""
    locale = request.form.get("locale", "")
    if locale not in LANGUAGES:
        return json_error(f"language must be one of {', '.join(LANGUAGES)}")
    session["locale"] = locale
    if current_user.is_authenticated:
        set_locale(db.session(), current_user, locale)
    return redirect(safe_path(request.form.get("next"), url_for("map.index")), code=303)
