"""Accounts through the web: register and verify, log in and out, reset and change, CSRF."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from factories import make_premise, make_user, shop_type
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap import create_app
from wishmap.mail import outbox_messages
from wishmap.models import AccountToken, User, Wish, WishStatus
from wishmap.models._types import utcnow
from wishmap.services.users import hash_password
from wishmap.services.wishes import create_wish

PASSWORD = "correct horse battery"


def _link(outbox: Path, index: int = -1) -> str:
    body = outbox_messages(outbox)[index].get_content()
    found = re.search(r"http://localhost(/account/\S+)", body)
    assert found, body
    return found.group(1)


def _post(client: FlaskClient, path: str, **data: object) -> object:
    return client.post(path, data={"csrf_token": csrf_token(client), **data})


def _resident(session: Session, **fields: object) -> User:
    return make_user(session, password_hash=hash_password(PASSWORD), **fields)


def test_register_verify_and_pending_wishes_start_counting(
    client: FlaskClient, session: Session, outbox: Path
) -> None:
    response = _post(
        client,
        "/account/register",
        email="Anna@Example.org",
        display_name="Anna",
        password=PASSWORD,
        confirm=PASSWORD,
    )
    assert response.status_code == 302
    user = session.scalar(select(User).where(User.email == "anna@example.org"))
    assert user is not None and user.email_verified_at is None
    assert user.password_hash.startswith("scrypt:")
    wish = create_wish(session, user, shop_type(session).id, premise_id=make_premise(session).id)
    assert wish.status == WishStatus.PENDING
    link = _link(outbox)
    # Opening the link changes nothing (mail scanners open links); the button confirms.
    assert client.get(link).status_code == 200
    assert session.get(User, user.id).email_verified_at is None
    assert _post(client, link).status_code == 302
    session.expire_all()
    assert session.get(User, user.id).email_verified_at is not None
    assert session.get(Wish, wish.id).status == WishStatus.ACTIVE
    assert client.get(link).status_code == 404  # single use


def test_login_remember_me_and_logout(client: FlaskClient, session: Session) -> None:
    user = _resident(session)
    wrong = _post(client, "/account/login", email=user.email, password="nope nope nope")
    assert "E-mail address or password is wrong." in wrong.get_data(as_text=True)
    response = _post(client, "/account/login", email=user.email, password=PASSWORD, remember="y")
    assert response.status_code == 302
    assert "remember_token=" in " ".join(response.headers.getlist("Set-Cookie"))
    assert client.get("/account/").status_code == 200
    assert _post(client, "/account/logout").status_code == 302
    assert client.get("/account/").status_code == 302


def test_password_reset_is_single_use_expiring_and_logs_out_everywhere(
    app: Flask, session: Session, outbox: Path
) -> None:
    user = _resident(session)
    other_device = log_in(app.test_client(), user)
    assert other_device.get("/account/").status_code == 200
    client = app.test_client()
    unknown = _post(client, "/account/reset", email="nobody@example.org")
    known = _post(client, "/account/reset", email=user.email)
    assert unknown.status_code == known.status_code == 302  # no account enumeration
    assert len(outbox_messages(outbox)) == 1
    link = _link(outbox)
    new = "a brand new passphrase"
    assert _post(client, link, password=new, confirm=new).status_code == 302
    assert other_device.get("/account/").status_code == 302  # its session is gone
    assert _post(client, link, password=new, confirm=new).status_code == 404  # used
    # An expired link is refused too.
    _post(client, "/account/reset", email=user.email)
    token = session.scalar(select(AccountToken).where(AccountToken.used_at.is_(None)))
    token.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    assert client.get(_link(outbox)).status_code == 404


def test_change_password_keeps_this_session_and_ends_the_others(
    app: Flask, session: Session
) -> None:
    user = _resident(session)
    this, other = log_in(app.test_client(), user), log_in(app.test_client(), user)
    new = "another long passphrase"
    wrong = _post(this, "/account/password", current="wrong", password=new, confirm=new)
    assert wrong.status_code == 400
    response = _post(this, "/account/password", current=PASSWORD, password=new, confirm=new)
    assert response.status_code == 302
    assert this.get("/account/").status_code == 200
    assert other.get("/account/").status_code == 302


def test_change_email_needs_the_link_sent_to_the_new_address(
    client: FlaskClient, session: Session, outbox: Path
) -> None:
    user = _resident(session)
    old = user.email
    log_in(client, user)
    response = _post(client, "/account/email", email="new@example.org", email_password=PASSWORD)
    assert response.status_code == 302
    [message] = outbox_messages(outbox)
    assert message["To"] == "new@example.org"
    assert session.get(User, user.id).email != "new@example.org"
    assert _post(client, _link(outbox)).status_code == 302
    session.expire_all()
    assert session.get(User, user.id).email == "new@example.org"
    assert outbox_messages(outbox)[-1]["To"] == old  # the old address is told


def test_forged_request_without_csrf_token_is_refused(
    client: FlaskClient, session: Session
) -> None:
    user = _resident(session)
    log_in(client, user)
    response = client.post("/account/delete", data={"delete_password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert session.get(User, user.id) is not None
    # A token from another session does not pass either.
    stranger = csrf_token(client.application.test_client())
    forged = client.post(
        "/account/delete",
        data={"csrf_token": stranger, "delete_password": PASSWORD, "understood": "y"},
    )
    assert forged.status_code == 400
    session.expire_all()
    assert session.get(User, user.id) is not None


def test_the_login_attempt_after_the_limit_is_refused(app: Flask, client: FlaskClient) -> None:
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    token = csrf_token(client)
    data = {"csrf_token": token, "email": "someone@example.org", "password": "guess guess"}
    statuses = [client.post("/account/login", data=data).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "Too many attempts" in client.post("/account/login", data=data).get_data(as_text=True)
    # Looking at the page is not an attempt.
    assert client.get("/account/login").status_code == 200


def test_attempts_on_one_account_are_limited_across_addresses(
    app: Flask, client: FlaskClient
) -> None:
    app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "4 per 15 minutes"
    token = csrf_token(client)
    data = {"csrf_token": token, "email": "Target@Example.org", "password": "guess guess"}
    statuses = [
        client.post(
            "/account/login", data=data, environ_base={"REMOTE_ADDR": f"203.0.113.{n}"}
        ).status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    # Another account from the same addresses is not affected.
    other = {**data, "email": "someone.else@example.org"}
    assert (
        client.post(
            "/account/login", data=other, environ_base={"REMOTE_ADDR": "203.0.113.9"}
        ).status_code
        == 200
    )


def test_cookies_are_secure_httponly_samesite_in_production(engine: object) -> None:
    config = {"ENGINE": engine, "SECRET_KEY": "k", "LOG_LEVEL": "WARNING", "DATABASE_URL": "x"}
    production = create_app(config)
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True
    assert production.config["SESSION_COOKIE_HTTPONLY"] is True
    assert production.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    development = create_app({**config, "INSECURE_COOKIES": True})
    assert development.config["SESSION_COOKIE_SECURE"] is False
    with production.app_context():
        response = production.test_client().get("/account/login", base_url="https://localhost")
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_map_page_scripts_all_carry_the_csp_nonce(client: FlaskClient) -> None:
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    page = response.get_data(as_text=True)
    inline = [tag for tag in re.findall(r"<script[^>]*>", page) if "src=" not in tag]
    assert inline and all(f'nonce="{nonce}"' in tag for tag in inline), inline
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_mail_server_that_is_down_never_makes_a_server_error(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=9)
    token = csrf_token(client, "/account/register")
    response = client.post(
        "/account/register",
        data={
            "csrf_token": token,
            "email": "down@example.org",
            "display_name": "Down",
            "password": "a long password",
            "confirm": "a long password",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "We could not send the e-mail just now" in response.get_data(as_text=True)
    assert session.scalar(select(User).where(User.email == "down@example.org")) is not None
    # A reset request answers as always: saying the mail failed would reveal the account.
    reset = client.post(
        "/account/reset",
        data={"csrf_token": csrf_token(client, "/account/reset"), "email": "down@example.org"},
    )
    assert reset.status_code == 302
