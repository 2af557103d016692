"""Reports: any logged-in person may report a wish whose text is abusive (rate-limited)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wishmap import db
from wishmap.account_forms import ReportForm
from wishmap.limits import account_key, configured, limiter
from wishmap.models import Role
from wishmap.security import authenticated
from wishmap.services import moderation

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.route("/wishes/<int:wish_id>", methods=["GET", "POST"])
@authenticated
@limiter.limit(configured("REPORT_RATE_LIMIT"), methods=["POST"], key_func=account_key)
def new(wish_id: int) -> tuple[str, int] | Response:
    """Report a wish to the moderators, saying what is wrong with it.

    The page repeats the wish's text only to its author and to admins: anyone else saw it
    where they clicked "Report this text", and a free wish's reason is shown nowhere else.
    """
    session = db.session()
    try:
        wish = moderation.reportable_wish(session, wish_id)
    except moderation.NotFound:
        abort(404)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            moderation.report_wish(session, current_user, wish_id, form.reason.data)
        except moderation.ModerationError as error:
            form.reason.errors.append(str(error))
        else:
            flash(_("Thank you. A moderator will look at this wish."))
            return redirect(url_for("map.index"))
    status = 400 if form.errors else 200
    show_text = current_user.role == Role.ADMIN.value or wish.user_id == current_user.id
    page = render_template("reports/new.html", form=form, wish=wish, show_text=show_text)
    return page, status
