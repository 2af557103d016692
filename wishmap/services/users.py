"""Accounts: creating users and checking passwords."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from wishmap.models import Role, User
from wishmap.models._types import utcnow

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class UserError(ValueError):
    """A user could not be created or changed; the message says why, for the person."""


def add_user(
    session: Session,
    email: str,
    display_name: str,
    password: str | None,
    role: Role | str = Role.RESIDENT,
    verified: bool = False,
) -> User:
    """Add a user to the session (not committed); password None makes a no-login account."""
    email = email.strip().lower()
    if not EMAIL_PATTERN.match(email):
        raise UserError(f"{email!r} is not an e-mail address")
    try:
        role = Role(role)
    except ValueError:
        raise UserError(f"unknown role {role!r}") from None
    if session.scalar(select(func.count()).where(User.email == email)):
        raise UserError(f"an account for {email} already exists")
    user = User(
        email=email,
        display_name=display_name.strip()[:80] or email.split("@")[0],
        password_hash=generate_password_hash(password) if password else None,
        role=role.value,
    )
    if verified:
        user.email_verified_at = utcnow()
    session.add(user)
    return user


def user_by_email(session: Session, email: str) -> User | None:
    """Return the user with this e-mail address (case-insensitive), if any."""
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the user if the password matches their account, else None."""
    user = user_by_email(session, email)
    if user is None or not user.password_hash:
        return None
    return user if check_password_hash(user.password_hash, password) else None


def register(session: Session, email: str, display_name: str, password: str) -> User:
    """Create a resident account with a password; commits, or raises UserError."""
    user = add_user(session, email, display_name, password)
    session.commit()
    return user
