"""Personal API tokens on an officer's account: make one (shown once), see them, revoke one."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from wishmap import db
from wishmap.models import Role
from wishmap.security import roles
from wishmap.services import api_tokens

bp = Blueprint("api_tokens", __name__, url_prefix="/account/api-tokens")


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name (the tool that will use it)"),
        validators=[DataRequired(), Length(max=api_tokens.MAX_NAME)],
    )


class RevokeForm(FlaskForm):
    """A button revoking one token (CSRF-protected)."""


def _page(form: TokenForm, secret: str | None = None, status: int = 200) -> tuple[str, int]:
    return (
        render_template(
            "api_tokens/index.html",
            form=form,
            revoke_form=RevokeForm(formdata=None),
            tokens=api_tokens.user_tokens(db.session(), current_user),
            secret=secret,
        ),
        status,
    )


def _no_store(page: tuple[str, int]) -> Response:
    response = Response(page[0], status=page[1], mimetype="text/html")
    # The page may show a token's secret: no cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@roles(Role.OFFICER)
def index() -> Response:
    """The account's tokens: name, made, last used; a form to make one."""
    return _no_store(_page(TokenForm(formdata=None)))


@bp.post("/")
@roles(Role.OFFICER)
def create() -> Response:
    """Make a token and show its secret this once."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _no_store(_page(form, status=400))
    try:
        made = api_tokens.create_token(db.session(), current_user, form.name.data or "")
    except api_tokens.ApiTokenError as failure:
        form.name.errors = [str(failure)]
        return _no_store(_page(form, status=400))
    return _no_store(_page(TokenForm(formdata=None), secret=made.secret, status=201))


@bp.post("/<int:token_id>/revoke")
@roles(Role.OFFICER)
def revoke(token_id: int) -> Response | tuple[str, int]:
    """Revoke one of the account's tokens; it stops working at once."""
    if not RevokeForm().validate_on_submit():
        return _page(TokenForm(formdata=None), status=400)
    try:
        token = api_tokens.revoke_token(db.session(), current_user, token_id)
    except api_tokens.ApiTokenError as failure:
        flash(str(failure), "error")
        return redirect(url_for("api_tokens.index"))
    flash(_("The token “%(name)s” was revoked.", name=token.name))
    return redirect(url_for("api_tokens.index"))
