"""Flask-Login wiring: how a session cookie becomes a User."""

from __future__ import annotations

import hmac

from flask import Flask
from flask_babel import gettext
from flask_login import LoginManager
from sqlalchemy import bindparam, select

from wishmap import db
from wishmap.models import User

login_manager = LoginManager()

# Every logged-in request reads its account afresh (a deleted account, a changed role or
# password counts from the next request on). Built once: Session.get() builds, keys and looks
# up a new SELECT on every call, a third of that read's CPU (issue 13). No autoflush: nothing
# of the request's own is pending yet, and a test's shared session must not be flushed here.
_USER_BY_ID = select(User).where(User.id == bindparam("user_id")).execution_options(autoflush=False)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Return the logged-in user for the "id:session token" kept in the session cookie."""
    number, _, token = user_id.partition(":")
    try:
        found = db.session().execute(_USER_BY_ID, {"user_id": int(number)})
    except ValueError:
        return None
    user = found.scalar_one_or_none()
    # A changed password rotates the token: every cookie carrying the old one is logged out.
    if user is None or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def init_app(app: Flask) -> None:
    """Bind Flask-Login to app."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to continue."
    # Flask-Login flashes its message through this, so it is shown in the visitor's language.
    login_manager.localize_callback = gettext
    # A stolen remember-me cookie is refused once the session it came with looks different.
    login_manager.session_protection = "strong"
