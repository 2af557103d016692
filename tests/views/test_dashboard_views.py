"""The officers' dashboard page: who sees it, what it shows, in the reader's language."""

from __future__ import annotations

import re

import pytest
from dashboard_data import plant_dashboard
from factories import make_user
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web import log_in

from wishmap.models import Role


@pytest.fixture
def officer(app: Flask, client: FlaskClient, session: Session) -> FlaskClient:
    plant_dashboard(session)
    return log_in(client, make_user(session, role=Role.OFFICER))


def test_dashboard_shows_the_key_figures(app: Flask, officer: FlaskClient) -> None:
    app.config.update(STATS_MIN_RESIDENTS=3, STATS_NOISE=0)
    page = officer.get("/dashboard/").get_data(as_text=True)
    assert "<h1>Dashboard</h1>" in page
    assert "50.0 %" in page and "2 of 4 premises vacant" in page
    assert "wishes that came true" in page
    assert "/portfolio/where?type=bakery" in page  # the unmet demand links to its premises
    assert 'class="columns"' in page and "<title>2026-02: 10</title>" in page
    assert '<th scope="row">West</th>' in page and '<th scope="row">East</th>' in page
    assert re.search(r'href="/static/[0-9a-f]{12}/css/dashboard\.css"', page)


def test_dashboard_withholds_small_counts_by_default(officer: FlaskClient) -> None:
    page = officer.get("/dashboard/").get_data(as_text=True)
    assert "&lt;11" in page and "<title>2026-02: 10</title>" not in page
    assert "/portfolio/where?type=bakery" not in page  # 9 residents: below the floor


def test_dashboard_in_french(app: Flask, officer: FlaskClient) -> None:
    app.config.update(STATS_MIN_RESIDENTS=3, STATS_NOISE=0)
    page = officer.get("/dashboard/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Tableau de bord" in page and "taux de vacance" in page
    assert "souhaits exaucés" in page


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.OWNER, Role.AGENCY])
def test_only_officers_and_admins(session: Session, app: Flask, role: Role) -> None:
    client = log_in(app.test_client(), make_user(session, role=role))
    assert client.get("/dashboard/").status_code == 403
    admin = log_in(app.test_client(), make_user(session, role=Role.ADMIN))
    assert admin.get("/dashboard/").status_code == 200


def test_nav_links_officers_to_the_dashboard(officer: FlaskClient) -> None:
    assert 'href="/dashboard/"' in officer.get("/statistics/").get_data(as_text=True)
