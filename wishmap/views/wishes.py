"""Wishing: make a wish on a premise or at a free point, support one, change or withdraw it."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie_session
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from wishmap import db, identity_provider
from wishmap.limits import account_key, configured, limiter
from wishmap.models import WishStatus
from wishmap.security import authenticated, public
from wishmap.services.premises import premise_demand
from wishmap.services.shop_types import list_shop_types, shop_type_by_code, shop_type_id_by_code
from wishmap.services.wishes import (
    QuotaReached,
    WishError,
    WishNotFound,
    change_wish,
    create_wish,
    restore_wish,
    support_wish,
    withdraw_wish,
)
from wishmap.views._nav import json_error, safe_path, wants_json, whole_number

bp = Blueprint("wishes", __name__, url_prefix="/wishes")

Reply = Response | tuple[Any, int]


def _int(value: str | None) -> int | None:
    return whole_number(value)


def _point(values: Any) -> tuple[float, float] | None:
    try:
        lat, lon = float(values.get("lat", "")), float(values.get("lon", ""))
    except ValueError:
        return None
    return lat, lon


def _limits() -> dict[str, int]:
    config = current_app.config
    return {"quota": config["WISH_QUOTA"], "max_reason": config["REASON_MAX_LENGTH"]}


def _form_page(values: Any, error: str | None = None, status: int = 200) -> tuple[str, int]:
    """Render the stand-alone wish form, prefilled with values (kept across login)."""
    session = db.session()
    premise_id = _int(values.get("premise"))
    demand = premise_demand(session, premise_id) if premise_id else None
    page = render_template(
        "wishes/new.html",
        demand=demand,
        premise=demand.premise if demand else None,
        point=None if demand else _point(values),
        shop_types=list_shop_types(session),
        chosen=values,
        error=error,
        quota_reached=error is not None and status == 409,
        max_reason=current_app.config["REASON_MAX_LENGTH"],
    )
    return page, status


def _refused(error: WishError) -> Reply:
    status = (
        409 if isinstance(error, QuotaReached) else 404 if isinstance(error, WishNotFound) else 400
    )
    if wants_json():
        return json_error(str(error), status)
    return _form_page(request.form, str(error), status)


def _done(wish: Any, message: str) -> Reply:
    if wants_json():
        return jsonify({"id": wish.id, "status": wish.status, "message": message}), 201
    flash(message)
    if wish.premise_id is not None:
        return redirect(url_for("premises.show", premise_id=wish.premise_id), code=303)
    return redirect(url_for("me.index"), code=303)


def _made_message(wish: Any) -> str:
    if wish.status == WishStatus.PENDING.value and current_user.email_verified_at is not None:
        # The address is confirmed: what is missing is the campaign's provider log-in.
        return _(
            "Your wish is saved. It will count once you log in with %(provider)s: this "
            "campaign counts the wishes of people who did (see My wishes).",
            provider=identity_provider.display_name(),
        )
    if wish.status == WishStatus.PENDING.value:
        return _(
            "Your wish is saved. It will count as soon as you confirm your e-mail address "
            "(see the message we sent you)."
        )
    if wish.status == WishStatus.HELD.value:
        return _("Your wish is saved and will count once it has been reviewed.")
    return _("Thank you! Your wish counts now.")


DRAFT_KEY = "wish_draft"
DRAFT_FIELDS = ("premise", "lat", "lon", "type", "frequency", "reason")
PLACE_FIELDS = ("premise", "lat", "lon")


@bp.get("/new")
@authenticated
def new() -> tuple[str, int]:
    """The wish form for a premise (?premise=) or a free point (?lat=&lon=), choices kept."""
    values = request.args.to_dict()
    draft = cookie_session.pop(DRAFT_KEY, None)
    # A draft kept across log-in fills the form, but only for the place the visitor returns to.
    if draft and all(draft.get(key, "") == values.get(key, "") for key in PLACE_FIELDS):
        values = {**draft, **values}
    return _form_page(values)


@bp.post("/draft")
@public
def draft() -> Response:
    """Keep a visitor's unfinished wish in their session cookie and send them to log in.

    The choice travels in the (signed) session, not in the URL, so that a reason never ends up
    in server logs or browser history on the way through the log-in page.
    """
    limit = current_app.config["REASON_MAX_LENGTH"] + 1  # one over: the form still refuses it
    values = {key: request.form.get(key, "")[:limit] for key in DRAFT_FIELDS}
    cookie_session[DRAFT_KEY] = values
    place = {key: values[key] for key in PLACE_FIELDS if values[key]}
    return redirect(url_for("accounts.login", next=url_for("wishes.new", **place)), code=303)


@bp.post("/")
@authenticated
@limiter.limit(configured("WISH_RATE_LIMIT"), key_func=account_key)
def create() -> Reply:
    """Make a wish on a premise or at a free point."""
    form = request.form
    session = db.session()
    shop_type_id = shop_type_id_by_code(session, form.get("type"))
    if shop_type_id is None:
        return _refused(WishError(_("Choose a shop type from the list.")))
    premise_id = _int(form.get("premise"))
    point = None if premise_id is not None else _point(form)
    if premise_id is None and point is None:
        return _refused(WishError(_("A wish needs a premise or a point.")))
    try:
        wish = create_wish(
            session,
            current_user,
            shop_type_id,
            premise_id=premise_id,
            point=point,
            reason=form.get("reason"),
            frequency=form.get("frequency") or None,
            client_ip=request.remote_addr,
            **_limits(),
        )
    except WishError as error:
        return _refused(error)
    return _done(wish, _made_message(wish))


@bp.post("/support")
@authenticated
@limiter.limit(configured("WISH_RATE_LIMIT"), key_func=account_key)
def support() -> Reply:
    """Support, in one click, a shop type others already wished for on a premise."""
    session = db.session()
    shop_type_id = shop_type_id_by_code(session, request.form.get("type"))
    premise_id = _int(request.form.get("premise"))
    if shop_type_id is None or premise_id is None:
        return _refused(WishError(_("Choose a shop type from the list.")))
    try:
        wish = support_wish(
            session,
            current_user,
            premise_id,
            shop_type_id,
            client_ip=request.remote_addr,
            **_limits(),
        )
    except WishError as error:
        return _refused(error)
    return _done(wish, _made_message(wish))


@bp.post("/<int:wish_id>")
@authenticated
def update(wish_id: int) -> Reply:
    """Change the shop type, reason or frequency of one of the user's wishes."""
    session = db.session()
    shop_type = shop_type_by_code(session, request.form.get("type"))
    if shop_type is None:
        return _fail(WishError(_("Choose a shop type from the list.")))
    try:
        change_wish(
            session,
            current_user,
            wish_id,
            shop_type.id,
            reason=request.form.get("reason"),
            frequency=request.form.get("frequency") or None,
            max_reason=current_app.config["REASON_MAX_LENGTH"],
        )
    except WishError as error:
        return _fail(error)
    flash(_("Your wish has been changed."))
    return redirect(url_for("me.index"), code=303)


@bp.post("/<int:wish_id>/withdraw")
@authenticated
def withdraw(wish_id: int) -> Reply:
    """Withdraw one of the user's wishes; it stops counting at once."""
    try:
        withdraw_wish(db.session(), current_user, wish_id)
    except WishError as error:
        return _fail(error)
    if wants_json():
        return jsonify({"id": wish_id, "status": "withdrawn"}), 200
    # The message carries an Undo button (templates/base.html reads the category).
    flash(_("Your wish has been withdrawn."), f"undo:{wish_id}")
    return redirect(safe_path(request.form.get("next"), url_for("me.index")), code=303)


@bp.post("/<int:wish_id>/restore")
@authenticated
@limiter.limit(configured("WISH_RATE_LIMIT"), key_func=account_key)
def restore(wish_id: int) -> Reply:
    """Undo a withdrawal, if the quota and the one-voice rule still allow the wish."""
    try:
        wish = restore_wish(
            db.session(), current_user, wish_id, client_ip=request.remote_addr, **_limits()
        )
    except WishError as error:
        return _fail(error)
    if wants_json():
        return jsonify({"id": wish.id, "status": wish.status}), 201
    flash(_("Your wish is back."))
    return redirect(url_for("me.index"), code=303)


def _fail(error: WishError) -> Reply:
    status = 404 if isinstance(error, WishNotFound) else 400
    if wants_json():
        return json_error(str(error), status)
    return render_template("wishes/refused.html", message=str(error)), status
