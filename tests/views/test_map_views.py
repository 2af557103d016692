"""The public map page and its GeoJSON, through the Flask test client."""

from __future__ import annotations

import re

import geojson
from factories import make_premise, make_street, make_user, make_wish
from flask.testing import FlaskClient
from sqlalchemy.orm import Session


def test_map_page_serves_leaflet_locally(client: FlaskClient, session: Session) -> None:
    make_street(session, "Rue de Crimée")
    vacant = make_premise(session, address="12 Rue de Crimée")
    make_premise(session, status="let", address="14 Rue de Crimée")
    make_wish(session, premise=vacant)
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "1 of 2 premises on this map are vacant" in page
    assert '<meta name="viewport"' in page
    assets = re.findall(r'(?:src|href)="([^"#]+\.(?:js|css))"', page)
    assert "/static/vendor/leaflet/leaflet.js" in assets
    assert all(asset.startswith("/static/") for asset in assets), assets
    assert "cdn." not in page and "code.jquery.com" not in page
    assert "12 Rue de Crim" in page  # the premise travels inside the map's GeoJSON


def test_premises_geojson_is_valid_and_counts_active_wishes(
    client: FlaskClient, session: Session
) -> None:
    premise = make_premise(session)
    make_wish(session, premise=premise)
    make_wish(session, premise=premise, code="books")
    make_wish(session, premise=premise, status="withdrawn", user=make_user(session))
    response = client.get("/api/premises.geojson")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    collection = geojson.loads(response.get_data(as_text=True))
    assert collection.is_valid
    [feature] = collection["features"]
    assert feature["properties"]["wishes"] == 2
    assert feature["properties"]["ref"] == premise.ref
    assert "email" not in response.get_data(as_text=True)


def test_premise_list_searches_without_accents(client: FlaskClient, session: Session) -> None:
    make_premise(session, address="12 Rue de Crimée")
    make_premise(session, address="3 Rue de l'Ourcq")
    make_premise(session, address="5 Rue de Crimée", status="let")
    page = client.get("/premises/?q=crimee").get_data(as_text=True)
    assert "12 Rue de Crimée" in page
    assert "Ourcq" not in page and "5 Rue de Crimée" not in page
    assert "1 vacant premises matching" in page
