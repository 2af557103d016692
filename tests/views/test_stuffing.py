"""Ballot stuffing from many addresses, through the app: the public count does not move.

Twenty accounts, each from its own address of one network, converge on one premise × type;
twenty genuine residents from unrelated addresses wish for the same over a day.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from factories import make_premise, make_user, shop_type
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.models import Premise, Role, User, Wish
from wishmap.models._types import utcnow
from wishmap.services import wishes as wish_service

BBOX = "2.37,48.87,2.40,48.89"


def _wish_from(app: Flask, user: User, address: str, premise: Premise) -> None:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    log_in(client, user)
    token = csrf_token(client, "/")
    response = client.post(
        "/wishes/", data={"csrf_token": token, "premise": premise.id, "type": "bakery"}
    )
    assert response.status_code == 303


def _public_counts(client: FlaskClient, premise: Premise) -> tuple[int, str]:
    """The badge count on the map's GeoJSON and the total on the premise's page."""
    features = client.get(f"/api/premises.geojson?bbox={BBOX}").get_json()["features"]
    badge = next(f["properties"]["wishes"] for f in features if f["id"] == premise.id)
    page = client.get(f"/premises/{premise.id}").get_data(as_text=True)
    total = page.split("data-total>", 1)[1].split("<", 1)[0]
    return badge, total


def _established(session: Session) -> User:
    month_ago = utcnow() - timedelta(days=30)
    return make_user(session, created_at=month_ago, email_verified_at=month_ago)


@pytest.mark.parametrize(
    "addresses",
    [
        [f"198.51.100.{n}" for n in range(1, 21)],
        [f"2001:db8:5:7:{n:x}::{n}" for n in range(1, 21)],
    ],
    ids=["ipv4-24", "ipv6-64"],
)
def test_twenty_accounts_of_one_network_move_no_public_count(
    app: Flask, session: Session, addresses: list[str]
) -> None:
    premise = make_premise(session)
    shop_type(session)
    visitor = app.test_client()
    assert _public_counts(visitor, premise) == (0, "0")
    stuffers = [_established(session) for _ in addresses]
    for user, address in zip(stuffers, addresses, strict=True):
        _wish_from(app, user, address, premise)
    # Before the network rule, every one of them counted at once: 20.
    assert _public_counts(visitor, premise) == (0, "0")
    session.expire_all()
    held = session.scalars(select(Wish.id).where(Wish.status == "held")).all()
    assert len(held) == 20

    admin = log_in(app.test_client(), make_user(session, role=Role.ADMIN))
    released = admin.post(
        "/admin/held",
        data={
            "csrf_token": csrf_token(admin),
            "decision": "release",
            "wish_id": [str(wish_id) for wish_id in held],
        },
    )
    assert released.status_code == 302
    assert _public_counts(visitor, premise) == (20, "20")


def test_twenty_genuine_residents_over_a_day_are_not_held(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    premise = make_premise(session)
    shop_type(session)
    start = utcnow() - timedelta(days=1)
    clock: list[datetime] = [start]
    monkeypatch.setattr(wish_service, "utcnow", lambda: clock[0])
    for number in range(20):
        clock[0] = start + timedelta(minutes=70 * number)
        # Each registered and confirmed minutes before wishing: all of them are new accounts.
        joined = clock[0] - timedelta(minutes=10)
        resident = make_user(session, created_at=joined, email_verified_at=joined)
        _wish_from(app, resident, f"{10 + number}.{number * 7}.{number * 3}.{number + 1}", premise)
    monkeypatch.undo()
    session.expire_all()
    assert set(session.scalars(select(Wish.status))) == {"active"}
    assert _public_counts(app.test_client(), premise) == (20, "20")


def test_a_household_wishing_for_different_things_is_not_held(app: Flask, session: Session) -> None:
    premises = [make_premise(session) for _ in range(3)]
    codes = ["bakery", "books", "cheese", "butcher", "florist", "greengrocer"]
    for code in codes:
        shop_type(session, code)
    for index, code in enumerate(codes):
        resident = _established(session)
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
        log_in(client, resident)
        client.post(
            "/wishes/",
            data={
                "csrf_token": csrf_token(client, "/"),
                "premise": premises[index % 3].id,
                "type": code,
            },
        )
    session.expire_all()
    assert list(session.scalars(select(Wish.status))) == ["active"] * 6


def test_twelve_fresh_accounts_from_unrelated_addresses_at_once_are_held(
    app: Flask, session: Session
) -> None:
    premise = make_premise(session)
    shop_type(session)
    for number in range(12):
        newcomer = make_user(session)  # registered and confirmed just now
        _wish_from(app, newcomer, f"{20 + number}.{number}.1.{number + 1}", premise)
    # Before the fresh-accounts rule: 12, all active.
    assert _public_counts(app.test_client(), premise) == (0, "0")
