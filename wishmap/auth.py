"""Flask-Login wiring: how a session cookie becomes a User."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager

from wishmap import db
from wishmap.models import User

login_manager = LoginManager()


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Return the logged-in user for the id kept in the session cookie."""
    try:
        return db.session().get(User, int(user_id))
    except ValueError:
        return None


def init_app(app: Flask) -> None:
    """Bind Flask-Login to app."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to continue."
    # A stolen remember-me cookie is refused once the session it came with looks different.
    login_manager.session_protection = "strong"
