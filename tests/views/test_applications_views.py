"""Applying through the public form, confirming by e-mail, and the managers' candidates page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from application_data import FORM, plant
from factories import make_user
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.mail import outbox_messages
from wishmap.models import Application, Premise, Role

LINK = re.compile(r"http://localhost(/apply/confirm/\S+)")


def post_application(client: FlaskClient, **fields: str) -> object:
    token = csrf_token(client, "/apply/")
    return client.post("/apply/", data={"csrf_token": token, **FORM, **fields})


def confirm(client: FlaskClient, outbox: Path) -> None:
    link = LINK.search(outbox_messages(outbox)[-1].get_content()).group(1)
    page = client.get(link)
    assert page.status_code == 200 and "Confirm your application" in page.get_data(as_text=True)
    response = client.post(link, data={"csrf_token": csrf_token(client, link)})
    assert response.status_code == 303 and "/apply/sent" in response.headers["Location"]


def test_apply_from_the_premise_page_confirm_and_the_owner_reads_it(
    client: FlaskClient, session: Session, outbox: Path
) -> None:
    data = plant(session)
    premise_id = data["premise"].id
    page = client.get(f"/premises/{premise_id}").get_data(as_text=True)
    assert f'href="/apply/?premise={premise_id}"' in page and "Apply for this premise" in page
    form = client.get(f"/apply/?premise={premise_id}").get_data(as_text=True)
    assert data["premise"].address in form
    response = post_application(client, premise=str(premise_id))
    assert response.status_code == 303 and response.headers["Location"].endswith("/apply/sent")
    assert "Look in your mailbox" in client.get("/apply/sent").get_data(as_text=True)
    log_in(client, data["owner"])
    url = f"/insights/premises/{premise_id}/candidates"
    assert "Fournil du Marché" not in client.get(url).get_data(as_text=True)  # not confirmed
    confirm(client, outbox)
    text = client.get(url).get_data(as_text=True)
    assert "Fournil du Marché" in text and "camille@example.org" in text
    assert "nearest competitor: Au Pain Doré (Bakery)" in text
    assert "Let to this candidate" in text
    assert "nan" not in text and "€0" not in text


def test_street_applications_from_the_general_form(
    client: FlaskClient, session: Session, outbox: Path
) -> None:
    data = plant(session, analyse=False)
    form = client.get("/apply/").get_data(as_text=True)
    assert f'value="street:{data["street"].id}"' in form
    response = post_application(client, place=f"street:{data['street'].id}")
    assert response.status_code == 303
    [application] = session.scalars(select(Application))
    assert application.street_id == data["street"].id and application.premise_id is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"place": "street:abc"}, "Choose one premise, street or district"),
        ({"min_surface_m2": "200"}, "The surface range must go"),
        ({"pitch": "p" * 1001}, "at most 1000 characters"),
        ({"contact_email": "not-an-address"}, "This is not an e-mail address"),
    ],
)
def test_bad_input_is_a_400_with_a_reason(
    client: FlaskClient, session: Session, outbox: Path, fields: dict[str, str], message: str
) -> None:
    data = plant(session, analyse=False)
    response = post_application(client, premise=str(data["premise"].id), **fields)
    if "place" in fields:
        response = post_application(client, **fields)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert message in text and 'role="alert"' in text
    assert 'value="Fournil du Marché"' in text  # what was typed is kept
    assert session.scalar(select(func.count()).select_from(Application)) == 0


def test_no_csrf_token_no_application(client: FlaskClient, session: Session) -> None:
    data = plant(session, analyse=False)
    response = client.post("/apply/", data={**FORM, "premise": str(data["premise"].id)})
    assert response.status_code == 400
    assert session.scalar(select(func.count()).select_from(Application)) == 0


def test_applying_is_rate_limited(
    app: Flask, client: FlaskClient, session: Session, outbox: Path
) -> None:
    app.config["APPLY_RATE_LIMIT"] = "2 per hour"
    data = plant(session, analyse=False)
    for _ in range(2):
        assert post_application(client, premise=str(data["premise"].id)).status_code == 303
    assert post_application(client, premise=str(data["premise"].id)).status_code == 429


def test_the_link_confirms_once_then_withdraws(
    client: FlaskClient, session: Session, outbox: Path
) -> None:
    data = plant(session, analyse=False)
    assert client.get("/apply/confirm/nonsense").status_code == 404
    post_application(client, premise=str(data["premise"].id))
    confirm(client, outbox)
    link = LINK.search(outbox_messages(outbox)[-1].get_content()).group(1)
    page = client.get(link)
    assert page.status_code == 200 and "Withdraw my application" in page.get_data(as_text=True)
    token = csrf_token(client, link)
    response = client.post(link, data={"csrf_token": token, "action": "withdraw"})
    assert response.status_code == 303
    assert session.scalars(select(Application)).one().status == "withdrawn"
    assert client.get(link).status_code == 404
    log_in(client, data["owner"])
    text = client.get(f"/insights/premises/{data['premise'].id}/candidates").get_data(as_text=True)
    assert "Fournil du Marché" not in text


def test_only_the_manager_reads_and_decides(
    client: FlaskClient, session: Session, outbox: Path
) -> None:
    data = plant(session, analyse=False)
    post_application(client, premise=str(data["premise"].id))
    confirm(client, outbox)
    application = session.scalars(select(Application)).one()
    url = f"/insights/premises/{data['premise'].id}/candidates"
    decide = f"{url}/{application.id}"
    assert client.get(url).status_code == 302  # a visitor is sent to log in
    for role in (Role.OWNER, Role.AGENCY, Role.RESIDENT):
        log_in(client, make_user(session, role=role))
        assert client.get(url).status_code == 403
        token = csrf_token(client, "/apply/")
        assert (
            client.post(decide, data={"csrf_token": token, "action": "reject"}).status_code == 403
        )
    log_in(client, make_user(session, role=Role.OFFICER))
    text = client.get(url).get_data(as_text=True)
    assert "Fournil du Marché" in text and "Let to this candidate" not in text
    assert client.get("/insights/premises/999999/candidates").status_code == 404
    session.refresh(application)
    assert application.status == "submitted"


def test_reject_then_let_through_the_page(
    client: FlaskClient, session: Session, outbox: Path
) -> None:
    data = plant(session)
    premise_id = data["premise"].id
    post_application(client, premise=str(premise_id))
    confirm(client, outbox)
    post_application(
        client,
        premise=str(premise_id),
        business_name="Lire Ici",
        shop_type="books",
        contact_email="lire@example.org",
    )
    confirm(client, outbox)
    bakery, books = session.scalars(select(Application).order_by(Application.id)).all()
    log_in(client, data["owner"])
    url = f"/insights/premises/{premise_id}/candidates"
    token = csrf_token(client, url)
    bad = client.post(f"{url}/{books.id}", data={"csrf_token": token, "action": "sell"})
    assert bad.status_code == 400 and "Unknown action" in bad.get_data(as_text=True)
    response = client.post(f"{url}/{books.id}", data={"csrf_token": token, "action": "reject"})
    assert response.status_code == 303
    assert "The candidate has been told" in client.get(url).get_data(as_text=True)
    assert str(outbox_messages(outbox)[-1]["To"]) == "lire@example.org"
    response = client.post(f"{url}/{bakery.id}", data={"csrf_token": token, "action": "let"})
    assert response.status_code == 303
    premise = session.get(Premise, premise_id)
    session.refresh(premise)
    assert premise.status == "let" and premise.opened_shop_type.code == "bakery"
    text = client.get(url).get_data(as_text=True)
    assert "The premise is let" in text and "Chosen" in text
    again = client.post(f"{url}/{bakery.id}", data={"csrf_token": token, "action": "let"})
    assert again.status_code == 400


def test_the_candidates_page_speaks_the_readers_language(
    client: FlaskClient, session: Session, outbox: Path
) -> None:
    data = plant(session, surface_m2=None, rent_eur_month=None)
    post_application(client, premise=str(data["premise"].id))
    confirm(client, outbox)
    log_in(client, data["owner"])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    text = client.get(f"/insights/premises/{data['premise'].id}/candidates").get_data(as_text=True)
    assert "Au Pain Doré (Boulangerie)" in text and "concurrent le plus proche" in text
    assert "surface non indiquée" in text and "loyer non indiqué" in text
    assert "nearest competitor" not in text and "nan" not in text
