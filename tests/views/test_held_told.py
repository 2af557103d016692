"""Residents whose counting wish is later held are told; admins review holds by burst."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from factories import make_premise, make_user, shop_type
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.mail import outbox_messages
from wishmap.models import AuditEntry, Role, User, Wish
from wishmap.models._types import utcnow
from wishmap.services.wishes import create_wish


def _established(session: Session, **fields: object) -> User:
    month_ago = utcnow() - timedelta(days=30)
    return make_user(session, created_at=month_ago, email_verified_at=month_ago, **fields)


def test_residents_whose_counting_wish_is_held_are_told(
    app: Flask, session: Session, outbox: Path
) -> None:
    premise = make_premise(session)
    bakery = shop_type(session).id
    neighbours = [_established(session, locale="fr" if n == 0 else None) for n in range(4)]
    for number, user in enumerate(neighbours):
        wish = create_wish(
            session, user, bakery, premise_id=premise.id, client_ip=f"192.0.2.{number}"
        )
        assert wish.status == "active"  # they were told "Thank you! Your wish counts now."
    assert not outbox.exists() or outbox_messages(outbox) == []
    create_wish(
        session, _established(session), bakery, premise_id=premise.id, client_ip="192.0.2.9"
    )

    # Before: held without a word, and "Waiting for a review" with no reason on their page.
    mails = {message["To"]: message for message in outbox_messages(outbox)}
    assert set(mails) == {user.email for user in neighbours}
    french = mails[neighbours[0].email]
    assert "retenu" in french["Subject"] and "administrat" in french.get_content()
    assert "held for review" in mails[neighbours[1].email]["Subject"]
    page = log_in(app.test_client(), neighbours[1]).get("/me/").get_data(as_text=True)
    assert "Waiting for a review before it counts." in page
    assert "Several accounts from one network" in page and "You need do nothing" in page
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "hold_wish")).all()
    assert len(entries) == 5 and {entry.actor_role for entry in entries} == {"rule"}


def test_the_admin_queue_groups_holds_by_burst_with_the_rule_and_chooses_nothing(
    app: Flask, session: Session
) -> None:
    premise = make_premise(session)
    bakery = shop_type(session).id
    codes = ["bakery", "books", "cheese", "butcher", "florist", "greengrocer"]
    for code in codes:
        shop_type(session, code)
    for number in range(5):
        create_wish(
            session,
            _established(session),
            bakery,
            premise_id=premise.id,
            client_ip=f"198.51.100.{number}",
        )
    newcomer = make_user(session)
    for code in codes:
        create_wish(session, newcomer, shop_type(session, code).id, premise_id=premise.id)
    admin = log_in(app.test_client(), make_user(session, role=Role.ADMIN))
    page = admin.get("/admin/held").get_data(as_text=True)
    # Before: one flat list, every box ticked, no reason.
    assert page.count('class="held-burst"') == 2
    assert "Several accounts from one network" in page
    assert "Many wishes from a new account" in page
    assert "checked" not in page
    network_burst = page.split('class="held-burst"')[1]
    ids = [part.split('"')[0] for part in network_burst.split('name="burst_wish_id" value="')[1:]]
    assert len(ids) == 5
    released = admin.post(
        "/admin/held",
        data={"csrf_token": csrf_token(admin), "decision": "release", "burst_wish_id": ids},
    )
    assert released.status_code == 302
    session.expire_all()
    statuses = dict(session.execute(select(Wish.id, Wish.status)).all())
    assert sorted(statuses[int(wish_id)] for wish_id in ids) == ["active"] * 5
    assert list(statuses.values()).count("held") == 6
