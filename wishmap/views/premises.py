"""Premises as a list: the way in that needs no map."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from wishmap import db
from wishmap.security import public
from wishmap.services.premises import premises_with_demand

bp = Blueprint("premises", __name__, url_prefix="/premises")


@bp.get("/")
@public
def index() -> str:
    """Vacant premises by street, searchable by address."""
    query = request.args.get("q", "").strip()
    rows = premises_with_demand(db.session(), status="vacant", search=query)
    return render_template("premises/index.html", rows=rows, query=query)
