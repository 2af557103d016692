"""No English on a French or Dutch professional's screen: every page of owners, agencies, city
officers and admins (portfolio, premise report and its PDF's HTML, candidates, exclusions,
claims, dashboard, statistics, insights, administration) is rendered in fr and nl and checked
with the same word list as the resident pages (tests/english_leaks.py).
"""

from __future__ import annotations

from typing import Any

import application_data
import portfolio_data
import pytest
from dashboard_data import plant_dashboard
from english_leaks import english_words
from factories import make_user, make_wish, shop_type
from flask import Flask
from sqlalchemy.orm import Session
from web import log_in

from wishmap.models import Application, AuditEntry, Claim, Report, Role, TypeExclusion, WishStatus
from wishmap.services import report_pdf


def _world(session: Session) -> dict[str, Any]:
    """The portfolio district, with a claim, an exclusion, a report, a held wish, a candidate."""
    planted = portfolio_data.plant(session)
    plant_dashboard(session)
    agency, owner = planted["agency"], planted["owner"]
    bread, nobody = planted["premises"]["bread"], planted["premises"]["nobody"]
    officer = make_user(session, role=Role.OFFICER)
    admin = make_user(session, role=Role.ADMIN)
    wish = make_wish(session, premise=bread, code="books", reason="Des livres pour tous")
    make_wish(session, premise=bread, code="cafe", status=WishStatus.HELD.value)
    session.add_all(
        [
            Claim(premise_id=nobody.id, claimant_id=owner.id),
            TypeExclusion(manager_id=agency.id, shop_type_id=shop_type(session, "cafe").id),
            Report(wish_id=wish.id, reporter_id=make_user(session).id, reason="hors sujet"),
            Application(
                premise_id=bread.id,
                business_name="Fournil",
                shop_type_id=shop_type(session, "bakery").id,
                min_surface_m2=40,
                max_surface_m2=90,
                max_rent=2000,
                pitch="Du pain au levain.",
                contact_name="Camille",
                contact_email="camille@example.org",
                status="submitted",
            ),
            AuditEntry(
                actor_id=admin.id,
                actor_role="admin",
                action="hide_wish",
                target_type="wish",
                target_id=wish.id,
                before='{"status": "active"}',
                after='{"status": "hidden"}',
            ),
        ]
    )
    session.commit()
    return {"agency": agency, "owner": owner, "officer": officer, "admin": admin, "bread": bread}


PAGES = {
    "agency": [
        "/portfolio/",
        "/portfolio/?sort=days&status=vacant",
        "/portfolio/where?type=bakery",
        "/insights/premises/{bread}",
        "/insights/premises/{bread}/candidates",
        "/claims/",
        "/exclusions/",
    ],
    "owner": ["/claims/", "/exclusions/", "/portfolio/"],
    "officer": [
        "/dashboard/",
        "/statistics/",
        "/statistics/?by=district&then=type",
        "/statistics/?by=month",
        "/statistics/?by=group",
        "/statistics/map",
        "/statistics/map?type=bakery",
        "/portfolio/",
        "/account/api-tokens/",
    ],
    "admin": [
        "/admin/",
        "/admin/reports",
        "/admin/held",
        "/admin/roles",
        "/admin/audit",
        "/admin/jobs",
        "/admin/texts",
        "/claims/",
    ],
}


# Refused requests: the page says why, in the reader's language too. (The statistics page's
# refusals name URL parameters by their codes, "since", "by": the open API shares them.)
BAD_REQUESTS = {"agency": ["/portfolio/?sort=colour", "/portfolio/where?type=unicorn"]}


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_professional_pages_have_no_english(
    app: Flask, session: Session, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = _world(session)
    leaks: dict[str, set[str]] = {}
    for role, paths in PAGES.items():
        client = log_in(app.test_client(), world[role])
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        for template in paths:
            path = template.format(bread=world["bread"].id)
            page = client.get(path)
            assert page.status_code == 200, (role, path, page.status_code)
            if found := english_words(page.get_data(as_text=True), language):
                leaks[f"{role} {path}"] = found
    for role, paths in BAD_REQUESTS.items():
        client = log_in(app.test_client(), world[role])
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        for path in paths:
            page = client.get(path)
            assert page.status_code == 400, (role, path, page.status_code)
            if found := english_words(page.get_data(as_text=True), language):
                leaks[f"{role} {path}"] = found
    # Exports carry their words in the reader's language too. The portfolio CSV's header row
    # is its stable column codes (ref, days_vacant…) for scripts: only its rows are read.
    for role, path, skip in [
        ("agency", "/portfolio/export.csv", 1),
        ("agency", "/portfolio/where.csv?type=bakery", 0),
        ("officer", "/statistics/export.csv?by=district&then=type", 0),
    ]:
        client = log_in(app.test_client(), world[role])
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        export = client.get(path)
        assert export.status_code == 200, (role, path, export.status_code)
        rows = export.get_data(as_text=True).splitlines()[skip:]
        assert rows, path
        if found := english_words("\n".join(rows), language, html=False):
            leaks[f"{role} {path}"] = found
    # Forms sent back with the reasons they were refused, entrepreneurs' included.
    app.config["WTF_CSRF_ENABLED"] = False
    for role, path, data in [
        ("admin", "/admin/roles", {"email": "nobody@example.org", "role": "owner"}),
        ("owner", "/claims/", {"premise_ref": "NO-SUCH-REF"}),
        (None, "/apply/", {"business_name": "", "contact_email": "not an address"}),
        (None, "/apply/", {**application_data.FORM, "premise": str(world["bread"].id)}),
    ]:
        client = app.test_client() if role is None else log_in(app.test_client(), world[role])
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        page = client.post(path, data=data, follow_redirects=True)
        assert page.status_code in {200, 400}, (role, path, page.status_code)
        if found := english_words(page.get_data(as_text=True), language):
            leaks[f"POST {path} {sorted(data)}"] = found
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    if found := english_words(client.get("/apply/").get_data(as_text=True), language):
        leaks["/apply/"] = found
    # The PDF is made from the report's print variant: its HTML is checked as it is sent.
    printed: list[str] = []
    monkeypatch.setattr(
        report_pdf, "render_pdf", lambda html, *_args: printed.append(html) or b"%PDF"
    )
    client = log_in(app.test_client(), world["agency"])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    assert client.get(f"/insights/premises/{world['bread'].id}/report.pdf").status_code == 200
    [html] = printed
    if found := english_words(html, language):
        leaks["PDF"] = found
    assert leaks == {}, leaks
