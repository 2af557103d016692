"""The public map page, its GeoJSON API, the premise list and the language switcher."""

from __future__ import annotations

import re

import geojson
from factories import make_premise, make_street, make_user, make_wish
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.models import User

BBOX = "2.37,48.87,2.40,48.89"


def test_map_page_is_small_and_serves_everything_locally(
    client: FlaskClient, session: Session
) -> None:
    premise = make_premise(session, address="12 Rue de Crimée")
    for _ in range(30):
        make_wish(session, premise=premise)
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"#]+\.(?:js|css))"', page)
    # Under the static files' version (a hash of their content), so they can be cached for good.
    unversioned = {re.sub(r"^/static/[0-9a-f]{12}/", "/static/", asset) for asset in assets}
    assert "/static/vendor/leaflet/leaflet.js" in unversioned
    assert "/static/vendor/leaflet-heat/leaflet-heat.js" in unversioned
    assert "/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in unversioned
    assert "/static/js/map.js" in unversioned
    assert all(re.match(r"/static/[0-9a-f]{12}/", asset) for asset in assets), assets
    assert "cdn." not in page and "user-scalable=no" not in page
    # The data comes from the API for the visible area, not inside the page.
    assert "12 Rue de Crim" not in page
    assert len(response.data) < 30_000
    assert '<html lang="en">' in page


def test_premises_geojson_counts_active_wishes_of_vacant_premises_in_view(
    client: FlaskClient, session: Session
) -> None:
    premise = make_premise(session)
    make_premise(session, status="let")
    make_premise(session, lat=48.95)  # outside the view
    make_wish(session, premise=premise)
    make_wish(session, premise=premise, code="books")
    make_wish(session, premise=premise, code="books")
    make_wish(session, premise=premise, status="withdrawn")
    make_wish(session, premise=premise, status="pending")
    response = client.get(f"/api/premises.geojson?bbox={BBOX}")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    collection = geojson.loads(response.get_data(as_text=True))
    assert collection.is_valid
    [feature] = collection["features"]
    assert feature["id"] == premise.id
    assert feature["properties"]["wishes"] == 3
    assert feature["properties"]["icon"] == "library"  # static/vendor/maki/library.svg
    assert "email" not in response.get_data(as_text=True)


def test_demand_is_counted_per_cell_and_never_shows_a_wish_point(
    client: FlaskClient, session: Session
) -> None:
    free = make_wish(session, lat=48.88012, lon=2.38034)
    make_wish(session, lat=48.88016, lon=2.38031, code="books")
    make_wish(session, lat=48.88, lon=2.38, status="hidden")
    collection = client.get(f"/api/demand.geojson?bbox={BBOX}").get_json()
    assert collection["cell_m"] >= 100
    [cell] = collection["features"]
    assert cell["properties"] == {"n": 2}
    lon, lat = cell["geometry"]["coordinates"]
    assert (lat, lon) != (free.lat, free.lon)
    assert abs(lat - free.lat) < 0.001 and abs(lon - free.lon) < 0.0015
    by_type = client.get(f"/api/demand.geojson?bbox={BBOX}&type=books").get_json()
    assert [f["properties"]["n"] for f in by_type["features"]] == [1]
    by_group = client.get(f"/api/demand.geojson?bbox={BBOX}&group=culture").get_json()
    assert [f["properties"]["n"] for f in by_group["features"]] == [1]


def test_malformed_map_requests_get_a_reason(client: FlaskClient, session: Session) -> None:
    make_premise(session)
    for url in (
        "/api/premises.geojson",
        "/api/premises.geojson?bbox=1,2,3",
        "/api/premises.geojson?bbox=a,b,c,d",
        "/api/premises.geojson?bbox=2.4,48.87,2.37,48.89",
        "/api/demand.geojson?bbox=nan,48.87,2.40,48.89",
        "/api/streets.geojson?bbox=0,40,10,50",
        f"/api/demand.geojson?bbox={BBOX}&type=spaceport",
        f"/api/demand.geojson?bbox={BBOX}&group=nope",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.get_json()["error"], url
    assert client.get("/api/premises/999999").status_code == 404


def test_premise_summary_for_the_popup(client: FlaskClient, session: Session) -> None:
    premise = make_premise(session, address="3 Rue Pasteur", surface_m2=48.6)
    make_wish(session, premise=premise, reason="Du bon pain", user=make_user(session))
    make_wish(session, premise=premise)
    make_wish(session, premise=premise, code="books")
    summary = client.get(f"/api/premises/{premise.id}").get_json()
    assert summary["address"] == "3 Rue Pasteur" and summary["surface_m2"] == 49
    assert [(t["code"], t["count"]) for t in summary["types"]] == [("bakery", 2), ("books", 1)]
    assert summary["reasons"][0]["text"] == "Du bon pain"
    assert summary["url"] == f"/premises/{premise.id}"
    french = client.get(f"/api/premises/{premise.id}", headers={"Accept-Language": "fr"}).get_json()
    assert french["types"][0]["label"] == "Boulangerie"


def test_places_finds_streets_and_premises_without_accents(
    client: FlaskClient, session: Session
) -> None:
    make_street(session, "Rue de Crimée")
    make_premise(session, address="12 Rue de Crimée")
    labels = [
        f["properties"]["label"] for f in client.get("/api/places?q=crimee").get_json()["features"]
    ]
    assert labels == ["Rue de Crimée", "12 Rue de Crimée"]
    assert client.get("/api/places?q=").get_json()["features"] == []


def test_premise_list_by_street_searches_without_accents(
    client: FlaskClient, session: Session
) -> None:
    make_premise(session, address="12 Rue de Crimée", street_name="Rue de Crimée")
    make_premise(session, address="3 Rue de l'Ourcq", street_name="Rue de l'Ourcq")
    make_premise(session, address="5 Rue de Crimée", status="let")
    page = client.get("/premises/?q=crimee").get_data(as_text=True)
    assert "12 Rue de Crimée" in page and "<h2>Rue de Crimée</h2>" in page
    assert "Ourcq" not in page and "5 Rue de Crimée" not in page
    assert "1 vacant premise matching" in page


def test_language_from_browser_and_switcher(client: FlaskClient, session: Session) -> None:
    premise = make_premise(session)
    make_wish(session, premise=premise)
    page = client.get(f"/premises/{premise.id}", headers={"Accept-Language": "nl-BE,nl;q=0.9"})
    text = page.get_data(as_text=True)
    assert '<html lang="nl">' in text and "Bakkerij" in text
    user = make_user(session)
    log_in(client, user)
    token = csrf_token(client, "/")
    response = client.post(
        "/language", data={"csrf_token": token, "locale": "fr", "next": "/premises/"}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/premises/"
    assert "Locaux vacants" in client.get("/premises/").get_data(as_text=True)
    session.expire_all()
    assert session.get(User, user.id).locale == "fr"
    bad = client.post("/language", data={"csrf_token": token, "locale": "de"})
    assert bad.status_code == 400
    evil = client.post(
        "/language", data={"csrf_token": token, "locale": "en", "next": "https://evil.example/"}
    )
    assert evil.headers["Location"] == "/"
