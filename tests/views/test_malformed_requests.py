"""Malformed input on every route gets a 4xx (or the page, ignoring it), never a server error.

Each route is requested as an anonymous visitor and as an admin (who may use every route),
with every query or form field that any view reads set to one awkward value after another.
"""

from __future__ import annotations

import pytest
from factories import make_premise, make_user, make_wish
from flask import Flask, url_for
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.limits import limiter
from wishmap.models import Role

AWKWARD = [
    "",
    "abc",
    "-1",
    "0",
    "99999999999999999999",
    "1e309",
    "nan",
    "2026-13-45",
    "<script>",
    "../../etc/passwd",
    "\x00",
    "1,2,3",
    "2.3,48.8,2.4,48.9",
    "999,999,999,999",
    "é" * 600,
]
FIELDS = [
    "bbox",
    "type",
    "group",
    "q",
    "page",
    "since",
    "until",
    "by",
    "then",
    "level",
    "district",
    "street",
    "premise",
    "lat",
    "lon",
    "next",
    "frequency",
    "reason",
    "outcome",
    "on",
    "locale",
    "email",
    "password",
    "status",
    "shop_type-0",
    "min_surface_m2-0",
    "max_surface_m2-0",
    "max_rent-0",
    "ids",
    "wish",
    "role",
    "ref",
    "decision",
    "action",
]
SKIPPED = {"static", "accounts.logout", "accounts.delete"}  # these end the test's session


@pytest.mark.sqlite_only
def test_no_route_answers_500_to_awkward_input(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limiter, "enabled", False)
    premise = make_premise(session)
    wish = make_wish(session, premise=premise, reason="Du pain")
    values = {
        "premise_id": premise.id,
        "wish_id": wish.id,
        "report_id": 1,
        "claim_id": 1,
        "token": "no-such-token",
        "application_id": 1,
        "filename": "css/wishmap.css",
        "token_id": 1,
        "rest": "nothing",
        "language": "fr",
    }
    admin = make_user(session, role=Role.ADMIN)
    failures, sent = [], 0
    for identity in ("anonymous", "admin"):
        client = app.test_client()
        if identity == "admin":
            log_in(client, admin)
        token = csrf_token(client)
        for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint):
            if rule.endpoint in SKIPPED:
                continue
            with app.test_request_context():
                url = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
            for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                for value in AWKWARD:
                    fields = {field: value for field in FIELDS}
                    if method == "GET":
                        response = client.get(url, query_string=fields)
                    else:
                        response = client.post(url, data={**fields, "csrf_token": token})
                    sent += 1
                    if response.status_code >= 500:
                        failures.append(
                            f"{method} {url} as {identity} with {value!r}: {response.status_code}"
                        )
    assert not failures, "\n".join(failures[:20])
    assert sent > 1000


CONTROL_AND_HUGE = ["\x00", "a\x01b", "x\x7f", str(2**31), str(2**63), str(2**64)]


def test_control_characters_and_huge_ids_never_give_a_server_error(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On both databases (PostgreSQL refuses NUL bytes and 32-bit overflows by raising)."""
    monkeypatch.setattr(limiter, "enabled", False)
    premise = make_premise(session)
    wish = make_wish(session, premise=premise, reason="Du pain")
    admin = make_user(session, role=Role.ADMIN)
    failures, sent = [], 0
    for identity in ("anonymous", "admin"):
        client = app.test_client()
        if identity == "admin":
            log_in(client, admin)
        token = csrf_token(client)
        for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint):
            if rule.endpoint in SKIPPED:
                continue
            for huge in (None, 2**31, 2**63):
                values = {
                    "premise_id": huge or premise.id,
                    "wish_id": huge or wish.id,
                    "report_id": huge or 1,
                    "claim_id": huge or 1,
                    "token": "no-such-token\x00" if huge else "no-such-token",
                    "filename": "css/wishmap.css",
                }
                with app.test_request_context():
                    # Any other id (applications, …) gets the same number.
                    arguments = {name: values.get(name, huge or 1) for name in rule.arguments}
                    url = url_for(rule.endpoint, **arguments)
                for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                    for value in CONTROL_AND_HUGE if huge is None else ["1"]:
                        fields = {field: value for field in FIELDS}
                        if method == "GET":
                            response = client.get(url, query_string=fields)
                        else:
                            response = client.post(url, data={**fields, "csrf_token": token})
                        sent += 1
                        if response.status_code >= 500:
                            failures.append(
                                f"{method} {url} as {identity} with {value!r}: "
                                f"{response.status_code}"
                            )
    assert not failures, "\n".join(failures[:20])
    assert sent > 500


def test_a_nul_byte_is_refused_with_a_reason(app: Flask, session: Session) -> None:
    client = app.test_client()
    login = client.post(
        "/account/login",
        data={"csrf_token": csrf_token(client), "email": "a\x00@example.org", "password": "x"},
    )
    assert login.status_code == 400
    assert "control character" in login.get_data(as_text=True)
    reset = client.post(
        "/account/reset",
        data={"csrf_token": csrf_token(client), "email": "\x00"},
        headers={"Accept": "application/json"},
    )
    assert reset.status_code == 400 and "NUL" in reset.get_json()["error"]
    assert client.get(f"/premises/{2**31}").status_code == 404
    assert client.get(f"/premises/{2**63}").status_code == 404


def test_the_api_refuses_a_nul_byte_in_json_without_being_asked_for_json(
    app: Flask, session: Session
) -> None:
    # Scripts reading the API seldom send Accept: application/json; they used to get a page.
    client = app.test_client()
    refused = client.get("/api/v1/premises?street=%00")
    assert refused.status_code == 400 and refused.mimetype == "application/json"
    assert refused.get_json()["error"] == "bad_parameter"
    assert "control character" in refused.get_json()["detail"]
    map_data = client.get("/api/premises.geojson?bbox=%00")
    assert map_data.status_code == 400 and "control character" in map_data.get_json()["error"]
    assert client.get(f"/api/v1/premises?street={2**63}").status_code in (400, 404)
