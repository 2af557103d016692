"""Personal API tokens: an officer makes one on their account (shown once, stored hashed), a
program reads officer data with it, its owner revokes it, and it stops at once when revoked or
when the account is demoted or deleted; tokens are rate-limited per token; audited."""

from __future__ import annotations

import hashlib
import re

import pytest
from factories import make_premise, make_user
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.models import ApiToken, AuditEntry, Role, User
from wishmap.services import api_tokens
from wishmap.services.privacy import delete_account
from wishmap.services.users import set_role

SECRET = re.compile(r'id="new-token"[^>]*value="(wm_[A-Za-z0-9_-]+)"')


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def make_token_on_page(client: FlaskClient, name: str = "City dashboard") -> str:
    """Make a token through the account page; return the secret it shows once."""
    token = csrf_token(client, "/account/api-tokens/")
    response = client.post("/account/api-tokens/", data={"csrf_token": token, "name": name})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    found = SECRET.search(response.get_data(as_text=True))
    assert found, "the new token is shown"
    return found.group(1)


@pytest.fixture
def officer(session: Session) -> User:
    return make_user(session, role=Role.OFFICER)


def test_officer_makes_uses_and_revokes_a_token(
    client: FlaskClient, session: Session, officer: User
) -> None:
    make_premise(session)
    log_in(client, officer)
    assert b"/account/api-tokens/" in client.get("/account/").data
    secret = make_token_on_page(client)
    assert secret.startswith("wm_") and len(secret) >= 40
    page = client.get("/account/api-tokens/").get_data(as_text=True)
    assert "City dashboard" in page and secret not in page  # shown once only
    assert "never" in page

    program = client.application.test_client()  # no cookie: the token alone
    assert program.get("/api/v1/vacancies").status_code == 401
    answer = program.get("/api/v1/vacancies", headers=bearer(secret))
    assert answer.status_code == 200 and answer.get_json()["total"] == 1
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert "Set-Cookie" not in answer.headers  # a token makes no session
    session.expire_all()
    token = session.scalar(select(ApiToken).where(ApiToken.user_id == officer.id))
    assert token is not None and token.last_used_at is not None

    revoked = client.post(
        f"/account/api-tokens/{token.id}/revoke",
        data={"csrf_token": csrf_token(client, "/account/api-tokens/")},
    )
    assert revoked.status_code == 302
    refused = program.get("/api/v1/vacancies", headers=bearer(secret))
    assert refused.status_code == 401 and refused.get_json()["error"] == "unauthorized"
    # Even a public endpoint tells a program its token no longer works.
    assert program.get("/api/v1/premises", headers=bearer(secret)).status_code == 401
    after = client.get("/account/api-tokens/").get_data(as_text=True)
    assert "was revoked" in after and "You have no API tokens." in after


def test_only_the_digest_is_stored(session: Session, officer: User) -> None:
    made = api_tokens.create_token(session, officer, "QGIS")
    assert made.token.digest == hashlib.sha256(made.secret.encode()).hexdigest()
    dump = " ".join(
        str(value)
        for row in session.execute(text("SELECT * FROM api_tokens")).all()
        for value in row
    )
    assert made.secret not in dump and made.secret[7:] not in dump
    assert made.token.hint == made.secret[:7]


def test_token_stops_when_its_account_is_demoted_or_deleted(
    app: Flask, session: Session, officer: User
) -> None:
    program = app.test_client()
    first = api_tokens.create_token(session, officer, "one").secret
    assert program.get("/api/v1/vacancies", headers=bearer(first)).status_code == 200
    set_role(session, officer.email, Role.RESIDENT.value)
    session.commit()
    assert program.get("/api/v1/vacancies", headers=bearer(first)).status_code == 401
    set_role(session, officer.email, Role.OFFICER.value)
    session.commit()
    assert program.get("/api/v1/vacancies", headers=bearer(first)).status_code == 200
    delete_account(session, officer, None)
    assert program.get("/api/v1/vacancies", headers=bearer(first)).status_code == 401
    assert session.scalar(select(ApiToken).where(ApiToken.digest.is_not(None))) is None


def test_unknown_or_malformed_tokens_are_refused(app: Flask) -> None:
    program = app.test_client()
    for header in ("Bearer wm_nothing", "Bearer ", "Bearer " + "x" * 500):
        response = program.get("/api/v1/premises", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.get_json()["error"] == "unauthorized"


def test_residents_cannot_make_tokens(client: FlaskClient, session: Session) -> None:
    resident = make_user(session, role=Role.RESIDENT)
    log_in(client, resident)
    assert client.get("/account/api-tokens/").status_code == 403
    assert b"/account/api-tokens/" not in client.get("/account/").data
    with pytest.raises(api_tokens.ApiTokenError):
        api_tokens.create_token(session, resident, "sneaky")


def test_a_token_opens_the_api_only(app: Flask, session: Session, officer: User) -> None:
    secret = api_tokens.create_token(session, officer, "api").secret
    page = app.test_client().get("/statistics/", headers=bearer(secret))
    assert page.status_code == 302 and "/account/login" in page.headers["Location"]


def test_token_names_are_checked(client: FlaskClient, session: Session, officer: User) -> None:
    log_in(client, officer)
    token = csrf_token(client, "/account/api-tokens/")
    blank = client.post("/account/api-tokens/", data={"csrf_token": token, "name": "  "})
    assert blank.status_code == 400
    long = client.post("/account/api-tokens/", data={"csrf_token": token, "name": "x" * 81})
    assert long.status_code == 400
    assert session.scalar(select(ApiToken)) is None


def test_revoking_someone_elses_token_fails(
    client: FlaskClient, session: Session, officer: User
) -> None:
    other = api_tokens.create_token(session, make_user(session, role=Role.ADMIN), "admin's")
    log_in(client, officer)
    response = client.post(
        f"/account/api-tokens/{other.token.id}/revoke",
        data={"csrf_token": csrf_token(client, "/account/api-tokens/")},
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(ApiToken, other.token.id).revoked_at is None
    assert app_status(client, other.secret) == 200


def app_status(client: FlaskClient, secret: str) -> int:
    return (
        client.application.test_client()
        .get("/api/v1/vacancies", headers=bearer(secret))
        .status_code
    )


def test_tokens_are_rate_limited_per_token(app: Flask, session: Session, officer: User) -> None:
    app.config["API_TOKEN_RATE_LIMIT"] = "3 per minute"
    app.config["API_RATE_LIMIT"] = "1 per minute"
    first = api_tokens.create_token(session, officer, "first").secret
    second = api_tokens.create_token(session, officer, "second").secret
    program = app.test_client()
    # With a token, the per-address limit (1 a minute here) does not apply, the token's does.
    for _ in range(3):
        assert program.get("/api/v1/shop-types", headers=bearer(first)).status_code == 200
    limited = program.get("/api/v1/shop-types", headers=bearer(first))
    assert limited.status_code == 429 and limited.get_json()["error"] == "too_many_requests"
    assert program.get("/api/v1/shop-types", headers=bearer(second)).status_code == 200


def test_creation_and_revocation_are_audited(session: Session, officer: User) -> None:
    made = api_tokens.create_token(session, officer, "audited")
    api_tokens.revoke_token(session, officer, made.token.id)
    actions = [
        (entry.action, entry.target_id, entry.actor_id)
        for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    ]
    assert actions == [
        ("create_api_token", made.token.id, officer.id),
        ("revoke_api_token", made.token.id, officer.id),
    ]
    with pytest.raises(api_tokens.ApiTokenError):
        api_tokens.revoke_token(session, officer, made.token.id)  # once only
