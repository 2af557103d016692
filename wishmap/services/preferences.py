"""A user's preferences: the language of their pages and e-mails."""

from __future__ import annotations

from sqlalchemy.orm import Session

from wishmap.models import User


def set_locale(session: Session, user: User, locale: str) -> None:
    """Remember the user's language, for the e-mails they receive later; commits."""
    if user.locale != locale:
        user.locale = locale
        session.commit()
