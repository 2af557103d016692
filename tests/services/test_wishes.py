"""Wishes: one person, one voice per premise and shop type, held by the database itself."""

from __future__ import annotations

import pytest
from factories import make_premise, make_street, make_user, make_wish, shop_type
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wishmap.models import Wish, WishDistrict
from wishmap.services import statistics_aggregates as live
from wishmap.services.districts import import_districts
from wishmap.services.importing import Record
from wishmap.services.wishes import WishError, active_wish_count, create_wish


def test_database_refuses_a_second_active_voice(session: Session) -> None:
    user, premise = make_user(session), make_premise(session)
    make_wish(session, user, premise)
    with pytest.raises(IntegrityError):
        make_wish(session, user, premise)
    session.rollback()
    # A withdrawn wish frees the voice; another type or another resident is a new voice.
    make_wish(session, user, premise, status="withdrawn")
    make_wish(session, user, premise, code="cheese")
    make_wish(session, make_user(session), premise)


def test_create_wish_on_premise_and_free_point(session: Session) -> None:
    street = make_street(session, "Rue de Test")
    user, premise = make_user(session), make_premise(session, street_id=street.id)
    bakery = shop_type(session, "bakery")
    wish = create_wish(
        session, user, bakery.id, premise_id=premise.id, reason=" Du bon pain ", frequency="weekly"
    )
    assert (wish.lat, wish.street_id, wish.reason) == (premise.lat, street.id, "Du bon pain")
    free = create_wish(session, user, bakery.id, point=(48.8802, 2.3851))
    assert free.premise_id is None and free.street_id == street.id
    with pytest.raises(WishError, match="already wish for this shop type here"):
        create_wish(session, user, bakery.id, premise_id=premise.id)
    assert active_wish_count(session, user.id) == 2


def test_create_wish_refusals(session: Session) -> None:
    user = make_user(session)
    let = make_premise(session, status="let")
    bakery = shop_type(session, "bakery").id
    with pytest.raises(WishError, match="no longer vacant"):
        create_wish(session, user, bakery, premise_id=let.id)
    with pytest.raises(WishError, match="at most 500 fit"):
        create_wish(session, user, bakery, point=(48.88, 2.38), reason="x" * 501)
    with pytest.raises(WishError, match="frequency must be one of"):
        create_wish(session, user, bakery, point=(48.88, 2.38), frequency="daily")
    with pytest.raises(WishError, match="needs a premise or a point"):
        create_wish(session, user, bakery)
    for index in range(3):
        create_wish(session, user, bakery, point=(48.88 + index / 1000, 2.38), quota=3)
    with pytest.raises(WishError, match="already have 3 active wishes"):
        create_wish(session, user, bakery, point=(48.89, 2.38), quota=3)
    assert active_wish_count(session, user.id) == 3


def _square(west: float, south: float, east: float, north: float) -> dict:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_wishes_made_in_districts_count_once_there_as_a_rebuild_says(session: Session) -> None:
    # create_wish writes an active wish with districts as pending, gives it its districts, then
    # makes it active: the statistics must equal a rebuild, per district, as with any order.
    for level, halves in {"arrondissement": 1, "quartier": 2}.items():
        records = [
            Record(f"f{n}", {"ref": f"{n}", "name": f"{level} {n}"}, _square(*box))
            for n, box in enumerate(
                [(2.30, 48.80, 2.45, 48.95)]
                if halves == 1
                else [(2.30, 48.80, 2.385, 48.95), (2.385, 48.80, 2.45, 48.95)]
            )
        ]
        import_districts(session, records, level=level, name_field="name", ref_field="ref")
    west, east = make_premise(session, lon=2.3850 - 0.001), make_premise(session, lon=2.3900)
    unverified = make_user(session, email_verified_at=None)
    residents = [make_user(session) for _ in range(3)]
    bakery, cheese = shop_type(session, "bakery"), shop_type(session, "cheese")
    made = [
        create_wish(session, resident, kind.id, premise_id=premise.id)
        for resident in residents
        for premise in (west, east)
        for kind in (bakery, cheese)
    ]
    made.append(create_wish(session, residents[0], bakery.id, point=(48.88, 2.40)))
    pending = create_wish(session, unverified, bakery.id, premise_id=west.id)
    assert {wish.status for wish in made} == {"active"} and pending.status == "pending"
    stored = dict(session.execute(select(Wish.id, Wish.status)).all())
    assert all(stored[wish.id] == "active" for wish in made)
    districts = session.execute(
        select(WishDistrict.level, func.count()).group_by(WishDistrict.level)
    ).all()
    assert sorted(districts) == [("arrondissement", 14), ("quartier", 14)]
    incremental = live.snapshot(session)
    live.rebuild(session)
    assert live.snapshot(session) == incremental
