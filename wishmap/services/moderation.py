"""Moderation: residents report wishes, admins hide or restore them and release held ones."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from wishmap.models import Report, ReportStatus, Role, User, Wish, WishStatus
from wishmap.models._types import utcnow
from wishmap.services import audit, verification
from wishmap.services.users import user_by_email

REPORT_MAX = 500


class ModerationError(ValueError):
    """A moderation step was refused; the message says why."""


class NotFound(ModerationError):
    """The wish or report does not exist (or is not reportable)."""


def report_wish(session: Session, reporter: User, wish_id: int, reason: str) -> Report:
    """File a report that a wish's text is abusive; commits, or raises ModerationError."""
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError(_("Say what is wrong with this wish."))
    if len(reason) > REPORT_MAX:
        raise ModerationError(_("At most %(max)d characters fit.", max=REPORT_MAX))
    wish = session.get(Wish, wish_id)
    if wish is None or wish.status != WishStatus.ACTIVE:
        raise NotFound(_("There is no such wish."))
    already = session.scalar(
        select(func.count()).where(
            Report.wish_id == wish_id,
            Report.reporter_id == reporter.id,
            Report.status == ReportStatus.OPEN.value,
        )
    )
    if already:
        raise ModerationError(_("You have already reported this wish; a moderator will look."))
    report = Report(wish_id=wish_id, reporter_id=reporter.id, reason=reason)
    session.add(report)
    session.commit()
    return report


def reportable_wish(session: Session, wish_id: int) -> Wish:
    """Return the active wish a resident may report, or raise NotFound."""
    wish = session.get(Wish, wish_id)
    if wish is None or wish.status != WishStatus.ACTIVE:
        raise NotFound(_("There is no such wish."))
    return wish


def open_reports(session: Session, limit: int | None = None) -> list[Report]:
    """Return the moderation queue: open reports, oldest first, with their wishes; limit caps it."""
    return list(
        session.scalars(
            select(Report)
            .options(joinedload(Report.wish).joinedload(Wish.shop_type))
            .where(Report.status == ReportStatus.OPEN.value)
            .order_by(Report.created_at, Report.id)
            .limit(limit)
        )
    )


def open_report_count(session: Session) -> int:
    """Return how many reports wait in the moderation queue."""
    query = select(func.count()).select_from(Report).where(Report.status == ReportStatus.OPEN.value)
    return session.scalar(query) or 0


def held_wishes(session: Session) -> list[Wish]:
    """Return the wishes held by the burst rule, oldest first."""
    return list(
        session.scalars(
            select(Wish)
            .options(joinedload(Wish.shop_type), joinedload(Wish.premise))
            .where(Wish.status == WishStatus.HELD.value)
            .order_by(Wish.created_at, Wish.id)
        )
    )


def hidden_wishes(session: Session, limit: int = 100) -> list[Wish]:
    """Return the most recently created hidden wishes (to restore one hidden by mistake)."""
    return list(
        session.scalars(
            select(Wish)
            .options(joinedload(Wish.shop_type))
            .where(Wish.status == WishStatus.HIDDEN.value)
            .order_by(Wish.created_at.desc())
            .limit(limit)
        )
    )


def _wish(session: Session, wish_id: int) -> Wish:
    wish = session.get(Wish, wish_id)
    if wish is None:
        raise NotFound(_("There is no such wish."))
    return wish


def _close_reports(session: Session, wish_id: int, status: ReportStatus) -> None:
    for report in session.scalars(
        select(Report).where(Report.wish_id == wish_id, Report.status == ReportStatus.OPEN.value)
    ):
        report.status, report.closed_at = status.value, utcnow()


def _set_status(session: Session, admin: User, wish: Wish, status: WishStatus, action: str) -> None:
    before = wish.status
    wish.status = status.value
    audit.record(session, admin, action, "wish", wish.id, {"status": before}, {"status": status})
    try:
        session.commit()
    except IntegrityError:
        # Restoring a wish whose resident has since wished the same again would be two voices.
        session.rollback()
        raise ModerationError(
            _("The resident has wished for this again since; this one cannot come back.")
        ) from None


def hide_wish(session: Session, admin: User, wish_id: int) -> Wish:
    """Hide a wish (it stops counting) and resolve its open reports; audited, commits."""
    wish = _wish(session, wish_id)
    if wish.status == WishStatus.HIDDEN:
        raise ModerationError(_("This wish is already hidden."))
    _close_reports(session, wish.id, ReportStatus.RESOLVED)
    _set_status(session, admin, wish, WishStatus.HIDDEN, "hide_wish")
    return wish


def restore_wish(session: Session, admin: User, wish_id: int) -> Wish:
    """Bring a hidden wish back (active, or pending if its resident is unverified); audited."""
    wish = _wish(session, wish_id)
    if wish.status != WishStatus.HIDDEN:
        raise ModerationError(_("Only a hidden wish can be restored."))
    verified = wish.user is None or verification.meets_minimum(
        session, wish.user, verification.counting_settings()
    )
    status = WishStatus.ACTIVE if verified else WishStatus.PENDING
    _set_status(session, admin, wish, status, "restore_wish")
    return wish


def _decide_held(
    session: Session, admin: User, wish_ids: Iterable[int], status: WishStatus, action: str
) -> int:
    """Move held wishes to status, one audit entry per wish; return how many. Commits."""
    wishes = session.scalars(
        select(Wish).where(Wish.id.in_(list(wish_ids)), Wish.status == WishStatus.HELD.value)
    ).all()
    for wish in wishes:
        wish.status = status.value
        audit.record(
            session, admin, action, "wish", wish.id, {"status": "held"}, {"status": status.value}
        )
    session.commit()
    return len(wishes)


def release_wishes(session: Session, admin: User, wish_ids: Iterable[int]) -> int:
    """Let held wishes count (active); audited one entry per wish; returns how many. Commits."""
    return _decide_held(session, admin, wish_ids, WishStatus.ACTIVE, "release_wish")


def reject_held(session: Session, admin: User, wish_ids: Iterable[int]) -> int:
    """Hide held wishes judged to be ballot stuffing; audited; returns how many. Commits."""
    return _decide_held(session, admin, wish_ids, WishStatus.HIDDEN, "reject_wish")


def dismiss_report(session: Session, admin: User, report_id: int) -> Report:
    """Close a report without acting on its wish; audited, commits."""
    report = session.get(Report, report_id)
    if report is None or report.status != ReportStatus.OPEN:
        raise NotFound(_("There is no such open report."))
    report.status, report.closed_at = ReportStatus.DISMISSED.value, utcnow()
    audit.record(
        session,
        admin,
        "dismiss_report",
        "report",
        report.id,
        {"status": "open"},
        {"status": "dismissed"},
    )
    session.commit()
    return report


def change_role(session: Session, admin: User, email: str, role: str) -> User:
    """Give the account with this e-mail a new role; audited (by id, not address). Commits."""
    try:
        new_role = Role(role)
    except ValueError:
        raise ModerationError(_("Unknown role.")) from None
    user = user_by_email(session, email)
    # A respondent without an account (an imported survey form) has no log-in to give a role to.
    if user is None or user.is_respondent:
        raise NotFound(_("No account has this e-mail address."))
    if user.id == admin.id:
        raise ModerationError(_("You cannot change your own role."))
    before = user.role
    user.role = new_role.value
    audit.record(session, admin, "change_role", "user", user.id, {"role": before}, {"role": role})
    session.commit()
    return user
