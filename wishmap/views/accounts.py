"""Accounts: register, verify, log in and out, reset and change password or e-mail, privacy."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_fresh, login_user, logout_user

from wishmap import db
from wishmap.account_forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ConfirmForm,
    DeleteAccountForm,
    NameForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from wishmap.admin_vocabulary import role_label
from wishmap.forms import LoginForm, RegisterForm
from wishmap.i18n import current_language
from wishmap.limits import (
    account_key,
    configured,
    failed_login,
    is_known_device,
    limiter,
    login_account_key,
    remember_device,
)
from wishmap.models import TokenPurpose
from wishmap.security import authenticated, public
from wishmap.services import accounts as account_service
from wishmap.services.privacy import delete_account, export_user_data
from wishmap.services.users import (
    UserError,
    authenticate,
    change_display_name,
    change_password,
)
from wishmap.services.wishes import user_wishes
from wishmap.views._nav import safe_path

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _mail_down() -> str:
    """The message shown when the mail server could not take a message (the action stands)."""
    return _(
        "We could not send the e-mail just now. Ask for the link again from your account page "
        "in a few minutes."
    )


def _safe_next(target: str | None) -> str:
    """Return target if it is a path on this site, else the map: no open redirects."""
    return safe_path(target, url_for("map.index"))


def _link(endpoint: str) -> Callable[[str], str]:
    """Return a function turning a token secret into the absolute URL of endpoint."""
    return lambda secret: url_for(endpoint, token=secret, _external=True)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(configured("LOGIN_RATE_LIMIT"), methods=["POST"])
@limiter.limit(
    configured("LOGIN_ACCOUNT_RATE_LIMIT"),
    methods=["POST"],
    key_func=login_account_key,
    # Only failures count, and never from a browser that logged in to this account before.
    deduct_when=failed_login,
    exempt_when=is_known_device,
)
def login() -> str | Response:
    """Log in with e-mail and password, then go back where the visitor came from."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session(), form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return remember_device(redirect(_safe_next(request.args.get("next"))))
        form.password.errors.append(_("E-mail address or password is wrong."))
        # Said after every failure alike, so it tells nobody whether an account is unconfirmed.
        form.password.errors.append(
            _("Just registered? Follow the link we e-mailed you first: it logs you in.")
        )
    return render_template("accounts/login.html", form=form, next=request.args.get("next", ""))


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(configured("REGISTER_RATE_LIMIT"), methods=["POST"])
def register_view() -> str | Response:
    """Create a resident account and send its confirmation link; never log anyone in here.

    A new address and an address that already has an account get the same answer (its owner
    is e-mailed instead): only the link sent to the address logs in, so the answer, its
    cookies and the pages that follow never tell whether the address was known.
    """
    form = RegisterForm()
    next_path = request.args.get("next")
    if form.validate_on_submit():
        # The confirmation link carries where the visitor was going (their unfinished wish).
        back = safe_path(next_path, "") or None
        try:
            mailed = account_service.register_account(
                db.session(),
                form.email.data,
                form.display_name.data,
                form.password.data,
                lambda secret: url_for("accounts.verify", token=secret, next=back, _external=True),
                current_app.config["VERIFY_TOKEN_HOURS"],
                reset_link=url_for("accounts.reset_request", _external=True),
                locale=current_language(),
            )
        except UserError as error:
            form.email.errors.append(str(error))
        else:
            if not mailed:
                flash(
                    _(
                        "We could not send the e-mail just now. In a few minutes, ask for a "
                        "new link with “Forgot your password?” on the log-in page."
                    )
                )
            return redirect(url_for("accounts.registered"))
    return render_template("accounts/register.html", form=form, next=next_path or "")


@bp.get("/register/sent")
@public
def registered() -> str:
    """The answer to every registration: look in your mailbox for the link."""
    return render_template("accounts/check_mailbox.html")


@bp.post("/logout")
@authenticated
def logout() -> Response:
    """Log out and return to the map."""
    logout_user()
    return redirect(url_for("map.index"))


def _settings(
    name_form: NameForm | None = None,
    password_form: ChangePasswordForm | None = None,
    email_form: ChangeEmailForm | None = None,
    delete_form: DeleteAccountForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return (
        render_template(
            "accounts/settings.html",
            name_form=name_form or NameForm(formdata=None, display_name=current_user.display_name),
            password_form=password_form or ChangePasswordForm(formdata=None),
            email_form=email_form or ChangeEmailForm(formdata=None),
            delete_form=delete_form or DeleteAccountForm(formdata=None),
            role_label=role_label,
        ),
        status,
    )


@bp.get("/")
@authenticated
def settings() -> tuple[str, int]:
    """The account page: address, verification, password, e-mail, data and deletion."""
    return _settings()


@bp.post("/verify/resend")
@authenticated
@limiter.limit(configured("VERIFY_RATE_LIMIT"), key_func=account_key)
def resend_verification() -> Response:
    """Send the verification e-mail again."""
    if current_user.email_verified_at is None:
        mailed = account_service.send_verification(
            db.session(),
            current_user,
            _link("accounts.verify"),
            current_app.config["VERIFY_TOKEN_HOURS"],
        )
        if mailed:
            flash(_("We sent the link again. Look in your mailbox (and its spam folder)."))
        else:
            flash(_mail_down())
    return redirect(url_for("accounts.settings"))


def _token_page(purpose: TokenPurpose, token: str, title: str, form: object) -> tuple[str, int]:
    """Render the page a link from an e-mail lands on; 404 when the token is no good."""
    valid = account_service.valid_token(db.session(), token, purpose) is not None
    return (
        render_template("accounts/confirm.html", form=form, valid=valid, title=title),
        200 if valid else 404,
    )


@bp.route("/verify/<token>", methods=["GET", "POST"])
@public
def verify(token: str) -> tuple[str, int] | Response:
    """Confirm an e-mail address (a button, so mail scanners opening the link change nothing)."""
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            user = account_service.verify_email(db.session(), token)
        except UserError as error:
            flash(str(error))
        else:
            # Following the link proves the address: it logs the account in, in this browser.
            logout_user()
            login_user(user)
            flash(_("Thank you: your address is confirmed and your wishes count."))
            # Land on the wish that now counts, with its status, rather than on the map; else
            # where the visitor was going when they registered (their unfinished wish).
            wishes = user_wishes(db.session(), user.id)
            on_premises = [wish.premise_id for wish in wishes if wish.premise_id is not None]
            if on_premises:
                return redirect(url_for("premises.show", premise_id=on_premises[0]))
            if wishes:
                return redirect(url_for("me.index"))
            return redirect(_safe_next(request.args.get("next")))
    return _token_page(TokenPurpose.VERIFY_EMAIL, token, _("Confirm your e-mail address"), form)


@bp.route("/reset", methods=["GET", "POST"])
@public
@limiter.limit(configured("RESET_RATE_LIMIT"), methods=["POST"])
def reset_request() -> str | Response:
    """Ask for a password-reset link; the answer is the same whether the address is known."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        account_service.request_password_reset(
            db.session(),
            form.email.data,
            _link("accounts.reset_password"),
            current_app.config["RESET_TOKEN_MINUTES"],
        )
        flash(_("If an account uses this address, a link to reset its password is on its way."))
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(configured("RESET_RATE_LIMIT"), methods=["POST"])
def reset_password(token: str) -> str | tuple[str, int] | Response:
    """Choose a new password through a reset link; every other session is logged out."""
    form = ResetPasswordForm()
    session = db.session()
    if account_service.valid_token(session, token, TokenPurpose.RESET_PASSWORD) is None:
        return render_template("accounts/reset_password.html", form=form, valid=False), 404
    if form.validate_on_submit():
        try:
            user, proven = account_service.reset_password(session, token, form.password.data)
        except UserError as error:
            form.password.errors.append(str(error))
        else:
            logout_user()
            login_user(user)
            flash(_("Your password is changed; every other session was logged out."))
            if proven:
                flash(
                    _(
                        "Your address is confirmed. Anything this account did before it was "
                        "confirmed (wishes waiting for confirmation, the name shown) was "
                        "discarded, in case someone else registered your address. Choose the "
                        "name shown with your reasons below."
                    )
                )
            return redirect(url_for("accounts.settings"))
    return render_template("accounts/reset_password.html", form=form, valid=True)


@bp.post("/password")
@authenticated
def password() -> tuple[str, int] | Response:
    """Change the password; every other session is logged out, this one stays."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(db.session(), current_user, form.current.data, form.password.data)
        except UserError as error:
            form.current.errors.append(str(error))
        else:
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            login_user(current_user._get_current_object(), remember=remembered in request.cookies)
            flash(_("Your password is changed; every other session was logged out."))
            return redirect(url_for("accounts.settings"))
    return _settings(password_form=form, status=400)


@bp.post("/name")
@authenticated
def name() -> tuple[str, int] | Response:
    """Change the name shown with the resident's reasons."""
    form = NameForm()
    if form.validate_on_submit():
        try:
            change_display_name(db.session(), current_user, form.display_name.data)
        except UserError as error:
            form.display_name.errors.append(str(error))
        else:
            flash(_("Your name is changed."))
            return redirect(url_for("accounts.settings"))
    return _settings(name_form=form, status=400)


@bp.post("/email")
@authenticated
@limiter.limit(configured("VERIFY_RATE_LIMIT"), key_func=account_key)
def email() -> tuple[str, int] | Response:
    """Ask to move the account to a new address: a link is sent there to confirm it."""
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            mailed = account_service.request_email_change(
                db.session(),
                current_user,
                form.email_password.data,
                form.email.data,
                _link("accounts.confirm_email"),
                current_app.config["VERIFY_TOKEN_HOURS"],
            )
        except UserError as error:
            form.email.errors.append(str(error))
        else:
            if mailed:
                flash(_("Follow the link we sent to the new address to start using it."))
            else:
                flash(_mail_down())
            return redirect(url_for("accounts.settings"))
    return _settings(email_form=form, status=400)


@bp.route("/email/<token>", methods=["GET", "POST"])
@public
def confirm_email(token: str) -> tuple[str, int] | Response:
    """Confirm a new e-mail address from the link sent to it."""
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            account_service.confirm_email_change(db.session(), token)
        except UserError as error:
            flash(str(error))
        else:
            flash(_("Your new e-mail address is confirmed."))
            return redirect(url_for("map.index"))
    return _token_page(TokenPurpose.CHANGE_EMAIL, token, _("Confirm your new e-mail address"), form)


@bp.get("/export.json")
@authenticated
def export() -> Response:
    """Download everything stored about the logged-in user, as JSON."""
    data = export_user_data(db.session(), current_user)
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={
            "Content-Disposition": "attachment; filename=wishmap-my-data.json",
            "Cache-Control": "no-store",
        },
    )


@bp.post("/delete")
@authenticated
def delete() -> tuple[str, int] | Response:
    """Delete the account and its personal data; counting wishes stay as anonymous counts."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not current_user.password_hash and not login_fresh():
            # No password to ask for: a session revived by a remember-me cookie is not enough.
            flash(_("Log in again through your identity provider, then delete your account."))
            return redirect(url_for("identity.login", next=url_for("accounts.settings")))
        try:
            delete_account(db.session(), current_user, form.delete_password.data)
        except UserError as error:
            form.delete_password.errors.append(str(error))
        else:
            logout_user()
            flash(_("Your account and personal data are deleted. Thank you for taking part."))
            return redirect(url_for("map.index"))
    return _settings(delete_form=form, status=400)
