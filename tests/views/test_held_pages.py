"""The admin's queue of held wishes comes a page of whole bursts at a time."""

from __future__ import annotations

from factories import make_premise, make_user, make_wish, shop_type
from flask import Flask
from sqlalchemy.orm import Session
from web import log_in

from wishmap.models import Role
from wishmap.services import holds
from wishmap.services.holds import BURSTS_PER_PAGE, held_page


def _plant_bursts(session: Session, count: int, size: int) -> list[list[int]]:
    """count bursts of size held wishes each (one premise × type per burst), oldest first."""
    bursts = []
    for number in range(count):
        premise = make_premise(session, ref=f"P{number}")
        ids = [make_wish(session, premise=premise, status="held").id for _wish in range(size)]
        holds.record_holds(session, ids, "active", "one-network", f"premise:{premise.id}:type:1")
        session.commit()
        bursts.append(ids)
    return bursts


def test_the_queue_pages_by_whole_bursts_oldest_first(app: Flask, session: Session) -> None:
    shop_type(session)
    planted = _plant_bursts(session, BURSTS_PER_PAGE + 1, 3)

    first, second = held_page(session, 1), held_page(session, 2)

    assert (first.pages, first.total_bursts, first.total_wishes) == (2, 21, 63)
    assert [[wish.id for wish in burst.wishes] for burst in first.bursts] == planted[:20]
    assert [[wish.id for wish in burst.wishes] for burst in second.bursts] == planted[20:]
    assert {burst.rule for burst in first.bursts} == {"one-network"}


def test_the_admin_pages_through_the_held_queue(app: Flask, session: Session) -> None:
    shop_type(session)
    planted = _plant_bursts(session, BURSTS_PER_PAGE + 1, 2)
    admin = log_in(app.test_client(), make_user(session, role=Role.ADMIN))

    page_one = admin.get("/admin/held").get_data(as_text=True)
    page_two = admin.get("/admin/held?page=2").get_data(as_text=True)

    assert page_one.count('class="held-burst"') == 20 and "42 held wishes" in page_one
    assert 'rel="next" href="/admin/held?page=2"' in page_one
    assert page_two.count('class="held-burst"') == 1 and 'rel="prev"' in page_two
    # The last burst, with every one of its wishes, is on page two only.
    last = planted[-1]
    assert all(f'name="burst_wish_id" value="{i}"' in page_two for i in last)
    assert not any(f'name="burst_wish_id" value="{i}"' in page_one for i in last)
    assert admin.get("/admin/held?page=3").status_code == 404
    assert admin.get("/admin/held?page=zero").status_code == 400
