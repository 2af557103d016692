"""Every route, every role: the declared access rule matches this table, and requests obey it.

A route that is not in EXPECTED fails the suite: a new route needs an access rule in its view
AND a line here, so nobody opens a page to the wrong people by accident.
"""

from __future__ import annotations

from typing import Any

import pytest
from factories import make_premise, make_user, make_wish, shop_type
from flask import Flask
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.limits import limiter
from wishmap.models import Application, Claim, Report, Role
from wishmap.security import AUTHENTICATED, PUBLIC, access_rule

ANONYMOUS = "anonymous"
IDENTITIES = [ANONYMOUS, *(role.value for role in Role)]


def only(*names: str) -> frozenset[str]:
    """The rule of @roles(...): the named roles, and admins always."""
    return frozenset({*names, "admin"})


EXPECTED: dict[str, str | frozenset[str]] = {
    "static": PUBLIC,
    # the public map and lists
    "map.index": PUBLIC,
    "map.premises_geojson": PUBLIC,
    "map.demand_geojson": PUBLIC,
    "map.streets_geojson": PUBLIC,
    "map.places": PUBLIC,
    "map.premise_summary": PUBLIC,
    "premises.index": PUBLIC,
    "premises.show": PUBLIC,
    "outcomes.index": PUBLIC,
    "premises.outcome": only("owner", "agency"),
    "premises.follow": AUTHENTICATED,
    "premises.unfollow": AUTHENTICATED,
    "premises.unfollow_link": PUBLIC,
    "premises.preview": PUBLIC,
    "language.switch": PUBLIC,
    # probes for load balancers
    "health.healthz": PUBLIC,
    "health.readyz": PUBLIC,
    # accounts
    "accounts.login": PUBLIC,
    "accounts.register_view": PUBLIC,
    "accounts.registered": PUBLIC,
    "accounts.logout": AUTHENTICATED,
    "accounts.settings": AUTHENTICATED,
    "accounts.verify": PUBLIC,
    "accounts.resend_verification": AUTHENTICATED,
    "accounts.reset_request": PUBLIC,
    "accounts.reset_password": PUBLIC,
    "accounts.password": AUTHENTICATED,
    "accounts.name": AUTHENTICATED,
    "accounts.email": AUTHENTICATED,
    "accounts.confirm_email": PUBLIC,
    "accounts.export": AUTHENTICATED,
    "accounts.delete": AUTHENTICATED,
    # log-in through the city's OpenID Connect provider (404 while it is not configured)
    "identity.login": PUBLIC,
    "identity.callback": PUBLIC,
    # wishing
    "wishes.new": AUTHENTICATED,
    "wishes.draft": PUBLIC,
    "wishes.create": AUTHENTICATED,
    "wishes.support": AUTHENTICATED,
    "wishes.update": AUTHENTICATED,
    "wishes.withdraw": AUTHENTICATED,
    "wishes.restore": AUTHENTICATED,
    "me.index": AUTHENTICATED,
    "me.read_notifications": AUTHENTICATED,
    # moderation and claims
    "reports.new": AUTHENTICATED,
    "claims.index": only("owner", "agency"),
    "claims.create": only("owner", "agency"),
    "claims.decide": only("agency"),
    "claims.claim_from_page": only("owner", "agency"),
    # exclusions: shop types a manager will not let to (admins: for every premise)
    "exclusions.index": only("owner", "agency"),
    "exclusions.update": only("owner", "agency"),
    "admin.index": only(),
    "admin.reports": only(),
    "admin.hide": only(),
    "admin.restore": only(),
    "admin.dismiss": only(),
    "admin.held": only(),
    "admin.decide_held": only(),
    "admin.roles_view": only(),
    "admin.audit": only(),
    "admin.jobs": only(),
    # the district's name, introduction and privacy notice, per language
    "site_texts.edit": only(),
    "site_texts.save": only(),
    "site_texts.privacy": PUBLIC,
    # matching reports
    "insights.index": only("owner", "agency", "officer"),
    "insights.premise": only("owner", "agency", "officer"),
    "insights.premise_pdf": only("owner", "agency", "officer"),
    "insights.reports_zip": only("owner", "agency", "officer"),
    # candidates who apply: a public form, managers read and decide
    "applications.new": PUBLIC,
    "applications.create": PUBLIC,
    "applications.sent": PUBLIC,
    "applications.verify": PUBLIC,
    "applications.for_premise": only("owner", "agency", "officer"),
    "applications.decide": only("owner", "agency"),
    # portfolio: premises ranked by demand, and where a shop type should go
    "portfolio.index": only("owner", "agency", "officer"),
    "portfolio.export_csv": only("owner", "agency", "officer"),
    "portfolio.export_xlsx": only("owner", "agency", "officer"),
    "portfolio.where": only("owner", "agency", "officer"),
    "portfolio.where_csv": only("owner", "agency", "officer"),
    # statistics and exports for city officers
    "statistics.index": only("officer"),
    "statistics.demand_map": only("officer"),
    "statistics.export_csv": only("officer"),
    "statistics.export_geojson": only("officer"),
    "statistics.export_xlsx": only("officer"),
    "dashboard.index": only("officer"),
    # the open API: published, protected aggregates only
    "open_data.statistics": PUBLIC,
    "open_data.dashboard": PUBLIC,
    "open_data.openapi": PUBLIC,
    "open_data.premises": PUBLIC,
    "open_data.shop_types": PUBLIC,
    "open_data.premise_demand": PUBLIC,
    "open_data.cell_demand": PUBLIC,
    "open_data.street_demand": PUBLIC,
    "open_data.district_demand": PUBLIC,
    # officer data through the API: 401 (not a redirect) without a session or token
    "open_data.vacancies": only("officer"),
    "open_data.not_found": PUBLIC,  # any other /api/v1 URL: a JSON 404
    # personal API tokens on an officer's account
    "api_tokens.index": only("officer"),
    "api_tokens.create": only("officer"),
    "api_tokens.revoke": only("officer"),
}

# Routes whose service also checks that the user manages the object: a role the rule admits
# may still get 403 for someone else's premise. The rule-level refusals are checked all the same.
OBJECT_CHECKED = {
    "premises.outcome",
    "insights.premise",
    "insights.premise_pdf",
    "applications.for_premise",
    "applications.decide",
}


def test_every_route_declares_the_expected_rule(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(EXPECTED))
    assert not missing, (
        f"routes without a line in EXPECTED (tests/views/test_access_matrix.py): {missing}; "
        "give each an access rule (@public, @authenticated, @roles) and a line there"
    )
    stale = sorted(set(EXPECTED) - endpoints)
    assert not stale, f"EXPECTED names routes that no longer exist: {stale}"
    wrong = {
        endpoint: access_rule(app, endpoint)
        for endpoint in endpoints
        if access_rule(app, endpoint) != EXPECTED[endpoint]
    }
    assert not wrong, f"declared rules differ from EXPECTED: {wrong}"


def _allowed(rule: str | frozenset[str], identity: str) -> bool:
    if rule == PUBLIC:
        return True
    if identity == ANONYMOUS:
        return False
    return rule == AUTHENTICATED or identity in rule


def _sample_application(session: Session, premise_id: int) -> int:
    """A submitted application for the premise (candidates' routes take its id)."""
    application = Application(
        premise_id=premise_id,
        business_name="Fournil",
        shop_type_id=shop_type(session, "bakery").id,
        min_surface_m2=40,
        max_surface_m2=90,
        max_rent=2000,
        pitch="Bread.",
        contact_name="Camille",
        contact_email="camille@example.org",
        status="submitted",
    )
    session.add(application)
    session.commit()
    return application.id


def _sample_values(session: Session, users: dict[str, Any]) -> dict[str, Any]:
    """URL values for every converter the app uses, pointing at real rows."""
    agency = users["agency"]
    premise = make_premise(session, manager_id=agency.id)
    wish = make_wish(session, premise=premise, reason="Du bon pain")
    reporter = make_user(session)
    report = Report(wish_id=wish.id, reporter_id=reporter.id, reason="rude")
    claim = Claim(premise_id=premise.id, claimant_id=users["owner"].id)
    session.add_all([report, claim])
    session.commit()
    return {
        "premise_id": premise.id,
        "wish_id": wish.id,
        "report_id": report.id,
        "claim_id": claim.id,
        "token": "no-such-token",
        "application_id": _sample_application(session, premise.id),
        "filename": "css/wishmap.css",
        "token_id": 1,
        "rest": "nothing",
        "language": "fr",
    }


def test_each_route_for_each_role(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rate limits have tests of their own; here they would only blur the access answers.
    monkeypatch.setattr(limiter, "enabled", False)
    users = {role.value: make_user(session, role=role) for role in Role}
    values = _sample_values(session, users)
    checked = 0
    failures = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint):
        expected = EXPECTED[rule.endpoint]
        url_values = {name: values[name] for name in rule.arguments}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **url_values)
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            for identity in IDENTITIES:
                client = app.test_client()
                if identity != ANONYMOUS:
                    log_in(client, users[identity])
                data = {"csrf_token": csrf_token(client)} if method == "POST" else None
                response = client.open(url, method=method, data=data)
                status, location = response.status_code, response.headers.get("Location", "")
                response.close()  # static files stream from an open file
                to_login = status == 302 and "/account/login" in location
                checked += 1
                where = f"{method} {url} ({rule.endpoint}) as {identity}: {status} {location}"
                if status >= 500:
                    failures.append(f"{where}: server error")
                elif _allowed(expected, identity):
                    refused = to_login or (status == 403 and rule.endpoint not in OBJECT_CHECKED)
                    if refused:
                        failures.append(f"{where}: refused but the rule admits {identity}")
                elif identity == ANONYMOUS:
                    api_refusal = status == 401 and rule.endpoint.startswith("open_data.")
                    if not (to_login or api_refusal):
                        failures.append(f"{where}: anonymous not sent to log in")
                elif status != 403:
                    failures.append(f"{where}: expected 403")
    assert not failures, "\n".join(failures)
    # Every route was requested at least once per identity.
    assert checked >= len(EXPECTED) * len(IDENTITIES)


def test_a_route_without_a_rule_is_refused(app: Flask) -> None:
    app.add_url_rule("/forgotten", "forgotten", lambda: "open")
    response = app.test_client().get("/forgotten")
    assert response.status_code == 403
