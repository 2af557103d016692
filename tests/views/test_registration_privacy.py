"""Registration never tells whether an address has an account; the e-mailed link logs in.

A new address and a taken one get the same status, redirect, page, cookies and logged-in
state, and hash a password alike; only the link sent to the address logs the account in, and
it brings the visitor back to their unfinished wish.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from factories import make_premise, make_user, shop_type
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web import csrf_token

from wishmap.mail import outbox_messages
from wishmap.models import User, Wish
from wishmap.services import users as user_service
from wishmap.services.users import hash_password

PASSWORD = "correct horse battery"
# What differs between any two answers whatever the address: the CSRF token, the CSP nonce.
_VARYING = re.compile(r'(name="csrf_token"[^>]*value=|name="csrf-token" content=|nonce=)"[^"]*"')


def _masked(html: str) -> str:
    return _VARYING.sub(r'\1"…"', html)


def _cookies(response: Any) -> list[str]:
    """The cookies set, their values masked (a signed session differs every time)."""
    return sorted(
        re.sub(r"=[^;]*", "=…", cookie, count=1)
        for cookie in response.headers.getlist("Set-Cookie")
    )


def _register(client: FlaskClient, email: str, next_path: str = "/premises/") -> Any:
    page = f"/account/register?next={next_path}"
    return client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "email": email,
            "display_name": "Someone",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )


def _answer(app: Flask, email: str) -> dict[str, Any]:
    """Everything the requester can observe of a registration, and afterwards."""
    client = app.test_client()
    response = _register(client, email)
    with client.session_transaction() as cookie_session:
        kept = sorted(key for key in cookie_session if key != "csrf_token")
    landing = client.get(response.headers["Location"])
    me = client.get("/me/")
    return {
        "status": response.status_code,
        "location": response.headers.get("Location"),
        "body": _masked(response.get_data(as_text=True)),
        "cookies": _cookies(response),
        "session": kept,
        "landing": (landing.status_code, _masked(landing.get_data(as_text=True))),
        "me": (me.status_code, me.headers.get("Location")),
    }


def test_a_taken_address_and_a_new_one_get_the_same_answer(
    app: Flask, session: Session, outbox: Path
) -> None:
    owner = make_user(
        session,
        email="taken@example.org",
        display_name="Owner",
        password_hash=hash_password("the owner's passphrase"),
    )
    taken = _answer(app, "TAKEN@example.org")
    fresh = _answer(app, "fresh@example.org")
    # Before: the new address was logged in (its session kept the account, /me/ answered
    # 200), the taken one was not (/me/ sent it to log in).
    assert taken == fresh
    assert fresh["status"] == 302 and fresh["location"] == "/account/register/sent"
    # No account in the session cookie, no remember-me cookie (at most one being deleted).
    assert "_user_id" not in fresh["session"]
    assert all("Max-Age=0" in c for c in fresh["cookies"] if c.startswith("remember_token"))
    assert fresh["me"][0] == 302 and "/account/login" in fresh["me"][1]
    assert "Look in your mailbox" in fresh["landing"][1]
    # The owner is told by e-mail, the new address gets its link; nothing of the owner changed.
    mails = {message["To"]: message.get_content() for message in outbox_messages(outbox)}
    assert "already has one" in mails["taken@example.org"]
    assert "/account/verify/" in mails["fresh@example.org"]
    session.expire_all()
    assert session.get(User, owner.id).display_name == "Owner"


def test_both_answers_hash_a_password(
    app: Flask, session: Session, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(session, email="taken@example.org")
    hashed: list[str] = []
    real = user_service.generate_password_hash

    def counted(password: str, **options: Any) -> str:
        hashed.append(password)
        return real(password, **options)

    monkeypatch.setattr(user_service, "generate_password_hash", counted)
    for email in ("taken@example.org", "fresh@example.org"):
        hashed.clear()
        _register(app.test_client(), email)
        # As slow either way: the time taken does not tell the answer apart either.
        assert hashed == [PASSWORD], email


def test_the_link_logs_in_and_brings_the_visitor_back_to_their_wish(
    app: Flask, session: Session, outbox: Path
) -> None:
    premise = make_premise(session)
    shop_type(session)
    visitor = app.test_client()
    drafted = visitor.post(
        "/wishes/draft",
        data={
            "csrf_token": csrf_token(visitor, f"/premises/{premise.id}"),
            "premise": premise.id,
            "type": "bakery",
            "frequency": "weekly",
            "reason": "Fresh bread nearby",
        },
    )
    login_page = drafted.headers["Location"]
    next_path = login_page.split("next=", 1)[1]
    assert _register(visitor, "lea@example.org", next_path).status_code == 302
    assert visitor.get("/me/").status_code == 302  # not logged in by registering

    [message] = outbox_messages(outbox)
    link = re.search(r"http://localhost(/account/verify/\S+)", message.get_content()).group(1)
    assert visitor.get(link).status_code == 200  # opening it (a mail scanner) changes nothing
    assert visitor.get("/me/").status_code == 302
    confirmed = visitor.post(link, data={"csrf_token": csrf_token(visitor)})
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"] == f"/wishes/new?premise={premise.id}"
    assert visitor.get("/me/").status_code == 200  # the link logged the account in

    form = visitor.get(confirmed.headers["Location"]).get_data(as_text=True)
    assert re.search(r'value="bakery"[^>]*checked', form)
    assert "Fresh bread nearby" in form
    made = visitor.post(
        "/wishes/",
        data={
            "csrf_token": csrf_token(visitor, "/"),
            "premise": premise.id,
            "type": "bakery",
            "frequency": "weekly",
            "reason": "Fresh bread nearby",
        },
    )
    assert made.status_code == 303
    session.expire_all()
    assert session.scalars(select(Wish.status)).all() == ["active"]


def test_a_link_with_a_foreign_next_lands_on_the_map(
    app: Flask, session: Session, outbox: Path
) -> None:
    visitor = app.test_client()
    _register(visitor, "sam@example.org", "//evil.example/phish")
    body = outbox_messages(outbox)[-1].get_content()
    assert "evil" not in body
    link = re.search(r"http://localhost(/account/verify/\S+)", body).group(1)
    # A next= added to the link by hand is refused all the same.
    link = f"{link}?next=////evil.example/phish"
    confirmed = visitor.post(link, data={"csrf_token": csrf_token(visitor)})
    assert confirmed.headers["Location"] == "/"


def test_logging_in_right_after_registering_tells_nothing_either(
    app: Flask, session: Session, outbox: Path
) -> None:
    # The password the registrant chose used to work for a new address (not for a taken one),
    # so logging in after registering told whether the address had an account.
    make_user(session, email="taken@example.org", display_name="Owner")

    def log_in_after_registering(email: str) -> tuple[int, str, list[str]]:
        client = app.test_client()
        _register(client, email)
        answer = client.post(
            "/account/login",
            data={"csrf_token": csrf_token(client), "email": email, "password": PASSWORD},
        )
        body = _masked(answer.get_data(as_text=True)).replace(email, "…")
        with client.session_transaction() as cookie_session:
            kept = sorted(key for key in cookie_session if key != "csrf_token")
        return answer.status_code, body, kept

    taken, fresh = (
        log_in_after_registering("taken@example.org"),
        log_in_after_registering("fresh@example.org"),
    )
    assert taken == fresh
    assert fresh[0] == 200 and "_user_id" not in fresh[2]
    assert "Follow the link we e-mailed you first" in fresh[1]
