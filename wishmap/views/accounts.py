"""Accounts: register, log in, log out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from wishmap import db
from wishmap.forms import LoginForm, RegisterForm
from wishmap.security import authenticated, public
from wishmap.services.users import UserError, authenticate, register

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _safe_next(target: str | None) -> str:
    """Return target if it is a path on this site, else the map: no open redirects."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("map.index")


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> str | Response:
    """Log in with e-mail and password, then go back where the visitor came from."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session(), form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("E-mail address or password is wrong.")
    return render_template("accounts/login.html", form=form, next=request.args.get("next", ""))


@bp.route("/register", methods=["GET", "POST"])
@public
def register_view() -> str | Response:
    """Create a resident account and log it in."""
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = register(
                db.session(), form.email.data, form.display_name.data, form.password.data
            )
        except UserError as error:
            form.email.errors.append(str(error))
        else:
            login_user(user)
            flash("Welcome! Your account is ready.")
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/register.html", form=form, next=request.args.get("next", ""))


@bp.post("/logout")
@authenticated
def logout() -> Response:
    """Log out and return to the map."""
    logout_user()
    return redirect(url_for("map.index"))
