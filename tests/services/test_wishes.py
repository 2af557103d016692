"""Wishes: one person, one voice per premise and shop type, held by the database itself."""

from __future__ import annotations

import pytest
from factories import make_premise, make_street, make_user, make_wish, shop_type
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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
