"""Claims: owners and agencies ask to manage premises; admins and managing agencies decide."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wishmap import db
from wishmap.account_forms import ClaimForm
from wishmap.models import Role
from wishmap.security import roles
from wishmap.services.claims import (
    ClaimError,
    ClaimForbidden,
    ClaimNotFound,
    claim_board,
    claim_premise,
    claim_premise_by_id,
)
from wishmap.services.claims import decide_claim as decide_claim_service

bp = Blueprint("claims", __name__, url_prefix="/claims")


def _board(form: ClaimForm, status: int = 200) -> tuple[str, int]:
    board = claim_board(db.session(), current_user)
    return render_template("claims/index.html", form=form, board=board), status


@bp.get("/")
@roles(Role.OWNER, Role.AGENCY)
def index() -> tuple[str, int]:
    """My claims and premises, and the claims waiting for my decision."""
    return _board(ClaimForm(formdata=None))


@bp.post("/")
@roles(Role.OWNER, Role.AGENCY)
def create() -> tuple[str, int] | Response:
    """Claim a premise by its reference."""
    form = ClaimForm()
    if form.validate_on_submit():
        try:
            claim_premise(db.session(), current_user, form.premise_ref.data)
        except ClaimForbidden as error:
            abort(403, description=str(error))
        except ClaimError as error:
            form.premise_ref.errors.append(str(error))
        else:
            flash(_("Your claim is filed; you will manage the premise once it is approved."))
            return redirect(url_for("claims.index"))
    return _board(form, 400)


@bp.post("/premises/<int:premise_id>")
@roles(Role.OWNER, Role.AGENCY)
def claim_from_page(premise_id: int) -> Response | tuple[str, int]:
    """Claim the premise whose page the button is on ("I manage this premise")."""
    if current_user.role == Role.ADMIN:
        # Admins act on every premise already; there is nothing to claim.
        flash(_("Admins manage every premise without claiming it."))
        return redirect(url_for("premises.show", premise_id=premise_id), code=303)
    try:
        claim_premise_by_id(db.session(), current_user, premise_id)
    except ClaimForbidden as error:
        abort(403, description=str(error))
    except ClaimNotFound:
        abort(404)
    except ClaimError as error:
        return render_template("wishes/refused.html", message=str(error)), 400
    flash(_("Your claim is filed; you will manage the premise once it is approved."))
    return redirect(url_for("premises.show", premise_id=premise_id), code=303)


@bp.post("/<int:claim_id>/decision")
@roles(Role.AGENCY)
def decide(claim_id: int) -> Response:
    """Approve or reject a pending claim (admins, or the agency managing the premise)."""
    decision = request.form.get("decision")
    if decision not in ("approve", "reject"):
        abort(400, description="decision must be approve or reject")
    try:
        decide_claim_service(db.session(), current_user, claim_id, decision == "approve")
    except ClaimForbidden as error:
        abort(403, description=str(error))
    except ClaimError:
        abort(404)
    flash(_("Claim approved.") if decision == "approve" else _("Claim rejected."))
    return redirect(url_for("claims.index"))
