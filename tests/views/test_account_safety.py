"""Account takeover paths: pre-registration, stale reset links, enumeration, lock-out, redirects."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from factories import make_premise, make_user, make_wish, shop_type
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.mail import outbox_messages
from wishmap.models import User, Wish
from wishmap.services.users import hash_password

PASSWORD = "correct horse battery"


def _post(client: FlaskClient, path: str, **data: object) -> object:
    return client.post(path, data={"csrf_token": csrf_token(client), **data})


def _link(outbox: Path) -> str:
    body = outbox_messages(outbox)[-1].get_content()
    found = re.search(r"http://localhost(/account/\S+)", body)
    assert found, body
    return found.group(1)


def _register(client: FlaskClient, email: str, name: str) -> object:
    return _post(
        client,
        "/account/register?next=/premises/",
        email=email,
        display_name=name,
        password=PASSWORD,
        confirm=PASSWORD,
    )


def test_a_reset_link_discards_what_a_pre_registering_stranger_did(
    app: Flask, session: Session, outbox: Path
) -> None:
    premise = make_premise(session)
    shop_type(session)
    attacker = app.test_client()
    assert _register(attacker, "victim@example.org", "Mallory").status_code == 302
    # Registering logs nobody in, and the chosen password does not either until the address
    # is confirmed: the stranger cannot wish through this account at all.
    refused = _post(attacker, "/account/login", email="victim@example.org", password=PASSWORD)
    assert refused.status_code == 200 and attacker.get("/account/").status_code == 302
    # Were one in (a session from before this rule), their pending wish is still discarded.
    stranger = session.scalar(select(User).where(User.email == "victim@example.org"))
    log_in(attacker, stranger)
    make_wish(
        session, stranger, premise, status="pending", reason="Words put in the victim's mouth"
    )
    assert session.scalar(select(Wish.status)) == "pending"

    victim = app.test_client()
    _post(victim, "/account/reset", email="victim@example.org")
    new = "the victim's own passphrase"
    done = victim.post(
        _link(outbox),
        data={"csrf_token": csrf_token(victim, _link(outbox)), "password": new, "confirm": new},
        follow_redirects=True,
    )
    page = done.get_data(as_text=True)
    assert "Choose the name shown with your reasons" in page
    session.expire_all()
    # Before: the wish became active under the victim's account, with Mallory's name and words.
    assert session.scalars(select(Wish)).all() == []
    user = session.scalar(select(User).where(User.email == "victim@example.org"))
    assert user.display_name == "Resident" and user.email_verified_at is not None
    assert attacker.get("/account/").status_code == 302  # the stranger's session is gone
    renamed = victim.post(
        "/account/name",
        data={"csrf_token": csrf_token(victim, "/account/"), "display_name": "Véronique"},
    )
    assert renamed.status_code == 302
    session.expire_all()
    assert session.get(User, user.id).display_name == "Véronique"


def test_a_reset_link_dies_when_the_password_changes(
    app: Flask, session: Session, outbox: Path
) -> None:
    user = make_user(session, password_hash=hash_password(PASSWORD))
    _post(app.test_client(), "/account/reset", email=user.email)
    stale = _link(outbox)
    owner = log_in(app.test_client(), user)
    new = "a fresh passphrase here"
    changed = owner.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(owner, "/account/"),
            "current": PASSWORD,
            "password": new,
            "confirm": new,
        },
    )
    assert changed.status_code == 302
    # Before: whoever read the old mail could still set a password with it.
    assert app.test_client().get(stale).status_code == 404


def test_failed_logins_elsewhere_never_lock_out_a_known_browser(
    app: Flask, session: Session
) -> None:
    app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "4 per 15 minutes"
    user = make_user(session, password_hash=hash_password(PASSWORD))
    owner = app.test_client()
    good = {"email": user.email, "password": PASSWORD}
    # Successful log-ins do not count toward the limit (before: the fifth was refused).
    for number in range(5):
        owner.environ_base["REMOTE_ADDR"] = f"203.0.113.{number}"
        assert _post(owner, "/account/login", **good).status_code == 302
    attacker = app.test_client()
    for number in range(10):
        attacker.environ_base["REMOTE_ADDR"] = f"198.51.100.{number}"
        _post(attacker, "/account/login", email=user.email, password="wrong guess!")
    assert _post(attacker, "/account/login", **good).status_code == 429
    # Before: the owner was locked out for 15 minutes too.
    owner.environ_base["REMOTE_ADDR"] = "203.0.113.99"
    assert _post(owner, "/account/login", **good).status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "////evil.example/phish",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "/\t/evil.example",
        "javascript:alert(1)",
    ],
)
def test_next_accepts_only_same_site_paths(app: Flask, session: Session, target: str) -> None:
    user = make_user(session, password_hash=hash_password(PASSWORD))
    client = app.test_client()
    response = client.post(
        "/account/login",
        query_string={"next": target},
        data={"csrf_token": csrf_token(client), "email": user.email, "password": PASSWORD},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
