"""The wish write path's SQL, built once per process.

A launch evening is hundreds of wishes a second: building and compiling the same statements for
every wish cost more CPU than the database spent running them (bench/wish_profile.py), so the
path runs these prebuilt statements with bind parameters on the session's connection.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, select, update

from wishmap.models import Premise, ShopType, Wish, WishStatus
from wishmap.models.wish_district import WishDistrict
from wishmap.services import integrity
from wishmap.services.wishes.queries import live_wishes_count

_type_known = select(func.count()).where(ShopType.id == bindparam("tid")).scalar_subquery()

# The premise's place and status, and whether the shop type exists, in one round trip.
PLACE = select(
    Premise.status, Premise.lat, Premise.lon, Premise.street_id, _type_known.label("type_known")
).where(Premise.id == bindparam("pid"))
TYPE_KNOWN = select(_type_known.label("type_known"))

INSERT_WISH = insert(Wish.__table__).returning(Wish.__table__.c.id)
INSERT_DISTRICTS = insert(WishDistrict.__table__)
_wishes = Wish.__table__
ACTIVATE = (
    update(_wishes)
    .where(_wishes.c.id == bindparam("wish_id"))
    .values(status=WishStatus.ACTIVE.value)
)


@functools.cache
def judge_counts(asked: integrity.CountsAsked | None, supporting: bool) -> Select[Any]:
    """Return the one statement counting the quota, the support and the bursts of a new wish.

    asked: the burst counts that apply (None while the resident's wishes wait as pending).
    """
    columns: dict[str, Any] = {"used": live_wishes_count(bindparam("uid")).scalar_subquery()}
    if supporting:
        columns["wished"] = (
            select(func.count())
            .where(
                Wish.premise_id == bindparam("pid"),
                Wish.shop_type_id == bindparam("tid"),
                Wish.status == WishStatus.ACTIVE.value,
            )
            .scalar_subquery()
        )
    if asked is not None:
        columns.update(integrity.burst_columns(asked))
    return select(*[query.label(name) for name, query in columns.items()])
