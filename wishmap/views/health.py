"""Health probes for load balancers and orchestrators: /healthz (alive) and /readyz (ready)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from werkzeug.wrappers import Response

from wishmap import db
from wishmap.production import readiness
from wishmap.security import public

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz() -> Response:
    """The process answers: nothing else is checked, so a slow database never restarts it."""
    return jsonify({"status": "alive"})


@bp.get("/readyz")
@public
def readyz() -> tuple[Response, int]:
    """Ready: database reachable, migrations at head, Redis if configured; else 503 and why."""
    state = readiness(db.engine(), current_app.config.get("REDIS_URL") or "")
    return jsonify(state), 200 if state["ready"] else 503
