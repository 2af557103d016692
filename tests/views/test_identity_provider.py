"""Log-in through the city's OpenID Connect provider, against a fake provider served in-process.

The fake provider is a tiny Flask app (discovery, JWKS, token endpoint) reached through a
requests adapter, so Authlib's real client fetches metadata and keys and checks the id_token
(signed with an RSA key made for the test run) exactly as it would against FranceConnect.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from factories import make_premise, make_user, shop_type
from flask import Flask, jsonify, request, request_started
from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from web import TOKEN, log_in

from wishmap import create_app, db
from wishmap.limits import limiter
from wishmap.models import OidcIdentity, User, Wish, WishStatus
from wishmap.services.users import hash_password
from wishmap.services.wishes import create_wish

ISSUER = "https://idp.example"
CLIENT_ID = "wishmap-test"
KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key"})


class FakeProvider:
    """An OpenID Connect provider with one key: a code is issued per log-in with its claims."""

    def __init__(self) -> None:
        self.app = Flask("fake_provider")
        self.codes: dict[str, dict[str, Any]] = {}
        self._numbers = itertools.count(1)
        self.app.add_url_rule("/.well-known/openid-configuration", "meta", self.metadata)
        self.app.add_url_rule("/jwks", "jwks", self.jwks)
        self.app.add_url_rule("/token", "token", self.token, methods=["POST"])

    def metadata(self) -> Any:
        return jsonify(
            issuer=ISSUER,
            authorization_endpoint=f"{ISSUER}/authorize",
            token_endpoint=f"{ISSUER}/token",
            jwks_uri=f"{ISSUER}/jwks",
            id_token_signing_alg_values_supported=["RS256"],
            response_types_supported=["code"],
            subject_types_supported=["public"],
        )

    def jwks(self) -> Any:
        return jsonify(KeySet([KEY]).as_dict(private=False))

    def token(self) -> Any:
        claims = self.codes.pop(request.form.get("code", ""), None)
        if claims is None:
            return jsonify(error="invalid_grant"), 400
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": CLIENT_ID, "iat": now, "exp": now + 300, **claims}
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, KEY)
        return jsonify(access_token="at", token_type="Bearer", expires_in=300, id_token=id_token)

    def issue(self, claims: dict[str, Any]) -> str:
        code = f"code-{next(self._numbers)}"
        self.codes[code] = claims
        return code


class ProviderAdapter(BaseAdapter):
    """Answers requests to the provider's URLs from its Flask app, in-process."""

    def __init__(self, provider: FakeProvider) -> None:
        super().__init__()
        self.client = provider.app.test_client()

    def send(self, prepared: requests.PreparedRequest, **_kwargs: Any) -> requests.Response:
        url = urlsplit(prepared.url or "")
        answer = self.client.open(
            url.path,
            method=prepared.method or "GET",
            query_string=url.query,
            headers=dict(prepared.headers),
            data=prepared.body,
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.get_data()
        response.headers = CaseInsensitiveDict(dict(answer.headers))
        response.url = prepared.url or ""
        response.request = prepared
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> FakeProvider:
    fake = FakeProvider()
    adapter = ProviderAdapter(fake)
    original = requests.Session.get_adapter

    def get_adapter(self: requests.Session, url: str) -> BaseAdapter:
        return adapter if url.startswith(ISSUER) else original(self, url)

    monkeypatch.setattr(requests.Session, "get_adapter", get_adapter)
    return fake


def _app(engine: Engine, tmp_path: Path, **config: Any) -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "ENGINE": engine,
            "DATABASE_URL": str(engine.url),
            "SECRET_KEY": "test-secret",
            "TILE_URL": "",
            "LOG_LEVEL": "WARNING",
            "OIDC_ISSUER": ISSUER,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": "s3cret",
            "OIDC_NAME": "CityID",
            **config,
        }
    )
    app.instance_path = str(tmp_path / "instance")
    return app


def _fresh_globals(sender: Flask, **_extra: object) -> None:
    from flask import g

    for name in [name for name in g if name != "db_session"]:
        g.pop(name)


@pytest.fixture
def oidc_app(engine: Engine, tmp_path: Path, provider: FakeProvider) -> Iterator[Flask]:
    app = _app(engine, tmp_path)
    request_started.connect(_fresh_globals, app)
    with app.app_context():
        limiter.reset()
        yield app
    request_started.disconnect(_fresh_globals, app)


@pytest.fixture
def oidc_session(oidc_app: Flask) -> Session:
    return db.session()


def _start(client: FlaskClient, next_path: str = "/me/") -> dict[str, str]:
    """Begin a log-in; return the provider's authorize parameters (state, nonce, …)."""
    response = client.get(f"/account/provider/login?next={next_path}")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"{ISSUER}/authorize?")
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def _log_in(
    client: FlaskClient, provider: FakeProvider, nonce: str | None = None, **claims: Any
) -> Any:
    """Go through the provider as the person with these claims; return the callback's answer."""
    params = _start(client)
    code = provider.issue({"sub": "person-1", "nonce": nonce or params["nonce"], **claims})
    return client.get(f"/account/provider/callback?code={code}&state={params['state']}")


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_first_log_in_creates_an_account_and_the_second_reuses_it(
    oidc_app: Flask, oidc_session: Session, provider: FakeProvider
) -> None:
    client = oidc_app.test_client()
    page = client.get("/account/login").get_data(as_text=True)
    assert "Log in with CityID" in page
    assert "Log in with CityID" in client.get("/account/register").get_data(as_text=True)

    claims = {"email": "Marie@Example.org", "email_verified": True, "given_name": "Marie"}
    response = _log_in(client, provider, **claims)
    assert response.status_code == 302
    assert response.headers["Location"] == "/me/"
    user = oidc_session.scalar(select(User).where(User.email == "marie@example.org"))
    assert user is not None
    assert user.email_verified_at is not None  # the provider verified the address
    assert user.display_name == "Marie"  # the first name only, never the full legal name
    assert user.password_hash is None
    identity = oidc_session.scalar(select(OidcIdentity))
    assert (identity.user_id, identity.issuer, identity.subject) == (user.id, ISSUER, "person-1")
    assert client.get("/me/").status_code == 200  # logged in

    other = oidc_app.test_client()
    assert _log_in(other, provider, **claims).status_code == 302
    assert _count(oidc_session, User) == 1
    assert _count(oidc_session, OidcIdentity) == 1
    assert other.get("/me/").status_code == 200


def test_a_forged_state_is_refused_with_its_reason(
    oidc_app: Flask, oidc_session: Session, provider: FakeProvider
) -> None:
    client = oidc_app.test_client()
    params = _start(client)
    code = provider.issue({"sub": "person-1", "nonce": params["nonce"], "email": "a@b.org"})
    response = client.get(f"/account/provider/callback?code={code}&state=forged")
    assert response.status_code == 400
    assert "(state)" in response.get_data(as_text=True)
    assert _count(oidc_session, User) == 0
    # Replaying the real state after it failed elsewhere still works once, never twice.
    first = client.get(f"/account/provider/callback?code={code}&state={params['state']}")
    assert first.status_code == 302
    replay = client.get(f"/account/provider/callback?code={code}&state={params['state']}")
    assert replay.status_code == 400


def test_a_wrong_nonce_is_refused_with_its_reason(
    oidc_app: Flask, oidc_session: Session, provider: FakeProvider
) -> None:
    client = oidc_app.test_client()
    response = _log_in(
        client, provider, nonce="someone-elses", email="a@b.org", email_verified=True
    )
    assert response.status_code == 400
    assert "nonce" in response.get_data(as_text=True)
    assert _count(oidc_session, User) == 0
    assert client.get("/me/").status_code in (302, 401)  # nobody logged in


def test_a_password_account_is_linked_only_when_the_provider_verified_the_address(
    oidc_app: Flask, oidc_session: Session, provider: FakeProvider
) -> None:
    owner = make_user(oidc_session, email="owner@example.org")
    client = oidc_app.test_client()
    refused = _log_in(client, provider, email="owner@example.org", email_verified=False)
    assert refused.status_code == 400
    assert "did not confirm this e-mail address" in refused.get_data(as_text=True)
    assert _count(oidc_session, OidcIdentity) == 0

    linked = _log_in(client, provider, email="owner@example.org", email_verified=True)
    assert linked.status_code == 302
    identity = oidc_session.scalar(select(OidcIdentity))
    assert identity.user_id == owner.id
    assert _count(oidc_session, User) == 1


def test_minimum_level_oidc_keeps_email_only_wishes_pending_until_the_provider_log_in(
    engine: Engine, tmp_path: Path, provider: FakeProvider
) -> None:
    app = _app(engine, tmp_path, MIN_VERIFICATION="oidc")
    request_started.connect(_fresh_globals, app)
    try:
        with app.app_context():
            limiter.reset()
            session = db.session()
            resident = make_user(session, email="anna@example.org")  # e-mail verified
            premise = make_premise(session)
            wish = create_wish(session, resident, shop_type(session).id, premise_id=premise.id)
            assert wish.status == WishStatus.PENDING.value  # an address is not enough here
            client = log_in(app.test_client(), resident)
            page = client.get("/me/").get_data(as_text=True)
            assert "Log in with CityID" in page
            assert "this campaign counts" in page

            # Logged in already, a first provider log-in links the identity to this account.
            response = _log_in(client, provider, email="other@example.net", email_verified=True)
            assert response.status_code == 302
            session.expire_all()
            assert session.get(Wish, wish.id).status == WishStatus.ACTIVE.value
            assert session.scalar(select(OidcIdentity)).user_id == resident.id
            assert _count(session, User) == 1
    finally:
        request_started.disconnect(_fresh_globals, app)


def test_off_by_default(client: FlaskClient) -> None:
    assert client.get("/account/provider/login").status_code == 404
    assert client.get("/account/provider/callback?code=x&state=y").status_code == 404
    assert "Log in with" not in client.get("/account/login").get_data(as_text=True)


def test_the_wish_page_says_how_to_count_under_minimum_level_oidc(
    engine: Engine, tmp_path: Path, provider: FakeProvider
) -> None:
    app = _app(engine, tmp_path, MIN_VERIFICATION="oidc")
    request_started.connect(_fresh_globals, app)
    try:
        with app.app_context():
            limiter.reset()
            session = db.session()
            resident = make_user(session)
            premise = make_premise(session)
            bakery = shop_type(session)
            client = log_in(app.test_client(), resident)
            page = client.get(f"/premises/{premise.id}").get_data(as_text=True)
            token = TOKEN.search(page)
            assert token, "no CSRF token on the premise page"
            response = client.post(
                "/wishes/",
                data={"csrf_token": token.group(1), "premise": premise.id, "type": bakery.code},
                follow_redirects=True,
            )
            assert response.status_code == 200
            assert "It will count once you log in with CityID" in response.get_data(as_text=True)
            assert session.scalar(select(Wish.status)) == WishStatus.PENDING.value
    finally:
        request_started.disconnect(_fresh_globals, app)


def test_an_account_made_through_the_provider_deletes_itself_without_a_password(
    oidc_app: Flask, oidc_session: Session, provider: FakeProvider
) -> None:
    # It used to need a password it never had: a reset first, just to be allowed to leave.
    client = oidc_app.test_client()
    claims = {"email": "noe@example.org", "email_verified": True, "given_name": "Noé"}
    assert _log_in(client, provider, **claims).status_code == 302
    page = client.get("/account/").get_data(as_text=True)
    assert 'name="delete_password"' not in page
    token = TOKEN.search(page).group(1)
    deleted = client.post("/account/delete", data={"csrf_token": token, "understood": "y"})
    assert deleted.status_code == 302
    oidc_session.expire_all()
    assert oidc_session.scalar(select(User).where(User.email == "noe@example.org")) is None


def test_a_password_account_still_needs_its_password_to_be_deleted(
    oidc_app: Flask, oidc_session: Session
) -> None:
    owner = make_user(
        oidc_session, email="owner@example.org", password_hash=hash_password("a long passphrase")
    )
    client = log_in(oidc_app.test_client(), owner)
    page = client.get("/account/").get_data(as_text=True)
    assert 'name="delete_password"' in page
    token = TOKEN.search(page).group(1)
    refused = client.post("/account/delete", data={"csrf_token": token, "understood": "y"})
    assert refused.status_code == 400
    assert oidc_session.get(User, owner.id) is not None
