"""Premises: the list by street (the way in that needs no map), one premise's page, its outcome."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from wishmap import db
from wishmap.i18n import LANGUAGES, current_language
from wishmap.models import Role
from wishmap.security import authenticated, public, roles
from wishmap.services import follows
from wishmap.services.claims import claim_state
from wishmap.services.outcomes import (
    OutcomeError,
    OutcomeRefused,
    may_record_outcome,
    record_outcome,
)
from wishmap.services.premises import premise_demand, premises_page
from wishmap.services.share_image import plain_attribution, premise_preview, render_png
from wishmap.services.shop_types import list_shop_types, shop_type_by_code
from wishmap.services.wishes import active_wish_count, user_types_at
from wishmap.services.zoning import premise_protection
from wishmap.views._nav import wants_json, whole_number

bp = Blueprint("premises", __name__, url_prefix="/premises")


@bp.get("/")
@public
def index() -> str | tuple[str, int]:
    """Vacant premises grouped by street, a page at a time, searchable by address or street."""
    query = request.args.get("q", "").strip()[:100]
    number = whole_number(request.args.get("page", "1"))
    if not number:
        message = _("The page must be a whole number from 1.")
        return render_template("wishes/refused.html", message=message), 400
    page = premises_page(db.session(), status="vacant", search=query, page=number)
    if number > page.pages:
        abort(404)
    return render_template("premises/index.html", page=page, rows=page.rows, query=query)


@bp.get("/<int:premise_id>")
@public
def show(premise_id: int) -> str:
    """One premise: what residents wish there, one-click support, and the form to wish."""
    session = db.session()
    demand = premise_demand(session, premise_id, reasons=5)
    if demand is None:
        abort(404)
    mine: dict[int, int] = {}
    used = 0
    if current_user.is_authenticated:
        mine = user_types_at(session, current_user.id, premise_id)
        used = active_wish_count(session, current_user.id)
    return render_template(
        "premises/show.html",
        demand=demand,
        premise=demand.premise,
        mine=mine,
        used=used,
        quota=current_app.config["WISH_QUOTA"],
        shop_types=list_shop_types(session),
        chosen=request.args,
        may_record=current_user.is_authenticated
        and may_record_outcome(current_user, demand.premise),
        today=date.today().isoformat(),
        protection=premise_protection(session, demand.premise),
        claim=claim_state(session, current_user, demand.premise)
        if current_user.is_authenticated
        else None,
        following=current_user.is_authenticated
        and follows.following(session, current_user.id, premise_id),
        news=follows.latest_news(session, [demand.premise]).get(premise_id),
        preview_url=url_for(
            "premises.preview", premise_id=premise_id, lang=current_language(), _external=True
        ),
    )


@bp.post("/<int:premise_id>/outcome")
@roles(Role.OWNER, Role.AGENCY)
def outcome(premise_id: int) -> Response | tuple[str, int]:
    """Record that the premise was let or opened (its manager or an admin); residents are told."""
    session = db.session()
    shop_type = shop_type_by_code(session, request.form.get("type"))
    if request.form.get("type") and shop_type is None:
        return render_template("wishes/refused.html", message=_("Unknown shop type.")), 400
    try:
        on = date.fromisoformat(request.form.get("on") or date.today().isoformat())
        notified = record_outcome(
            session,
            current_user,
            premise_id,
            request.form.get("outcome", ""),
            shop_type.id if shop_type else None,
            on,
            url_for("me.index", _external=True),
        )
    except OutcomeRefused as error:
        return render_template("wishes/refused.html", message=str(error)), 403
    except ValueError as error:  # OutcomeError, or a malformed date
        message = str(error) if isinstance(error, OutcomeError) else _("The date is not valid.")
        return render_template("wishes/refused.html", message=message), 400
    flash(_("Recorded. %(count)d residents who wished here have been told.", count=len(notified)))
    return redirect(url_for("premises.show", premise_id=premise_id), code=303)


def _back(premise_id: int) -> str:
    """Where a follow or unfollow returns: My wishes when it came from there, else the premise."""
    if request.form.get("back") == "me":
        return url_for("me.index", _anchor="following")
    return url_for("premises.show", premise_id=premise_id, _anchor="follow")


@bp.post("/<int:premise_id>/follow")
@authenticated
def follow(premise_id: int) -> Response | tuple[str | Response, int]:
    """Follow the premise: an e-mail when it is let or opened, or its report changes."""
    try:
        follows.follow(db.session(), current_user.id, premise_id)
    except follows.FollowError as error:
        if wants_json():  # the map's popup
            return jsonify({"error": str(error)}), 404
        return render_template("wishes/refused.html", message=str(error)), 404
    message = _("You follow this premise: we will e-mail you when it is let or its report changes.")
    return _followed(premise_id, True, message)


@bp.post("/<int:premise_id>/unfollow")
@authenticated
def unfollow(premise_id: int) -> Response:
    """Stop following the premise."""
    follows.unfollow(db.session(), current_user.id, premise_id)
    return _followed(premise_id, False, _("You no longer follow this premise."))


def _followed(premise_id: int, following: bool, message: str) -> Response:
    """The answer to a follow or unfollow: JSON for the map's popup, else a flash and a redirect."""
    if wants_json():
        return jsonify({"following": following, "message": message})
    flash(message)
    return redirect(_back(premise_id), code=303)


@bp.route("/unfollow/<token>", methods=["GET", "POST"])
@public
def unfollow_link(token: str) -> str | tuple[str, int]:
    """The unfollow link of a follower's e-mail: asks once (mail scanners open links), then
    stops the follow without logging in."""
    session = db.session()
    named = follows.read_unfollow_token(session, token)
    if named is None:
        message = _("This link is not valid. Log in and unfollow from the premise's page.")
        return render_template("wishes/refused.html", message=message), 400
    user_id, premise = named
    done = request.method == "POST"
    if done:
        follows.unfollow(session, user_id, premise.id)
    return render_template("premises/unfollow.html", premise=premise, token=token, done=done)


@bp.get("/<int:premise_id>/preview.png")
@public
def preview(premise_id: int) -> Response:
    """The premise's share image (og:image): 1200 × 630 PNG, cached by its ETag."""
    lang = request.args.get("lang", "en")
    config = current_app.config
    attribution = " · ".join(
        text
        for text in (
            plain_attribution(config.get("STREETS_ATTRIBUTION", "")),
            "Wishmap",
        )
        if text
    )
    found = premise_preview(
        db.session(), premise_id, lang if lang in LANGUAGES else "en", attribution
    )
    if found is None:
        abort(404)
    response = make_response()
    response.set_etag(found.etag)
    # Previews are fetched by crawlers long after sharing: a day, then ask again with the ETag.
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    response.mimetype = "image/png"
    if request.if_none_match.contains(found.etag):
        response.status_code = 304
        return response
    response.set_data(render_png(found))
    return response
