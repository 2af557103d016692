"""Flask-Login wiring: how a session cookie becomes a User."""

from __future__ import annotations

import hmac

from flask import Flask
from flask_babel import gettext
from flask_login import LoginManager

from wishmap import db
from wishmap.models import User

login_manager = LoginManager()


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Return the logged-in user for the "id:session token" kept in the session cookie."""
    number, _, token = user_id.partition(":")
    try:
        user = db.session().get(User, int(number))
    except ValueError:
        return None
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
