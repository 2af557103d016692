"""Wishing at the same moment through a running server: quota, one voice and bursts hold.

A real HTTP server (werkzeug, one thread per request) serves the app on the test's database (a
SQLite file, or the run's PostgreSQL schema); residents log in through the log-in form, then
threads released together by a barrier post their wishes over the network, as browsers would.
The server trusts one proxy, so each request's X-Forwarded-For is its client address.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from factories import make_premise, make_user, shop_type
from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from web import serving

from wishmap import create_app, db
from wishmap.models import User, Wish
from wishmap.models._types import utcnow
from wishmap.services.users import hash_password

PASSWORD = "correct horse battery"
BBOX = "2.37,48.87,2.40,48.89"
TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
# Each test must end well within this, server start and log-ins included.
BUDGET_SECONDS = 20


@dataclass
class Live:
    """The app, its base URL and a session of the test's own on its database."""

    app: Flask
    url: str
    session: Session


@pytest.fixture(scope="module")
def password_hash() -> str:
    """One scrypt hash for every resident here: hashing is slow and the password the same."""
    return hash_password(PASSWORD)


@pytest.fixture
def live(shared_engine: Engine, tmp_path: Path) -> Iterator[Live]:
    """Serve the app over HTTP on a database that several connections share for real."""
    engine = shared_engine
    app = create_app(
        {
            "TESTING": True,
            "ENGINE": engine,
            "DATABASE_URL": str(engine.url),
            # PostgreSQL's advisory locks (one per target and network, keyed by an HMAC of
            # SECRET_KEY) are database-wide: a key of this test's own never waits on another
            # test run in another schema of the same database.
            "SECRET_KEY": f"races-{uuid.uuid4().hex}",
            "TILE_URL": "",
            "LOG_LEVEL": "WARNING",
            "TRUSTED_PROXIES": 1,
            "MAIL_BACKEND": "folder",
            "MAIL_OUTBOX": str(tmp_path / "outbox"),
            # Rate limits are not what is tested here.
            "LOGIN_RATE_LIMIT": "1000 per minute",
            "WISH_RATE_LIMIT": "1000 per hour",
        }
    )
    with serving(app) as url, app.app_context():
        try:
            yield Live(app, url, db.session())
        finally:
            # Also after a failure: an open transaction would hold up the TRUNCATE below.
            db.close_session()


def _resident(live: Live, password_hash: str, fresh: bool = False) -> User:
    """A resident who can log in; of long standing unless fresh (made and confirmed now)."""
    since = utcnow() if fresh else utcnow() - timedelta(days=30)
    return make_user(
        live.session, password_hash=password_hash, created_at=since, email_verified_at=since
    )


def _browser(live: Live, user: User, address: str = "203.0.113.7") -> requests.Session:
    """A client logged in as user through the log-in form, from address; it holds a CSRF token."""
    browser = requests.Session()
    browser.headers["X-Forwarded-For"] = address
    page = browser.get(f"{live.url}/account/login", timeout=10).text
    answer = browser.post(
        f"{live.url}/account/login",
        data={"csrf_token": TOKEN.search(page).group(1), "email": user.email, "password": PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    browser.headers["X-CSRFToken"] = TOKEN.search(browser.get(f"{live.url}/", timeout=10).text)[1]
    browser.headers["Accept"] = "application/json"
    return browser


def _twin(browser: requests.Session) -> requests.Session:
    """Another client with the same cookies and headers: the same person in another tab."""
    twin = requests.Session()
    twin.headers.update(browser.headers)
    twin.cookies.update(browser.cookies)
    return twin


def _at_once(live: Live, posts: list[tuple[requests.Session, dict[str, object]]]) -> list[int]:
    """POST each wish from its own thread, all released by one barrier; return the statuses."""
    barrier = threading.Barrier(len(posts))
    statuses: list[int] = [0] * len(posts)

    def post(index: int, browser: requests.Session, form: dict[str, object]) -> None:
        barrier.wait(timeout=BUDGET_SECONDS)
        answer = browser.post(
            f"{live.url}/wishes/", data=form, allow_redirects=False, timeout=BUDGET_SECONDS
        )
        statuses[index] = answer.status_code

    threads = [
        threading.Thread(target=post, args=(index, browser, form))
        for index, (browser, form) in enumerate(posts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=BUDGET_SECONDS)
    assert not any(thread.is_alive() for thread in threads)
    return statuses


def _statuses(live: Live, **where: object) -> list[str]:
    live.session.expire_all()
    query = select(Wish.status)
    for name, value in where.items():
        query = query.where(getattr(Wish, name) == value)
    return sorted(live.session.scalars(query))


def _public_counts(live: Live, premise_id: int) -> tuple[int, str]:
    """The badge count on the map's GeoJSON and the total on the premise's page, over HTTP."""
    features = requests.get(f"{live.url}/api/premises.geojson?bbox={BBOX}", timeout=10).json()
    badge = next(f["properties"]["wishes"] for f in features["features"] if f["id"] == premise_id)
    page = requests.get(f"{live.url}/premises/{premise_id}", timeout=10).text
    return badge, page.split("data-total>", 1)[1].split("<", 1)[0]


def test_thirty_wishes_posted_at_once_stop_at_the_quota(live: Live, password_hash: str) -> None:
    started = time.monotonic()
    user = _resident(live, password_hash)
    shop_type(live.session)
    premises = [make_premise(live.session).id for _ in range(30)]
    browser = _browser(live, user)
    posts = [(_twin(browser), {"premise": premise_id, "type": "bakery"}) for premise_id in premises]
    statuses = _at_once(live, posts)
    assert Counter(statuses) == {201: 10, 409: 20}
    assert Counter(_statuses(live, user_id=user.id)) == {"active": 10}
    assert time.monotonic() - started < BUDGET_SECONDS


def test_one_wish_posted_ten_times_at_once_is_one_voice(live: Live, password_hash: str) -> None:
    started = time.monotonic()
    user = _resident(live, password_hash)
    shop_type(live.session)
    premise = make_premise(live.session)
    browser = _browser(live, user)
    form = {"premise": premise.id, "type": "bakery", "reason": "Bread"}
    statuses = _at_once(live, [(_twin(browser), form) for _ in range(10)])
    # One made, nine refused as a duplicate: no server error.
    assert Counter(statuses) == {201: 1, 400: 9}
    assert Counter(_statuses(live, user_id=user.id)) == {"active": 1}
    assert _public_counts(live, premise.id) == (1, "1")
    assert time.monotonic() - started < BUDGET_SECONDS


@pytest.mark.parametrize(
    "network",
    [[f"198.51.100.{n}" for n in range(1, 9)], [f"2001:db8:5:7::{n:x}" for n in range(1, 9)]],
    ids=["ipv4-24", "ipv6-64"],
)
def test_fresh_accounts_of_one_network_at_once_are_held(
    live: Live, password_hash: str, network: list[str]
) -> None:
    started = time.monotonic()
    shop_type(live.session)
    premise = make_premise(live.session)
    assert _public_counts(live, premise.id) == (0, "0")
    browsers = [
        _browser(live, _resident(live, password_hash, fresh=True), address) for address in network
    ]
    statuses = _at_once(live, [(b, {"premise": premise.id, "type": "bakery"}) for b in browsers])
    assert Counter(statuses) == {201: len(network)}
    # Eight fresh accounts of one network on one premise × type: held together, none counts.
    assert Counter(_statuses(live, premise_id=premise.id)) == {"held": len(network)}
    assert _public_counts(live, premise.id) == (0, "0")
    assert time.monotonic() - started < BUDGET_SECONDS
