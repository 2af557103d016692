"""Following a premise: residents hear by e-mail when it is let or opened or its report changes.

What happens to a premise is kept as dated facts (premise_news): record_outcome adds one in
its own commit, so does a premises import that lets or opens a premise vacant on the map, and
every analysis run adds one per premise whose most wished types changed.
Each follow remembers the newest news it was e-mailed (`told_news_id`), so send_follow_news()
sends only what is new, in the follower's chosen language, and a mail server that is down only
delays it. A resident's page reads the same facts: the latest news beside each wish.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from flask import current_app, has_app_context, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from wishmap.mail import try_send_mail
from wishmap.models import (
    AnalysisRun,
    Premise,
    PremiseFollow,
    PremiseGap,
    PremiseNews,
    PremiseNewsKind,
    PremiseStatus,
    ShopType,
    User,
)

# How many of a premise's most wished types (residents around it) a change of is news.
TOP_TYPES = 3
WHOLE_SITE = ""  # the scope of every follow until campaigns have their own
_SALT = "wishmap-unfollow"


class FollowError(ValueError):
    """The premise cannot be followed; the message says why."""


@dataclass(frozen=True)
class News:
    """One dated fact about a premise, ready to be worded in the reader's language."""

    kind: str  # let, opened or report
    on: date
    shop_type: ShopType | None = None
    top_types: list[ShopType] = field(default_factory=list)


def follow(session: Session, user_id: int, premise_id: int, scope: str = WHOLE_SITE) -> bool:
    """Follow the premise (again is harmless); return True when the follow is new. Commits.

    Only news from now on is e-mailed: what happened before is on the premise's page.
    """
    if session.get(Premise, premise_id) is None:
        raise FollowError(_("Unknown premise."))
    if following(session, user_id, premise_id, scope):
        return False
    newest = session.scalar(
        select(func.max(PremiseNews.id)).where(PremiseNews.premise_id == premise_id)
    )
    session.add(
        PremiseFollow(user_id=user_id, premise_id=premise_id, scope=scope, told_news_id=newest or 0)
    )
    try:
        session.commit()
    except IntegrityError:
        # A double click raced the first one in: the premise is followed all the same.
        session.rollback()
        return False
    return True


def unfollow(session: Session, user_id: int, premise_id: int, scope: str = WHOLE_SITE) -> bool:
    """Stop following the premise; return True when there was a follow. Commits."""
    found = session.scalar(
        select(PremiseFollow).where(
            PremiseFollow.user_id == user_id,
            PremiseFollow.premise_id == premise_id,
            PremiseFollow.scope == scope,
        )
    )
    if found is None:
        return False
    session.delete(found)
    session.commit()
    return True


def following(session: Session, user_id: int, premise_id: int, scope: str = WHOLE_SITE) -> bool:
    """Return True when the user follows the premise."""
    return (
        session.scalar(
            select(PremiseFollow.id).where(
                PremiseFollow.user_id == user_id,
                PremiseFollow.premise_id == premise_id,
                PremiseFollow.scope == scope,
            )
        )
        is not None
    )


def followed_premises(session: Session, user_id: int) -> list[Premise]:
    """Return the premises the user follows, by address."""
    return list(
        session.scalars(
            select(Premise)
            .join(PremiseFollow, PremiseFollow.premise_id == Premise.id)
            .where(PremiseFollow.user_id == user_id)
            .order_by(Premise.address, Premise.id)
        )
    )


def unfollow_token(user_id: int, premise_id: int, scope: str = WHOLE_SITE) -> str:
    """Return the signed token of an e-mail's unfollow link (works without logging in)."""
    return URLSafeSerializer(current_app.secret_key, salt=_SALT).dumps([user_id, premise_id, scope])


def read_unfollow_token(session: Session, token: str) -> tuple[int, Premise] | None:
    """Return the user id and premise an unfollow token names, or None if it is not valid."""
    try:
        user_id, premise_id, scope = URLSafeSerializer(current_app.secret_key, salt=_SALT).loads(
            token
        )
    except (BadSignature, TypeError, ValueError):
        return None
    if not (isinstance(user_id, int) and isinstance(premise_id, int) and scope == WHOLE_SITE):
        return None
    premise = session.get(Premise, premise_id)
    return None if premise is None else (user_id, premise)


def note_outcome(session: Session, premise: Premise, on: date) -> None:
    """Add the news that the premise was let or opened (the caller commits it with the change)."""
    session.add(
        PremiseNews(
            premise_id=premise.id,
            kind=premise.status,
            happened_on=on,
            shop_type_id=premise.opened_shop_type_id,
        )
    )


def count_follows(session: Session, premise_ids: Collection[int]) -> int:
    """Return how many follows these premises have: each gets one e-mail of their news."""
    if not premise_ids:
        return 0
    return (
        session.scalar(
            select(func.count())
            .select_from(PremiseFollow)
            .where(PremiseFollow.premise_id.in_(premise_ids))
        )
        or 0
    )


def note_report_changes(session: Session, run: AnalysisRun) -> int:
    """Add news for every premise whose top types differ in this run from its last report news.

    Compares the stored results (the run's gap rows) with the newest report news per premise,
    so older runs' rows need not be kept. Commits, then queues the followers' e-mails; returns
    how many premises changed.
    """
    ranked = (
        select(
            PremiseGap.premise_id,
            ShopType.code,
            func.row_number()
            .over(
                partition_by=PremiseGap.premise_id,
                # Most wished: by distinct residents around, then wishes, then the gap.
                order_by=(
                    PremiseGap.residents.desc(),
                    PremiseGap.wishes.desc(),
                    PremiseGap.gap.desc(),
                    PremiseGap.shop_type_id,
                ),
            )
            .label("rank"),
        )
        .join(ShopType, ShopType.id == PremiseGap.shop_type_id)
        .join(Premise, Premise.id == PremiseGap.premise_id)
        # A let premise scored by `analyse --include-let` has no report news: it was let.
        .where(PremiseGap.run_id == run.id, Premise.status == PremiseStatus.VACANT.value)
        .subquery()
    )
    now: dict[int, list[str]] = defaultdict(list)
    for premise_id, code, _rank in session.execute(
        select(ranked).where(ranked.c.rank <= TOP_TYPES).order_by(ranked.c.premise_id, "rank")
    ):
        now[premise_id].append(code)
    newest = (
        select(func.max(PremiseNews.id))
        .where(PremiseNews.kind == PremiseNewsKind.REPORT.value)
        .group_by(PremiseNews.premise_id)
    )
    before = dict(
        session.execute(
            select(PremiseNews.premise_id, PremiseNews.top_types).where(PremiseNews.id.in_(newest))
        ).all()
    )
    on = run.started_at.date()
    changed = [
        PremiseNews(
            premise_id=premise_id,
            kind=PremiseNewsKind.REPORT.value,
            happened_on=on,
            top_types=",".join(codes),
        )
        for premise_id, codes in sorted(now.items())
        # The same types in another order is not news: ties swap places from run to run.
        if set(codes) != set((before.get(premise_id) or "").split(",")) - {""}
    ]
    session.add_all(changed)
    session.commit()
    if changed:
        tell_followers()
    return len(changed)


def tell_followers() -> str | None:
    """Queue (or run here, without a queue) the e-mails of new premise news to followers."""
    if not has_app_context():
        return None  # a script without the app: `flask enqueue send-follow-news` sends later
    from wishmap.jobs import enqueue

    return enqueue("send-follow-news")


def _news(row: PremiseNews, types: dict[str, ShopType]) -> News:
    return News(
        kind=row.kind,
        on=row.happened_on,
        shop_type=row.shop_type,
        top_types=[types[code] for code in row.type_codes if code in types],
    )


def _types_by_code(session: Session) -> dict[str, ShopType]:
    return {t.code: t for t in session.scalars(select(ShopType))}


def latest_news(session: Session, premises: list[Premise]) -> dict[int, News]:
    """Return each premise's latest news by premise id (premises without any are left out).

    A premise let before news was kept still has its news: the dates on the premise say it.
    """
    ids = {premise.id for premise in premises}
    if not ids:
        return {}
    newest = (
        select(func.max(PremiseNews.id))
        .where(PremiseNews.premise_id.in_(ids))
        .group_by(PremiseNews.premise_id)
    )
    rows = list(
        session.scalars(
            select(PremiseNews)
            .options(joinedload(PremiseNews.shop_type))
            .where(PremiseNews.id.in_(newest))
        )
    )
    types = _types_by_code(session) if any(row.top_types for row in rows) else {}
    found = {row.premise_id: _news(row, types) for row in rows}
    for premise in premises:
        on = premise.opened_on or premise.let_on
        if premise.id not in found and premise.status != PremiseStatus.VACANT and on:
            found[premise.id] = News(premise.status, on, premise.opened_shop_type)
    return found


def send_follow_news(session: Session, public_url: str, limit: int = 500) -> int:
    """E-mail each follower the news of their premise since the last e-mail; return how many
    e-mails went out. A follow whose e-mail fails keeps its news for the next try. Commits."""
    rows = session.execute(
        select(PremiseFollow, PremiseNews)
        .join(
            PremiseNews,
            and_(
                PremiseNews.premise_id == PremiseFollow.premise_id,
                PremiseNews.id > PremiseFollow.told_news_id,
            ),
        )
        .options(joinedload(PremiseFollow.premise), joinedload(PremiseNews.shop_type))
        .order_by(PremiseFollow.id, PremiseNews.id)
        .limit(limit)
    ).all()
    pending: dict[int, tuple[PremiseFollow, list[PremiseNews]]] = {}
    for follow_row, news in rows:
        pending.setdefault(follow_row.id, (follow_row, []))[1].append(news)
    types = _types_by_code(session) if pending else {}
    base = public_url.rstrip("/")
    sent = 0
    for follow_row, news_rows in pending.values():
        user = session.get(User, follow_row.user_id)
        if user is None:
            continue
        premise = follow_row.premise
        locale = user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
        token = unfollow_token(user.id, premise.id, follow_row.scope)
        with force_locale(locale):
            subject = _("News about %(address)s", address=premise.address)
            body = render_template(
                "premises/news_email.txt",
                user=user,
                premise=premise,
                news=[_news(row, types) for row in news_rows],
                locale=locale,
                premise_url=f"{base}/premises/{premise.id}",
                unfollow_url=f"{base}/premises/unfollow/{token}",
            )
        if not try_send_mail(user.email, subject, body):
            continue
        follow_row.told_news_id = news_rows[-1].id
        sent += 1
    session.commit()
    return sent
