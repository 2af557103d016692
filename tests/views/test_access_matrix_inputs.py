"""The route × role table again, with the inputs that gave server errors: every route as every
identity, with ids beyond any table (2^31, 2^63) in the URL and in every field, and with NUL and
other control characters in every field. No server error; the access rule still holds.
"""

from __future__ import annotations

from typing import Any

import pytest
from factories import make_user
from flask import Flask, url_for
from sqlalchemy.orm import Session
from test_access_matrix import (
    ANONYMOUS,
    EXPECTED,
    IDENTITIES,
    OBJECT_CHECKED,
    _allowed,
    _sample_values,
)
from test_malformed_requests import FIELDS, SKIPPED
from web import csrf_token, log_in

from wishmap.limits import limiter
from wishmap.models import Role
from wishmap.security import PUBLIC

HUGE = [2**31, 2**63]
CONTROL = ["\x00", "a\x1bb"]


def _open(client: Any, method: str, url: str, fields: dict[str, str], token: str) -> Any:
    if method == "GET":
        response = client.get(url, query_string=fields)
    else:
        response = client.post(url, data={**fields, "csrf_token": token})
    response.close()  # static files stream from an open file
    return response


def test_each_route_for_each_role_with_huge_ids_and_control_characters(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limiter, "enabled", False)
    users = {role.value: make_user(session, role=role) for role in Role}
    values = _sample_values(session, users)
    failures: list[str] = []
    sent = 0
    for identity in IDENTITIES:
        client = app.test_client()
        if identity != ANONYMOUS:
            log_in(client, users[identity])
        token = csrf_token(client)
        for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint):
            if rule.endpoint in SKIPPED:
                continue
            expected = EXPECTED[rule.endpoint]
            numeric = {name for name in rule.arguments if isinstance(values.get(name), int)}
            methods = sorted((rule.methods or set()) & {"GET", "POST"})
            cases: list[tuple[str, dict[str, Any], dict[str, str]]] = []
            for huge in HUGE:
                arguments = {
                    name: huge if name in numeric else values.get(name, huge)
                    for name in rule.arguments
                }
                cases.append((f"id {huge}", arguments, dict.fromkeys(FIELDS, str(huge))))
            sample = {name: values[name] for name in rule.arguments}
            for control in CONTROL:
                cases.append((f"field {control!r}", sample, dict.fromkeys(FIELDS, control)))
            for label, arguments, fields in cases:
                with app.test_request_context():
                    url = url_for(rule.endpoint, **arguments)
                for method in methods:
                    response = _open(client, method, url, fields, token)
                    sent += 1
                    status = response.status_code
                    location = response.headers.get("Location", "")
                    where = f"{method} {url} ({label}) as {identity}: {status} {location}"
                    to_login = status == 302 and "/account/login" in location
                    if status >= 500:
                        failures.append(f"{where}: server error")
                    elif label.startswith("field"):
                        # Refused before any view, rule or database sees it, with a reason.
                        if status != 400 or "control character" not in response.get_data(True):
                            failures.append(f"{where}: not refused as a control character")
                    elif numeric:
                        # An id no table can hold is not found, whoever asks.
                        if status != 404:
                            failures.append(f"{where}: expected 404")
                    elif not _allowed(expected, identity):
                        # The open API answers an anonymous caller 401, not a redirect.
                        api_refusal = status == 401 and rule.endpoint.startswith("open_data.")
                        refused = (
                            (to_login or api_refusal) if identity == ANONYMOUS else status == 403
                        )
                        if not refused:
                            failures.append(f"{where}: the access rule did not refuse")
                    # A public form may send to log in on success (a reset request does).
                    elif (to_login and expected != PUBLIC) or (
                        status == 403 and rule.endpoint not in OBJECT_CHECKED
                    ):
                        failures.append(f"{where}: refused but the rule admits {identity}")
    assert not failures, "\n".join(failures[:30])
    assert sent > 1000
