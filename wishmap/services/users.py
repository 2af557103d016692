"""Accounts: creating users and checking passwords."""

from __future__ import annotations

import re
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from wishmap.models import AccountToken, Role, TokenPurpose, User
from wishmap.models._types import utcnow
from wishmap.models.user import new_session_token
from wishmap.services import audit
from wishmap.services.respondents import is_reserved_address

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PASSWORD_METHOD = "scrypt"
MIN_PASSWORD = 10


@cache
def _dummy_hash() -> str:
    # Checked against when the e-mail is unknown, so a wrong address takes as long as a wrong
    # password and the timing does not tell which accounts exist. Computed at the first log-in,
    # not at import: scrypt costs every process ~0.1-0.3 s of CPU, most never log anyone in.
    return generate_password_hash("not-a-password", method=PASSWORD_METHOD)


class UserError(ValueError):
    """A user could not be created or changed; the message says why, for the person."""


def new_user(
    email: str,
    display_name: str,
    password: str | None,
    role: Role | str = Role.RESIDENT,
    verified: bool = False,
) -> User:
    """Return a checked, unsaved user; password None makes a no-login account.

    Whether the address is taken is for the caller to check (add_user does).
    """
    email = email.strip().lower()
    if not EMAIL_PATTERN.match(email):
        raise UserError(f"{email!r} is not an e-mail address")
    if is_reserved_address(email):
        # .invalid addresses stand in for respondents without an account (respondents.py).
        raise UserError(_("This address cannot receive e-mail."))
    try:
        role = Role(role)
    except ValueError:
        raise UserError(f"unknown role {role!r}") from None
    user = User(
        email=email,
        display_name=display_name.strip()[:80] or email.split("@")[0],
        password_hash=hash_password(password) if password else None,
        role=role.value,
    )
    if verified:
        user.email_verified_at = utcnow()
    return user


def add_user(
    session: Session,
    email: str,
    display_name: str,
    password: str | None,
    role: Role | str = Role.RESIDENT,
    verified: bool = False,
) -> User:
    """Add a user to the session (not committed); password None makes a no-login account."""
    user = new_user(email, display_name, password, role, verified)
    if session.scalar(select(func.count()).where(User.email == user.email)):
        raise UserError(f"an account for {user.email} already exists")
    session.add(user)
    return user


def create_account(
    session: Session,
    email: str,
    display_name: str,
    role: Role | str,
    password: str | None = None,
    actor: User | None = None,
) -> User:
    """Create a verified account (whoever creates it vouches for the address); audited with
    actor, None for the command line. Commits, or raises UserError.

    Without a password the account waits for its owner to choose one through a reset link.
    """
    user = add_user(session, email, display_name, password, role, verified=True)
    session.flush()
    audit.record(session, actor, "create_user", "user", user.id, None, {"role": user.role})
    session.commit()
    return user


def set_role(session: Session, email: str, role: str, actor: User | None = None) -> User:
    """Give the account with this e-mail a new role; audited like the admin's roles page (by
    id, not address), actor None for the command line. Commits, or raises UserError."""
    try:
        new_role = Role(role)
    except ValueError:
        raise UserError(
            f"unknown role {role!r}; choose one of {', '.join(r.value for r in Role)}"
        ) from None
    user = user_by_email(session, email)
    if user is None or user.is_respondent:
        raise UserError(f"no account has the address {email.strip().lower()!r}")
    if user.role == new_role.value:
        return user
    before = user.role
    user.role = new_role.value
    audit.record(
        session, actor, "change_role", "user", user.id, {"role": before}, {"role": user.role}
    )
    session.commit()
    return user


def user_by_email(session: Session, email: str) -> User | None:
    """Return the user with this e-mail address (case-insensitive), if any."""
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the user if the password matches their account and its address is confirmed.

    An unconfirmed account answers like a wrong password: otherwise whoever registers an
    address could tell by logging in whether it was new (their password works) or taken (it
    does not). The e-mailed link, or a reset link, confirms the address and logs in.
    """
    user = user_by_email(session, email)
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(), password)
        return None
    matches = check_password_hash(user.password_hash, password)
    return user if matches and user.email_verified_at is not None else None


def hash_password(password: str) -> str:
    """Return the scrypt hash of password, refusing ones too short to resist guessing."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
    return generate_password_hash(password, method=PASSWORD_METHOD)


def password_matches(user: User, password: str) -> bool:
    """Return whether password is the user's current password."""
    return bool(user.password_hash) and check_password_hash(user.password_hash or "", password)


def set_password(user: User, password: str) -> None:
    """Give user a new password and log out every session they have (not committed)."""
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()


def change_display_name(session: Session, user: User, display_name: str) -> None:
    """Give user a new name shown with their reasons; commits, or raises UserError."""
    name = display_name.strip()
    if not name or len(name) > 80:
        raise UserError(_("A name has 1 to 80 characters."))
    user.display_name = name
    session.commit()


def drop_reset_links(session: Session, user: User) -> None:
    """Void every password-reset link of user (not committed): a new password ends them all."""
    session.execute(
        delete(AccountToken).where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == TokenPurpose.RESET_PASSWORD.value,
            AccountToken.used_at.is_(None),
        )
    )


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Change the password after checking the current one; commits, or raises UserError.

    Reset links sent before stop working: whoever read one in the old mailbox cannot use it.
    """
    if not password_matches(user, current):
        raise UserError(_("The current password is wrong."))
    set_password(user, new)
    drop_reset_links(session, user)
    session.commit()


def register(
    session: Session, email: str, display_name: str, password: str, locale: str | None = None
) -> User:
    """Create a resident account with a password; commits, or raises UserError.

    locale is the language the resident registered in: their e-mails speak it from then on,
    whatever language a later request (or the CLI sending them) speaks.
    """
    user = add_user(session, email, display_name, password)
    if locale:
        user.locale = locale
    session.commit()
    return user
