"""What became of the wishes: a public page of premises let or opened, counts and no names."""

from __future__ import annotations

from flask import Blueprint, render_template

from wishmap import db
from wishmap.security import public
from wishmap.services.outcomes import outcomes_so_far

bp = Blueprint("outcomes", __name__, url_prefix="/outcomes")


@bp.get("/")
@public
def index() -> str:
    """Premises let or opened so far, and how many went to a type residents wished for."""
    return render_template("outcomes/index.html", outcomes=outcomes_so_far(db.session()))
