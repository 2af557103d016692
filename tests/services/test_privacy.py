"""Privacy: the export holds a user's data; deleting the account leaves none of it behind."""

from __future__ import annotations

from datetime import timedelta

from factories import make_premise, make_user, make_wish, shop_type
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.db import Base
from wishmap.models import AuditEntry, Claim, Report, Role, User, Wish, WishOrigin
from wishmap.models._types import utcnow
from wishmap.services.accounts import TokenPurpose, issue_token
from wishmap.services.premises import premise_demand
from wishmap.services.users import hash_password
from wishmap.services.wishes import create_wish

PASSWORD = "a long enough password"


def _everything(session: Session) -> str:
    """Every value of every row of every table, as one string to search."""
    values = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(text(f'SELECT * FROM "{table.name}"')):
            values.extend(str(value) for value in row)
    return "\n".join(values)


def _user_with_a_history(session: Session) -> tuple[User, dict[str, object]]:
    user = make_user(
        session,
        display_name="Zoé Quincampoix",
        email="zoe.quincampoix@example.org",
        password_hash=hash_password(PASSWORD),
        role=Role.OWNER,
        created_at=utcnow() - timedelta(days=30),
    )
    premise, other = make_premise(session), make_premise(session)
    counted = create_wish(
        session,
        user,
        shop_type(session).id,
        premise_id=premise.id,
        reason="Zoé's secret reason",
        client_ip="192.0.2.55",
    )
    free = create_wish(session, user, shop_type(session).id, point=(48.881234, 2.385678))
    make_wish(session, user, premise, code="books", status="withdrawn", reason="withdrawn why")
    reported = make_wish(session, premise=premise, code="cheese", reason="rude")
    session.add_all(
        [
            Report(wish_id=reported.id, reporter_id=user.id, reason="Zoé finds this rude"),
            Claim(premise_id=other.id, claimant_id=user.id),
        ]
    )
    issue_token(session, user, TokenPurpose.CHANGE_EMAIL, timedelta(hours=1), "zoe2@example.org")
    session.commit()
    secrets = {
        "email": user.email,
        "name": user.display_name,
        "hash": user.password_hash,
        "session": user.session_token,
        "reason": "Zoé's secret reason",
        "withdrawn": "withdrawn why",
        "report": "Zoé finds this rude",
        "new_email": "zoe2@example.org",
        "network": session.scalar(select(WishOrigin.network)),
        "free": 48.881234,
    }
    return user, {"premise": premise, "counted": counted, "free": free, "secrets": secrets}


def test_export_holds_the_users_data_but_no_secrets(app: Flask, session: Session) -> None:
    user, _history = _user_with_a_history(session)
    client = log_in(app.test_client(), user)
    response = client.get("/account/export.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    assert data["account"]["email"] == user.email
    assert {w["reason"] for w in data["wishes"]} >= {"Zoé's secret reason", "withdrawn why"}
    assert data["reports"][0]["reason"] == "Zoé finds this rude"
    assert len(data["claims"]) == 1 and data["network_records"]["count"] == 1
    body = response.get_data(as_text=True)
    assert user.password_hash not in body and user.session_token not in body


def test_deleted_account_leaves_no_personal_data(app: Flask, session: Session) -> None:
    user, history = _user_with_a_history(session)
    admin = make_user(session, role=Role.ADMIN)
    session.add(
        AuditEntry(
            actor_id=admin.id, actor_role="admin", action="x", target_type="user", target_id=user.id
        )
    )
    session.commit()
    premise, user_id = history["premise"], user.id
    total_before = premise_demand(session, premise.id).total
    client = log_in(app.test_client(), user)
    wrong = client.post(
        "/account/delete",
        data={"csrf_token": csrf_token(client), "delete_password": "nope", "understood": "y"},
    )
    assert wrong.status_code == 400
    response = client.post(
        "/account/delete",
        data={"csrf_token": csrf_token(client), "delete_password": PASSWORD, "understood": "y"},
    )
    assert response.status_code == 302
    assert client.get("/account/").status_code == 302  # logged out

    session.expire_all()
    assert session.get(User, user_id) is None
    everything = _everything(session)
    for what, secret in history["secrets"].items():
        assert str(secret) not in everything, f"the {what} survived the deletion"
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if any(key.column.table.name == "users" for key in column.foreign_keys):
                found = session.execute(select(table).where(column == user_id)).first()
                assert found is None, f"{table.name}.{column.name} still points at the account"
    # Counting wishes stay, anonymous: the landlord's figures do not drop.
    assert premise_demand(session, premise.id).total == total_before
    kept = session.get(Wish, history["counted"].id)
    assert kept.user_id is None and kept.reason is None and kept.status == "active"
    free = session.get(Wish, history["free"].id)
    assert (free.lat, free.lon) == (48.881, 2.386)
    assert session.scalars(select(Wish).where(Wish.status == "withdrawn")).all() == []
