"""Reading wishes: a resident's own, the quota's count, how many others share each."""

from __future__ import annotations

from sqlalchemy import BindParameter, Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from wishmap.models import VOICE_STATUSES, Premise, PremiseStatus, Wish, WishStatus


def live_wishes_count(user_id: int | BindParameter[int]) -> Select[tuple[int]]:
    """Return the query counting the user's live wishes (active, pending or held): the quota.

    user_id may be a bind parameter (the wish path's statement is built once). Wishes on a
    premise that has since been let or opened are settled: they free their place.
    """
    return (
        select(func.count())
        .select_from(Wish)
        .outerjoin(Premise, Premise.id == Wish.premise_id)
        .where(
            Wish.user_id == user_id,
            Wish.status.in_([s.value for s in VOICE_STATUSES]),
            or_(Wish.premise_id.is_(None), Premise.status == PremiseStatus.VACANT.value),
        )
    )


def active_wish_count(session: Session, user_id: int) -> int:
    """Return how many live wishes (active, pending or held) the user has: what the quota counts."""
    return session.scalar(live_wishes_count(user_id)) or 0


def others_sharing(session: Session, user_id: int, wishes: list[Wish]) -> dict[int, int]:
    """Return {wish id: how many other residents' active wishes share its premise and type}.

    The same figure the premise's page shows to anyone, per wish: nobody is named.
    """
    premise_ids = {wish.premise_id for wish in wishes if wish.premise_id is not None}
    if not premise_ids:
        return {}
    counts = {
        (premise_id, type_id): n
        for premise_id, type_id, n in session.execute(
            select(Wish.premise_id, Wish.shop_type_id, func.count())
            .where(
                Wish.premise_id.in_(premise_ids),
                Wish.status == WishStatus.ACTIVE.value,
                Wish.user_id != user_id,
            )
            .group_by(Wish.premise_id, Wish.shop_type_id)
        )
    }
    return {
        wish.id: int(counts.get((wish.premise_id, wish.shop_type_id), 0))
        for wish in wishes
        if wish.premise_id is not None
    }


def user_wishes(session: Session, user_id: int) -> list[Wish]:
    """Return the user's wishes that still stand (not withdrawn), newest first."""
    return list(
        session.scalars(
            select(Wish)
            .options(joinedload(Wish.shop_type), joinedload(Wish.premise))
            .where(Wish.user_id == user_id, Wish.status != WishStatus.WITHDRAWN.value)
            .order_by(Wish.created_at.desc(), Wish.id.desc())
        )
    )


def user_types_at(session: Session, user_id: int, premise_id: int) -> dict[int, int]:
    """Return {shop type id: wish id} of the user's live wishes on a premise."""
    rows = session.execute(
        select(Wish.shop_type_id, Wish.id).where(
            Wish.user_id == user_id,
            Wish.premise_id == premise_id,
            Wish.status.in_([s.value for s in VOICE_STATUSES]),
        )
    )
    return {type_id: wish_id for type_id, wish_id in rows}
