"""Fair counting: bursts are held, count nowhere, and count once an admin releases them."""

from __future__ import annotations

from datetime import timedelta

from factories import make_premise, make_user, shop_type
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.models import AuditEntry, Premise, Role, User, Wish, WishOrigin, WishStatus
from wishmap.models._types import utcnow
from wishmap.services.accounts import TokenPurpose, issue_token, verify_email
from wishmap.services.integrity import burst_rule, forget_expired_origins
from wishmap.services.premises import premise_demand, premises_with_demand
from wishmap.services.wishes import create_wish

CODES = ["bakery", "books", "cheese", "butcher", "florist", "greengrocer", "pharmacy"]


def _counts(session: Session, premises: list[Premise]) -> list[object]:
    """Every public figure about these premises: list counts and per-type demand."""
    session.expire_all()
    listed = {premise.id: count for premise, count in premises_with_demand(session)}
    return [
        (
            listed.get(premise.id),
            premise_demand(session, premise.id).total,
            dict((t.code, n) for t, n in premise_demand(session, premise.id).types),
        )
        for premise in premises
    ]


def _old(session: Session, **fields: object) -> User:
    """An established account: made and verified a month ago."""
    month_ago = utcnow() - timedelta(days=30)
    return make_user(session, created_at=month_ago, email_verified_at=month_ago, **fields)


def test_held_burst_changes_no_public_count_until_released(app: Flask, session: Session) -> None:
    premises = [make_premise(session) for _ in range(2)]
    neighbour = _old(session)
    create_wish(session, neighbour, shop_type(session, "bakery").id, premise_id=premises[0].id)
    before = _counts(session, premises)
    newcomer = make_user(session)  # verified, created just now
    burst = [
        create_wish(
            session,
            newcomer,
            shop_type(session, code).id,
            premise_id=premises[index % 2].id,
            client_ip="203.0.113.7",
        )
        for index, code in enumerate(CODES[:6])
    ]
    # Five wishes in an hour are fine; the sixth makes a burst and the whole burst is held.
    session.expire_all()
    assert {session.get(Wish, wish.id).status for wish in burst} == {WishStatus.HELD}
    assert _counts(session, premises) == before

    admin = make_user(session, role=Role.ADMIN)
    client = log_in(app.test_client(), admin)
    page = client.get("/admin/held").get_data(as_text=True)
    assert page.count('name="wish_id"') == 6
    assert newcomer.email not in page and "203.0.113.7" not in page
    response = client.post(
        "/admin/held",
        data={
            "csrf_token": csrf_token(client),
            "decision": "release",
            "wish_id": [str(wish.id) for wish in burst],
        },
    )
    assert response.status_code == 302
    after = _counts(session, premises)
    assert after[0][1] == before[0][1] + 3 and after[1][1] == before[1][1] + 3
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "release_wish")).all()
    assert len(entries) == 6 and {entry.actor_id for entry in entries} == {admin.id}
    assert entries[0].before == '{"status": "held"}' and entries[0].after == '{"status": "active"}'


def test_many_accounts_on_one_address_are_held_others_are_not(session: Session) -> None:
    premise = make_premise(session)
    bakery = shop_type(session, "bakery").id
    same_address = [_old(session) for _ in range(5)]
    wishes = [
        create_wish(session, user, bakery, premise_id=premise.id, client_ip="198.51.100.1")
        for user in same_address
    ]
    # Another network (198.51.100.0/24 is one network, 192.0.2.0/24 another) is not held.
    elsewhere = create_wish(
        session, _old(session), bakery, premise_id=premise.id, client_ip="192.0.2.1"
    )
    session.expire_all()
    assert [session.get(Wish, wish.id).status for wish in wishes] == ["held"] * 5
    assert session.get(Wish, elsewhere.id).status == "active"
    assert premise_demand(session, premise.id).total == 1
    # The address itself is never stored, only its network's keyed hash.
    networks = session.scalars(select(WishOrigin.network)).all()
    assert len(set(networks)) == 2 and all("198.51" not in value for value in networks)


def test_an_established_account_may_wish_often(session: Session) -> None:
    user = _old(session)
    premise = make_premise(session)
    statuses = {
        create_wish(session, user, shop_type(session, code).id, premise_id=premise.id).status
        for code in CODES
    }
    assert statuses == {WishStatus.ACTIVE}


def test_verification_holds_a_pending_burst(app: Flask, session: Session) -> None:
    user = make_user(session, email_verified_at=None)
    premise = make_premise(session)
    for code in CODES[:6]:
        create_wish(session, user, shop_type(session, code).id, premise_id=premise.id)
    secret = issue_token(session, user, TokenPurpose.VERIFY_EMAIL, timedelta(hours=1))
    session.commit()
    verify_email(session, secret)
    statuses = set(session.scalars(select(Wish.status).where(Wish.user_id == user.id)))
    assert statuses == {"held"}


def test_address_hashes_expire(app: Flask, session: Session) -> None:
    user = _old(session)
    create_wish(
        session, user, shop_type(session).id, premise_id=make_premise(session).id, client_ip="::1"
    )
    rule = burst_rule()
    forget_expired_origins(session, utcnow() + rule.retention + timedelta(minutes=1), rule)
    session.commit()
    assert session.scalars(select(WishOrigin)).all() == []
