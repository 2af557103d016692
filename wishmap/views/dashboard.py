"""The officers' dashboard: the key figures at a glance, for the city and per district."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from wishmap import db
from wishmap.i18n import current_language
from wishmap.models import Role
from wishmap.security import roles
from wishmap.services.dashboard import dashboard
from wishmap.services.disclosure import cell_keys_from

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.get("/")
@roles(Role.OFFICER)
def index() -> str:
    """Vacancy, wishes this month against last, unmet demand and wishes that came true."""
    board = dashboard(
        db.session(),
        int(current_app.config["STATS_MIN_RESIDENTS"]),
        cell_keys_from(current_app.config),
        current_language(),
    )
    return render_template("dashboard/index.html", board=board)
