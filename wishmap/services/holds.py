"""Held wishes: why each was held, the bursts they came in, and telling their residents.

The burst rules (services/integrity.py) write one audit entry per wish they hold (actor role
"rule", after = {"status": "held", "rule": …, "burst": …}); this module reads them back, so the
admin's queue groups wishes by burst and names the rule, and a resident learns why.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from wishmap import jobs
from wishmap.mail import try_send_mail
from wishmap.models import AuditEntry, User, Wish, WishStatus
from wishmap.services import audit

HOLD_ACTION = "hold_wish"


def rule_text(rule: str | None) -> str:
    """Return, in the current language, what the burst rule named `rule` saw."""
    texts = {
        "new-account": _("Many wishes from a new account within an hour."),
        "one-network": _(
            "Several accounts from one network wished for the same shop type at the same place."
        ),
        "fresh-accounts": _(
            "Many new accounts wished for the same shop type at the same place within an hour."
        ),
    }
    return texts.get(rule or "", _("Wishes that came in a burst."))


def record_holds(
    session: Session, wish_ids: Iterable[int], before: str | None, rule: str, burst: str
) -> None:
    """Write the audit entry of each wish a burst rule holds (committed with the hold)."""
    for wish_id in wish_ids:
        audit.record(
            session,
            None,
            HOLD_ACTION,
            "wish",
            wish_id,
            {"status": before},
            {"status": WishStatus.HELD.value, "rule": rule, "burst": burst},
            actor_role=audit.BURST_RULE,
        )


def hold_reasons(session: Session, wish_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Return {wish id: (rule, burst)} of the latest hold of each of these wishes."""
    ids = list(wish_ids)
    if not ids:
        return {}
    reasons: dict[int, tuple[str, str]] = {}
    rows = session.execute(
        select(AuditEntry.target_id, AuditEntry.after)
        .where(AuditEntry.action == HOLD_ACTION, AuditEntry.target_type == "wish")
        .where(AuditEntry.target_id.in_(ids))
        .order_by(AuditEntry.id)
    )
    for wish_id, after in rows:
        values = json.loads(after or "{}")
        reasons[wish_id] = (str(values.get("rule", "")), str(values.get("burst", "")))
    return reasons


@dataclass
class Burst:
    """Held wishes that one rule held together (one target, or one new account)."""

    rule: str
    key: str
    wishes: list[Wish] = field(default_factory=list)

    @property
    def text(self) -> str:
        return rule_text(self.rule)


def held_bursts(session: Session) -> list[Burst]:
    """Return every held wish grouped by the burst that held it, oldest burst first."""
    page = held_page(session, 1, per_page=None)
    return page.bursts


BURSTS_PER_PAGE = 20
CHUNK = 500


@dataclass
class HeldPage:
    """One page of the admin's queue of held wishes: whole bursts, oldest first."""

    bursts: list[Burst]
    page: int
    pages: int
    total_bursts: int
    total_wishes: int


def _burst_keys(session: Session) -> dict[tuple[str, str], list[int]]:
    """Return {(rule, burst): held wish ids} over every held wish, oldest burst first.

    Ids and the hold's audit entry only, no whole rows: the queue can grow with the data.
    """
    rows = session.execute(
        select(Wish.id, AuditEntry.after)
        .outerjoin(
            AuditEntry,
            (AuditEntry.target_id == Wish.id)
            & (AuditEntry.target_type == "wish")
            & (AuditEntry.action == HOLD_ACTION),
        )
        .where(Wish.status == WishStatus.HELD.value)
        .order_by(Wish.created_at, Wish.id, AuditEntry.id)
    )
    latest: dict[int, str | None] = {}
    for wish_id, after in rows:
        latest[wish_id] = after  # the latest hold of each wish comes last
    bursts: dict[tuple[str, str], list[int]] = {}
    for wish_id, after in latest.items():
        values = json.loads(after or "{}")
        # Held before the reasons were recorded: one burst of its own.
        key = (str(values.get("rule", "")), str(values.get("burst") or f"wish:{wish_id}"))
        bursts.setdefault(key, []).append(wish_id)
    return bursts


def held_page(session: Session, page: int = 1, per_page: int | None = BURSTS_PER_PAGE) -> HeldPage:
    """Return a page of held wishes grouped by burst (a burst is never split between pages)."""
    keys = _burst_keys(session)
    total_wishes = sum(len(ids) for ids in keys.values())
    size = per_page or max(len(keys), 1)
    pages = max(1, -(-len(keys) // size))
    chosen = list(keys.items())[(page - 1) * size : page * size]
    ids = [wish_id for _key, wish_ids in chosen for wish_id in wish_ids]
    wishes: dict[int, Wish] = {}
    for start in range(0, len(ids), CHUNK):
        for wish in session.scalars(
            select(Wish)
            .options(joinedload(Wish.shop_type), joinedload(Wish.premise), joinedload(Wish.user))
            .where(Wish.id.in_(ids[start : start + CHUNK]))
        ):
            wishes[wish.id] = wish
    bursts = [
        Burst(rule, key, [wishes[i] for i in wish_ids if i in wishes])
        for (rule, key), wish_ids in chosen
    ]
    return HeldPage(bursts, page, pages, len(keys), total_wishes)


def tell_held(session: Session, wish_ids: Iterable[int]) -> str | None:
    """Hand the e-mails to the residents whose counting wishes were just held to a job (RQ, or
    in-process after the response); call after the commit. Return the job's id, or None when
    nobody is to be told. The job reads the wishes in a session of its own: this one is unused.
    """
    del session
    ids = sorted(set(wish_ids))
    if not ids:
        return None
    return jobs.enqueue("tell-held", ids)


def mail_held(session: Session, wish_ids: Iterable[int]) -> int:
    """E-mail each resident whose counting wishes were just held, in their language, with the
    rule and what happens next; return how many were told (a mail failure is logged only: the
    resident's page says it too). The job of tell_held()."""
    ids = list(wish_ids)
    if not ids:
        return 0
    reasons = hold_reasons(session, ids)
    by_user: dict[int, list[Wish]] = {}
    for wish in session.scalars(
        select(Wish)
        .options(joinedload(Wish.shop_type), joinedload(Wish.premise))
        .where(Wish.id.in_(ids), Wish.status == WishStatus.HELD.value)
    ):
        if wish.user_id is not None:
            by_user.setdefault(wish.user_id, []).append(wish)
    told = 0
    for user_id, wishes in by_user.items():
        user = session.get(User, user_id)
        if user is None or user.is_respondent:
            continue
        locale = user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
        with force_locale(locale):
            lines = "\n".join(
                "* "
                + (wish.premise.address if wish.premise else _("a free point"))
                + " — "
                + wish.shop_type.label(locale[:2])
                + ": "
                + rule_text(reasons.get(wish.id, ("", ""))[0])
                for wish in wishes
            )
            subject = _("Your wish on Wishmap is held for review")
            body = _(
                "Hello %(name)s,\n\nthe following wishes of yours counted until now and are "
                "held for review, because they came at the same time as a burst of wishes "
                "that looks like ballot stuffing:\n%(lines)s\n\nYou need do nothing. An "
                "administrator looks at every held wish; if yours is released it counts again. "
                "You see its state on your wishes page.",
                name=user.display_name,
                lines=lines,
            )
        if try_send_mail(user.email, subject, body):
            told += 1
    return told
