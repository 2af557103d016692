"""A resident's own page: their wishes (change, withdraw) and news about the premises."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from wishmap import db
from wishmap.security import authenticated
from wishmap.services import follows, verification
from wishmap.services.holds import hold_reasons, rule_text
from wishmap.services.notifications import mark_all_read, user_notifications
from wishmap.services.shop_types import list_shop_types
from wishmap.services.wishes import active_wish_count, others_sharing, user_wishes

bp = Blueprint("me", __name__, url_prefix="/me")


@bp.get("/")
@authenticated
def index() -> str:
    """My wishes and my notifications."""
    session = db.session()
    wishes = user_wishes(session, current_user.id)
    followed = follows.followed_premises(session, current_user.id)
    premises = {wish.premise.id: wish.premise for wish in wishes if wish.premise}
    premises.update((premise.id, premise) for premise in followed)
    return render_template(
        "me/index.html",
        wishes=wishes,
        followed=followed,
        news=follows.latest_news(session, list(premises.values())),
        held_reasons=hold_reasons(session, [wish.id for wish in wishes if wish.status == "held"]),
        rule_text=rule_text,
        notifications=user_notifications(session, current_user.id),
        used=active_wish_count(session, current_user.id),
        quota=current_app.config["WISH_QUOTA"],
        shop_types=list_shop_types(session),
        max_reason=current_app.config["REASON_MAX_LENGTH"],
        shared=others_sharing(session, current_user.id, wishes),
        missing_level=verification.missing_level(
            session, current_user, verification.counting_settings()
        ),
    )


@bp.post("/notifications/read")
@authenticated
def read_notifications() -> Response:
    """Mark every notification read."""
    mark_all_read(db.session(), current_user.id)
    return redirect(url_for("me.index"), code=303)
