"""Matching reports: who may read them, what they show, tenant ranking from the form."""

from __future__ import annotations

import pytest
from factories import make_premise, make_shop, make_street, make_user, make_wish
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.services.analysis import run_analysis


@pytest.fixture
def setup(session: Session) -> dict:
    owner = make_user(session, role="owner")
    street = make_street(session, "Rue du Four")
    premise = make_premise(
        session,
        manager_id=owner.id,
        street_id=street.id,
        address="3 Rue du Four",
        surface_m2=70,
        rent_eur_month=1800,
    )
    other = make_premise(session, street_id=street.id, address="5 Rue du Four")
    for index in range(8):
        make_wish(
            session, premise=premise, code="bakery", frequency=("weekly", "monthly")[index % 2]
        )
    make_wish(session, premise=premise, code="books")
    make_shop(session, "books", lat=premise.lat, lon=premise.lon + 0.0004)
    run_analysis(session)
    return {"owner": owner, "premise": premise, "other": other}


def test_manager_reads_the_report(client: FlaskClient, setup: dict) -> None:
    log_in(client, setup["owner"])
    page = client.get(f"/insights/premises/{setup['premise'].id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "3 Rue du Four" in text and "Bakery" in text
    assert "8/100" not in text  # gap scores are relative, not raw counts
    bakery_row = text[text.index("Bakery") : text.index("</tr>", text.index("Bakery"))]
    assert "none within 400 m" in bakery_row and "4 / 4 / 0" in bakery_row
    books_row = text[text.index("Bookshop") : text.index("</tr>", text.index("Bookshop"))]
    assert "1 (nearest 29 m)" in books_row or "1 (nearest 30 m)" in books_row
    listing = client.get("/insights/").get_data(as_text=True)
    assert "3 Rue du Four" in listing and "5 Rue du Four" not in listing


def test_who_may_read(client: FlaskClient, session: Session, setup: dict) -> None:
    url = f"/insights/premises/{setup['premise'].id}"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    log_in(client, make_user(session, role="owner"))
    assert client.get(url).status_code == 403  # an owner of other premises
    log_in(client, make_user(session, role="resident"))
    assert client.get(url).status_code == 403
    log_in(client, make_user(session, role="officer"))
    assert client.get(url).status_code == 200
    assert client.get("/insights/premises/999999").status_code == 404


def test_rank_candidates(client: FlaskClient, session: Session, setup: dict) -> None:
    log_in(client, setup["owner"])
    url = f"/insights/premises/{setup['premise'].id}"
    form = {
        "csrf_token": csrf_token(client, url),
        "shop_type-0": "books",
        "min_surface_m2-0": "30",
        "max_surface_m2-0": "60",
        "max_rent-0": "1500",
        "shop_type-1": "bakery",
        "name-1": "Boulangerie Martin",
        "min_surface_m2-1": "50",
        "max_surface_m2-1": "90",
        "max_rent-1": "2000",
    }
    page = client.post(url, data=form)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    first = text.index("Boulangerie Martin: gap")
    assert first < text.index("Bookshop: gap")
    assert "70 m² fits" in text


def test_bad_candidate_is_a_400_with_reason(client: FlaskClient, setup: dict) -> None:
    log_in(client, setup["owner"])
    url = f"/insights/premises/{setup['premise'].id}"
    form = {
        "csrf_token": csrf_token(client, url),
        "shop_type-0": "books",
        "min_surface_m2-0": "big",
        "max_surface_m2-0": "60",
        "max_rent-0": "1500",
    }
    page = client.post(url, data=form)
    assert page.status_code == 400
    assert "candidate 1: surface and rent must be numbers" in page.get_data(as_text=True)
    assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code == 400
    assert client.post(url, data={"shop_type-0": "books"}).status_code == 400  # no CSRF token
