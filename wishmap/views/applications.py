"""Candidates who apply: the public application form and its confirmation link, and the
managers' page of candidates for a premise with their decisions."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from wishmap import db
from wishmap.account_forms import ConfirmForm
from wishmap.i18n import current_language
from wishmap.limits import limiter
from wishmap.models import Role
from wishmap.security import public, roles
from wishmap.services import applications as service
from wishmap.services.districts import list_districts
from wishmap.services.shop_types import list_shop_types
from wishmap.services.tenant_matching import money
from wishmap.views._nav import whole_number

bp = Blueprint("applications", __name__)
READERS = (Role.OWNER, Role.AGENCY, Role.OFFICER)


def _apply_limit() -> str:
    return current_app.config.get("APPLY_RATE_LIMIT", "5 per hour")


def _form_page(
    values: dict[str, str], error: str | None = None, status: int = 200
) -> tuple[str, int]:
    session = db.session()
    premise_id = whole_number(values.get("premise"))
    premise = service.vacant_premise(session, premise_id) if premise_id else None
    return (
        render_template(
            "applications/new.html",
            values=values,
            error=error,
            premise=premise,
            shop_types=list_shop_types(session),
            streets=service.streets_with_vacancies(session),
            districts=list_districts(session),
            pitch_max=service.PITCH_MAX,
        ),
        status,
    )


@bp.get("/apply/")
@public
def new() -> tuple[str, int]:
    """The application form: for the premise, street or district named in the query, or any."""
    values = {key: request.args.get(key, "")[:20] for key in ("premise", "street", "district")}
    return _form_page(values)


@bp.post("/apply/")
@public
@limiter.limit(_apply_limit)
def create() -> tuple[str, int] | Response:
    """Save the application unverified and e-mail the link that submits it."""
    values = {key: request.form.get(key, "") for key in request.form if key != "csrf_token"}
    # The form offers streets and districts in one list: "street:12" or "district:3".
    kind, _sep, place_id = values.get("place", "").partition(":")
    if kind in {"street", "district"}:
        values[kind] = place_id
    try:
        _application, mailed = service.submit_application(
            db.session(),
            values,
            current_language(),
            lambda secret: url_for("applications.verify", token=secret, _external=True),
            current_app.config["VERIFY_TOKEN_HOURS"],
        )
    except service.ApplicationError as error:
        return _form_page(values, str(error), 400)
    if not mailed:
        flash(_("We could not send the e-mail just now. Please apply again in a few minutes."))
    return redirect(url_for("applications.sent"), code=303)


@bp.get("/apply/sent")
@public
def sent() -> str:
    """Tells the candidate to look in their mailbox."""
    return render_template("applications/sent.html")


@bp.route("/apply/confirm/<token>", methods=["GET", "POST"])
@public
def verify(token: str) -> tuple[str, int] | Response:
    """The e-mailed link: confirms the application, later withdraws it (buttons, so a mail
    scanner opening the link changes nothing)."""
    form = ConfirmForm()
    session = db.session()
    if form.validate_on_submit():
        withdrawing = request.form.get("action") == "withdraw"
        try:
            if withdrawing:
                service.withdraw_application(session, token)
            else:
                service.verify_application(session, token)
        except service.ApplicationError as error:
            flash(str(error))
        else:
            if withdrawing:
                flash(_("Your application is withdrawn. No manager sees it any more."))
                return redirect(url_for("applications.new"), code=303)
            flash(_("Thank you: your application is confirmed and sent to the managers."))
            return redirect(url_for("applications.sent", confirmed=1), code=303)
    pending = service.pending_application(session, token)
    confirmed = None if pending else service.withdrawable_application(session, token)
    return (
        render_template(
            "applications/link.html",
            form=form,
            pending=pending,
            confirmed=confirmed,
            target_label=service.target_label,
        ),
        200 if pending or confirmed else 404,
    )


@bp.get("/insights/premises/<int:premise_id>/candidates")
@roles(*READERS)
def for_premise(premise_id: int) -> str:
    """The verified applications for a premise, ranked against its demand, surface and rent."""
    try:
        page = service.candidates_page(db.session(), current_user, premise_id)
    except service.NotFound:
        abort(404)
    except service.NotAllowed:
        abort(403)
    return render_template("applications/candidates.html", page=page, money=money)


@bp.post("/insights/premises/<int:premise_id>/candidates/<int:application_id>")
@roles(Role.OWNER, Role.AGENCY)
def decide(premise_id: int, application_id: int) -> tuple[str, int] | Response:
    """Shortlist or reject a candidate, or let the premise to them (its manager or an admin)."""
    action = request.form.get("action", "")
    try:
        told = service.decide(
            db.session(),
            current_user,
            premise_id,
            application_id,
            action,
            url_for("me.index", _external=True),
        )
    except service.NotFound:
        abort(404)
    except service.NotAllowed:
        abort(403)
    except service.ApplicationError as error:
        return render_template("wishes/refused.html", message=str(error)), 400
    messages = {
        "shortlist": _("Shortlisted."),
        "reject": _("Rejected. The candidate has been told by e-mail."),
        "let": _(
            "The premise is let. The residents who wished here and %(count)d candidates "
            "have been told.",
            count=told,
        ),
    }
    flash(messages[action])
    return redirect(url_for("applications.for_premise", premise_id=premise_id), code=303)
