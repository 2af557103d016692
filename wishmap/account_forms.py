"""Flask-WTF forms of accounts, moderation and claims: every one carries a CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from wishmap.admin_vocabulary import ROLE_LABELS
from wishmap.models import Role
from wishmap.services.moderation import REPORT_MAX
from wishmap.services.users import MIN_PASSWORD


def _new_password() -> list[object]:
    return [DataRequired(), Length(min=MIN_PASSWORD, max=200)]


class ConfirmForm(FlaskForm):
    """A button confirming what a link in an e-mail asks (links alone change nothing)."""


class NameForm(FlaskForm):
    display_name = StringField(
        _l("Name shown with your reasons"), validators=[DataRequired(), Length(max=80)]
    )


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=_new_password())
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", _l("Passwords differ"))],
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=_new_password())
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", _l("Passwords differ"))],
    )


class ChangeEmailForm(FlaskForm):
    email = EmailField(
        _l("New e-mail address"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    email_password = PasswordField(_l("Current password"), validators=[DataRequired()])


class DeleteAccountForm(FlaskForm):
    # Optional here: an account made through the city's identity provider has no password
    # (the service checks it for every account that has one).
    delete_password = PasswordField(_l("Current password"), validators=[Optional()])
    understood = BooleanField(
        _l("I understand that my account and personal data are erased for good"),
        validators=[DataRequired()],
    )


class ReportForm(FlaskForm):
    reason = TextAreaField(
        _l("What is wrong with this wish?"), validators=[DataRequired(), Length(max=REPORT_MAX)]
    )


class ClaimForm(FlaskForm):
    premise_ref = StringField(
        _l("Reference of the premise"), validators=[DataRequired(), Length(max=64)]
    )


class RoleForm(FlaskForm):
    email = EmailField(_l("E-mail of the account"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(
        _l("New role"), choices=[SelectChoice(role.value, ROLE_LABELS[role.value]) for role in Role]
    )
