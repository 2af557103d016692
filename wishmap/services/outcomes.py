"""Closing the loop: a premise is let or opened, and everyone who wished there hears of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from wishmap import jobs
from wishmap.models import (
    Notification,
    Premise,
    PremiseStatus,
    Role,
    ShopType,
    User,
    Wish,
    WishStatus,
)
from wishmap.services.follows import note_outcome, tell_followers

OUTCOMES = (PremiseStatus.LET.value, PremiseStatus.OPENED.value)


class OutcomeError(ValueError):
    """The outcome could not be recorded; the message says why."""


class OutcomeRefused(OutcomeError):
    """The user does not manage this premise."""


def may_record_outcome(user: User, premise: Premise) -> bool:
    """Return True when user may mark this premise let or opened: its manager or an admin."""
    return user.role == Role.ADMIN.value or (
        premise.manager_id is not None and premise.manager_id == user.id
    )


def date_outcome(premise: Premise, shop_type_id: int | None, on: date) -> None:
    """Date the premise's new status (let or opened) and record the shop type it went to.

    Shared by record_outcome and the premises import, so a premise let through either says
    the same on its page, in the portfolio and on the outcomes page.
    """
    premise.opened_shop_type_id = shop_type_id
    if premise.status == PremiseStatus.LET.value:
        premise.let_on = on
    else:
        premise.opened_on = on
        premise.let_on = premise.let_on or on


def record_outcome(
    session: Session,
    user: User,
    premise_id: int,
    outcome: str,
    shop_type_id: int | None,
    on: date,
    page_url: str = "",
) -> list[Notification]:
    """Mark a vacant premise let or opened and notify each resident who wished there.

    The status change and the notifications are one commit; e-mails go out after it, so a
    mail server that is down never undoes the news on the residents' pages. page_url is the
    address of the residents' own page, quoted in the e-mails.
    """
    premise = session.get(Premise, premise_id)
    if premise is None:
        raise OutcomeError(_("Unknown premise."))
    if not may_record_outcome(user, premise):
        raise OutcomeRefused(_("Only the manager of this premise may record what became of it."))
    if outcome not in OUTCOMES:
        raise OutcomeError(_("The outcome must be “let” or “opened”."))
    if not premise.is_vacant:
        raise OutcomeError(_("This premise is no longer vacant."))
    if shop_type_id is not None and session.get(ShopType, shop_type_id) is None:
        raise OutcomeError(_("Unknown shop type."))
    if outcome == PremiseStatus.OPENED.value and shop_type_id is None:
        raise OutcomeError(_("Say which kind of shop opened."))
    premise.status = outcome
    date_outcome(premise, shop_type_id, on)
    wished: dict[int, bool] = {}
    # Respondents without an account have neither a page nor a mailbox to hear it on.
    for user_id, type_id in session.execute(
        select(Wish.user_id, Wish.shop_type_id)
        .join(User, User.id == Wish.user_id)
        .where(
            Wish.premise_id == premise_id,
            Wish.status == WishStatus.ACTIVE.value,
            User.respondent_key.is_(None),
        )
    ):
        wished[user_id] = wished.get(user_id, False) or (type_id == shop_type_id)
    notifications = [
        Notification(
            user_id=user_id,
            premise_id=premise_id,
            outcome=outcome,
            shop_type_id=shop_type_id,
            came_true=came_true,
        )
        for user_id, came_true in sorted(wished.items())
    ]
    session.add_all(notifications)
    note_outcome(session, premise, on)  # followers hear of it, with the same commit
    session.commit()
    # The e-mails go out from a job (RQ, or in-process after the response): a slow mail
    # server must not keep the manager waiting. The job sends every e-mail still due.
    jobs.enqueue("send-notifications", page_url)
    tell_followers()
    return notifications


@dataclass
class OutcomeRow:
    """One premise that is no longer vacant, as the public outcomes page shows it."""

    premise: Premise
    on: date | None
    came_true: bool  # let or opened for a type residents had wished for there


@dataclass
class OutcomesSoFar:
    """What residents' wishes led to: premises let or opened, and how many matched a wish."""

    let: int
    opened: int
    came_true: int
    recent: list[OutcomeRow]


def outcomes_so_far(session: Session, limit: int = 20) -> OutcomesSoFar:
    """Return the counts of premises let and opened and the most recent ones.

    Only outcomes dated here count (record_outcome, or an import that lets a premise that was
    vacant on the map): a premise imported as already let was never vacant on the map, and
    saying wishes changed it would be untrue.
    Only premises are counted, never people: a premise's fate is public, who wished there is
    not. A premise "came true" when it went to a type someone had wished for there.
    """
    recorded = and_(
        Premise.status.in_(OUTCOMES),
        or_(Premise.let_on.is_not(None), Premise.opened_on.is_not(None)),
    )
    counts = dict(
        session.execute(
            select(Premise.status, func.count()).where(recorded).group_by(Premise.status)
        ).all()
    )
    true_ids = set(
        session.scalars(
            select(Notification.premise_id).where(Notification.came_true.is_(True)).distinct()
        )
    )
    when = func.coalesce(Premise.opened_on, Premise.let_on)
    recent = list(
        session.scalars(
            select(Premise)
            .options(joinedload(Premise.opened_shop_type))
            .where(recorded)
            .order_by(when.desc(), Premise.id.desc())
            .limit(limit)
        )
    )
    return OutcomesSoFar(
        let=int(counts.get(PremiseStatus.LET.value, 0)),
        opened=int(counts.get(PremiseStatus.OPENED.value, 0)),
        came_true=len(true_ids),
        recent=[
            OutcomeRow(premise=p, on=p.opened_on or p.let_on, came_true=p.id in true_ids)
            for p in recent
        ],
    )
