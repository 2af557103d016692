"""Claiming from the premise page, the managed list, the exclusions page, zoning on the page."""

from __future__ import annotations

import json

from factories import make_premise, make_street, make_user, shop_type
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.models import AuditEntry, Claim, Role, TypeExclusion
from wishmap.services.importing import geojson_records
from wishmap.services.zoning import import_zoning


def test_an_owner_claims_from_the_premise_page(app: Flask, session: Session) -> None:
    agency = make_user(session, role=Role.AGENCY)
    owner = make_user(session, role=Role.OWNER)
    premise = make_premise(session, ref="INT-4711", address="12 Rue de Test")
    page = f"/premises/{premise.id}"
    client = log_in(app.test_client(), owner)
    html = client.get(page).get_data(as_text=True)
    assert "I manage this premise" in html
    assert "INT-4711" not in html  # the internal reference is for its managers

    token = csrf_token(client, page)
    response = client.post(f"/claims/premises/{premise.id}", data={"csrf_token": token})
    assert response.status_code == 303 and response.location.endswith(page)
    claim = session.scalar(select(Claim).where(Claim.premise_id == premise.id))
    assert claim is not None and (claim.claimant_id, claim.status) == (owner.id, "pending")
    html = client.get(page).get_data(as_text=True)
    assert "waiting for a decision" in html and "I manage this premise" not in html
    # A second press says why, and files nothing more.
    again = client.post(f"/claims/premises/{premise.id}", data={"csrf_token": token})
    assert again.status_code == 400 and "wait for the decision" in again.get_data(as_text=True)
    assert client.post("/claims/premises/999999", data={"csrf_token": token}).status_code == 404

    # The admin approves on the claims page; the owner now manages it and sees its reference.
    admin = log_in(app.test_client(), make_user(session, role=Role.ADMIN))
    decided = admin.post(
        f"/claims/{claim.id}/decision",
        data={"csrf_token": csrf_token(admin, "/claims/"), "decision": "approve"},
    )
    assert decided.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "INT-4711" in html and "I manage this premise" not in html
    assert agency.id != owner.id


def test_residents_see_no_claim_button_and_cannot_claim(app: Flask, session: Session) -> None:
    premise = make_premise(session)
    resident = log_in(app.test_client(), make_user(session))
    assert "I manage this premise" not in resident.get(f"/premises/{premise.id}").get_data(
        as_text=True
    )
    token = csrf_token(resident, f"/premises/{premise.id}")
    assert (
        resident.post(f"/claims/premises/{premise.id}", data={"csrf_token": token}).status_code
        == 403
    )
    visitor = app.test_client()
    assert "I manage this premise" not in visitor.get(f"/premises/{premise.id}").get_data(
        as_text=True
    )
    # Without a CSRF token the button's request is refused.
    owner = log_in(app.test_client(), make_user(session, role=Role.OWNER))
    assert owner.post(f"/claims/premises/{premise.id}").status_code == 400
    assert session.scalar(select(Claim.id)) is None


def test_managed_premises_are_links_in_natural_order(app: Flask, session: Session) -> None:
    owner = make_user(session, role=Role.OWNER)
    for address, street in [
        ("10 rue X", "Rue X"),
        ("2 rue X", "Rue X"),
        ("10bis rue X", "Rue X"),
        ("1 avenue A", "Avenue A"),
    ]:
        make_premise(session, address=address, street_name=street, manager_id=owner.id)
    html = log_in(app.test_client(), owner).get("/claims/").get_data(as_text=True)
    order = [
        html.index(f">{address}</a>")
        for address in ("1 avenue A", "2 rue X", "10 rue X", "10bis rue X")
    ]
    assert order == sorted(order)
    assert 'href="/premises/' in html and 'href="/insights/premises/' in html
    assert "reference P-" in html


def test_the_exclusions_page_saves_and_audits(app: Flask, session: Session) -> None:
    shop_type(session)
    agency = make_user(session, role=Role.AGENCY)
    client = log_in(app.test_client(), agency)
    page = client.get("/exclusions/")
    assert page.status_code == 200 and 'name="type" value="bank"' not in page.get_data(as_text=True)
    token = csrf_token(client, "/exclusions/")
    saved = client.post("/exclusions/", data={"csrf_token": token, "type": ["mobile_phone", "bar"]})
    assert saved.status_code == 303
    excluded = session.scalars(
        select(TypeExclusion.shop_type_id).where(TypeExclusion.manager_id == agency.id)
    ).all()
    assert set(excluded) == {shop_type(session, "mobile_phone").id, shop_type(session, "bar").id}
    html = client.get("/exclusions/").get_data(as_text=True)
    assert 'value="bar" checked' in html and 'value="bakery" checked' not in html
    refused = client.post("/exclusions/", data={"csrf_token": token, "type": ["spaceport"]})
    assert refused.status_code == 400 and "Unknown shop type: spaceport" in refused.get_data(
        as_text=True
    )
    assert client.post("/exclusions/", data={"type": ["bar"]}).status_code == 400  # no CSRF
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "set_exclusions"))
    assert entry is not None and json.loads(entry.after) == {"types": ["bar", "mobile_phone"]}
    # An admin's list holds for every premise; an agency sees those types as not its to change.
    admin = log_in(app.test_client(), make_user(session, role=Role.ADMIN))
    admin.post(
        "/exclusions/", data={"csrf_token": csrf_token(admin, "/exclusions/"), "type": "bakery"}
    )
    html = client.get("/exclusions/").get_data(as_text=True)
    assert 'value="bakery" disabled' in html


def test_the_premise_page_shows_its_zoning(app: Flask, session: Session) -> None:
    axis = [[2.38, 48.88], [2.39, 48.88]]
    make_street(session, "Rue de Test", axis)
    premise = make_premise(session, address="12 Rue de Test", lat=48.8801, lon=2.385)
    layer = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"N_SQ_PCA": 1, "PCA": "O", "PPA": "O", "NOM_VOIE": "Rue de Test"},
                "geometry": {"type": "LineString", "coordinates": axis},
            }
        ],
    }
    import_zoning(session, geojson_records(json.dumps(layer)))
    client = app.test_client()
    html = client.get(f"/premises/{premise.id}").get_data(as_text=True)
    assert "Protected shopping frontage (commerce and crafts)" in html
    assert "Special protection of crafts (crafts only)" in html
    client.post("/language", data={"csrf_token": csrf_token(client, "/"), "locale": "fr"})
    html = client.get(f"/premises/{premise.id}").get_data(as_text=True)
    assert "Protection particulière de l&#39;artisanat" in html
