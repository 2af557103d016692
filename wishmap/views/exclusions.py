"""Exclusions: the shop types an owner or agency will not let to (admins: for every premise)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from wishmap import db
from wishmap.models import Role
from wishmap.security import roles
from wishmap.services.exclusions import ExclusionError, exclusion_board, set_exclusions
from wishmap.services.shop_types import list_shop_types

bp = Blueprint("exclusions", __name__, url_prefix="/exclusions")


def _page(error: str | None = None, status: int = 200) -> tuple[str, int]:
    session = db.session()
    return render_template(
        "exclusions/index.html",
        board=exclusion_board(session, current_user),
        shop_types=list_shop_types(session),
        error=error,
    ), status


@bp.get("/")
@roles(Role.OWNER, Role.AGENCY)
def index() -> tuple[str, int]:
    """The shop types I will not let to, as checkboxes."""
    return _page()


@bp.post("/")
@roles(Role.OWNER, Role.AGENCY)
def update() -> Response | tuple[str, int]:
    """Save the checked shop types as my exclusions."""
    codes = request.form.getlist("type")
    if len(codes) > 200:
        return _page(_("Too many shop types."), 400)
    try:
        added, removed = set_exclusions(db.session(), current_user, codes)
    except ExclusionError as error:
        return _page(str(error), 400)
    if added or removed:
        flash(_("Excluded shop types saved."))
    else:
        flash(_("Nothing changed."))
    return redirect(url_for("exclusions.index"), code=303)
