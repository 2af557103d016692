"""Notifications: news for residents about premises they wished on, on their page and by mail."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from wishmap.mail import try_send_mail
from wishmap.models import Notification, User
from wishmap.models._types import utcnow


def user_notifications(session: Session, user_id: int, limit: int = 50) -> list[Notification]:
    """Return the user's notifications, newest first."""
    return list(
        session.scalars(
            select(Notification)
            .options(joinedload(Notification.premise), joinedload(Notification.shop_type))
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(session: Session, user_id: int) -> int:
    """Return how many of the user's notifications are unread."""
    return (
        session.scalar(
            select(func.count()).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def mark_all_read(session: Session, user_id: int) -> None:
    """Mark every notification of the user read; commits."""
    session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    session.commit()


def email_notifications(
    session: Session, notifications: list[Notification], page_url: str = ""
) -> int:
    """E-mail each notification to its resident in their language; return how many were sent.

    Each one sent is marked `emailed_at` (committed); a failing mail server is logged, not
    raised — the news is already on the resident's page, and send_pending_notifications()
    tries the rest again later.
    """
    sent = 0
    for notification in notifications:
        user = session.get(User, notification.user_id)
        if user is None:
            continue
        locale = user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
        with force_locale(locale):
            subject = (
                _("Your wish came true at %(address)s", address=notification.premise.address)
                if notification.came_true
                else _("News about %(address)s", address=notification.premise.address)
            )
            body = render_template(
                "me/outcome_email.txt",
                notification=notification,
                user=user,
                locale=locale,
                page_url=page_url,
            )
        if not try_send_mail(user.email, subject, body):
            continue
        notification.emailed_at = utcnow()
        sent += 1
    session.commit()
    return sent


def send_pending_notifications(session: Session, page_url: str = "", limit: int = 500) -> int:
    """E-mail the notifications whose e-mail has not gone out yet, oldest first; return sent."""
    pending = list(
        session.scalars(
            select(Notification)
            .options(joinedload(Notification.premise), joinedload(Notification.shop_type))
            .where(Notification.emailed_at.is_(None))
            .order_by(Notification.id)
            .limit(limit)
        )
    )
    return email_notifications(session, pending, page_url)
