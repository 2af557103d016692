"""Matching reports for owners, agencies and officers: one premise at a time."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from wishmap import db
from wishmap.models import Role
from wishmap.security import roles
from wishmap.services import insights
from wishmap.services.shop_types import list_shop_types

bp = Blueprint("insights", __name__, url_prefix="/insights")
READERS = (Role.OWNER, Role.AGENCY, Role.OFFICER)
CANDIDATE_ROWS = 4


@bp.get("/")
@roles(*READERS)
def index() -> str:
    """The premises whose reports the user may read."""
    return render_template(
        "insights/index.html", premises=insights.managed_premises(db.session(), current_user)
    )


def _render(
    report: insights.PremiseReport,
    error: str | None = None,
    status: int = 200,
    rows: list[dict] | None = None,
) -> tuple[str, int]:
    return render_template(
        "insights/premise.html",
        report=report,
        error=error,
        shop_types=list_shop_types(db.session()),
        rows=rows or [{} for _ in range(CANDIDATE_ROWS)],
    ), status


@bp.get("/premises/<int:premise_id>")
@roles(*READERS)
def premise(premise_id: int) -> tuple[str, int]:
    """A premise's matching report: demand against supply, per shop type."""
    try:
        return _render(insights.premise_report(db.session(), current_user, premise_id))
    except insights.NotFound:
        abort(404)
    except insights.NotAllowed:
        abort(403)


@bp.post("/premises/<int:premise_id>")
@roles(*READERS)
def match(premise_id: int) -> tuple[str, int]:
    """Rank tenant candidates for the premise."""
    rows = [
        {
            key: request.form.get(f"{key}-{index}", "").strip()
            for key in ("shop_type", "name", "min_surface_m2", "max_surface_m2", "max_rent")
        }
        for index in range(CANDIDATE_ROWS)
    ]
    session = db.session()
    try:
        return _render(
            insights.match_candidates(session, current_user, premise_id, rows), rows=rows
        )
    except insights.NotFound:
        abort(404)
    except insights.NotAllowed:
        abort(403)
    except ValueError as error:
        report = insights.premise_report(session, current_user, premise_id)
        return _render(report, error=str(error), status=400, rows=rows)
