"""The open API's premises, shop types and demand (/api/v1): GeoJSON that validates, filters,
pagination with a maximum, protected counts, and a JSON reason for every bad parameter."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import geojson
import jsonschema
import pytest
from factories import make_premise, make_street, make_user, make_wish
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web import log_in

from wishmap.models import Premise, Role, Street
from wishmap.type_icons import icon_name


@dataclass
class City:
    alpha: Street
    bravo: Street
    busy: Premise  # 12 residents wish a bakery, 2 a florist (below the floor of 11)
    let: Premise
    quiet: Premise  # on Rue Bravo, no wish


@pytest.fixture
def city(session: Session) -> City:
    alpha = make_street(session, name="Rue Alpha", coordinates=[[2.370, 48.880], [2.375, 48.880]])
    bravo = make_street(session, name="Rue Bravo", coordinates=[[2.385, 48.890], [2.390, 48.890]])
    busy = make_premise(
        session, lat=48.8801, lon=2.3710, street_id=alpha.id, street_name="Rue Alpha"
    )
    let = make_premise(
        session, lat=48.8802, lon=2.3740, street_id=alpha.id, street_name="Rue Alpha", status="let"
    )
    quiet = make_premise(
        session, lat=48.8901, lon=2.3860, street_id=bravo.id, street_name="Rue Bravo"
    )
    for index in range(14):
        user = make_user(session)
        make_wish(session, user=user, premise=busy, code="bakery" if index < 12 else "florist")
    return City(alpha, bravo, busy, let, quiet)


def schema_of(client: FlaskClient, name: str) -> dict:
    spec = client.get("/api/v1/openapi.json").get_json()
    return {"$ref": f"#/components/schemas/{name}", **spec}


def valid(client: FlaskClient, body: dict, name: str) -> None:
    jsonschema.validate(body, schema_of(client, name), cls=jsonschema.Draft202012Validator)


def test_premises_are_a_valid_feature_collection(client: FlaskClient, city: City) -> None:
    response = client.get("/api/v1/premises")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    body = response.get_json()
    assert geojson.loads(response.get_data(as_text=True)).is_valid
    valid(client, body, "PremiseCollection")
    assert body["total"] == 3 and body["next_offset"] is None
    first = body["features"][0]
    # RFC 7946: longitude first.
    assert first["geometry"]["coordinates"] == [city.busy.lon, city.busy.lat]
    assert first["properties"]["street"] == "Rue Alpha"
    assert "wishes" not in first["properties"]  # counts only through the protected endpoints


def test_premises_filters(client: FlaskClient, city: City) -> None:
    def ids(query: str) -> set[int]:
        return {f["id"] for f in client.get(f"/api/v1/premises?{query}").get_json()["features"]}

    assert ids("status=let") == {city.let.id}
    assert ids("status=vacant") == {city.busy.id, city.quiet.id}
    assert ids(f"street={city.bravo.id}") == {city.quiet.id}
    assert ids("bbox=2.369,48.879,2.376,48.881") == {city.busy.id, city.let.id}
    assert ids("bbox=2.369,48.879,2.376,48.881&status=vacant") == {city.busy.id}
    assert ids("bbox=0,0,1,1") == set()


def test_premises_pagination(client: FlaskClient, city: City) -> None:
    first = client.get("/api/v1/premises?limit=2").get_json()
    assert len(first["features"]) == 2 and first["total"] == 3 and first["next_offset"] == 2
    rest = client.get("/api/v1/premises?limit=2&offset=2").get_json()
    assert len(rest["features"]) == 1 and rest["next_offset"] is None
    seen = [f["id"] for f in first["features"] + rest["features"]]
    assert sorted(seen) == sorted({city.busy.id, city.let.id, city.quiet.id})
    assert client.get("/api/v1/premises?limit=501").status_code == 400


# (URL, the parameter the answer names: None when the reason alone says which)
BAD: list[tuple[str, str | None]] = [
    ("/api/v1/premises?bbox=1,2,3", "bbox"),
    ("/api/v1/premises?bbox=a,b,c,d", "bbox"),
    ("/api/v1/premises?bbox=nan,0,1,1", "bbox"),
    ("/api/v1/premises?bbox=2,48,1,49", "bbox"),
    ("/api/v1/premises?bbox=2,91,3,92", "bbox"),
    ("/api/v1/premises?bbox=-181,0,1,1", "bbox"),
    ("/api/v1/premises?status=closed", "status"),
    ("/api/v1/premises?street=abc", "street"),
    ("/api/v1/premises?street=999999", "street"),
    ("/api/v1/premises?limit=0", "limit"),
    ("/api/v1/premises?limit=1&limit=2", "limit"),
    ("/api/v1/premises?offset=-1", "offset"),
    ("/api/v1/premises?offset=99999999999", "offset"),
    ("/api/v1/premises?colour=red", "colour"),
    ("/api/v1/shop-types?lang=de", "lang"),
    ("/api/v1/shop-types?group=toys", "group"),
    ("/api/v1/demand/premises?type=unicorns", "type"),
    ("/api/v1/demand/premises?premise=-3", "premise"),
    ("/api/v1/demand/cells", "bbox"),
    ("/api/v1/demand/cells?bbox=2.3,48.8,2.4,48.9&level=15", "level"),
    ("/api/v1/demand/cells?bbox=-180,-90,180,90&level=0", "level"),
    ("/api/v1/demand/cells?bbox=2.3,48.8,2.4,48.9&type=bakery&group=food", "group"),
    ("/api/v1/demand/streets?since=yesterday", None),
    ("/api/v1/demand/streets?since=2026-03-02&until=2026-03-01", None),
    ("/api/v1/demand/districts?type=unicorns", "type"),
    ("/api/v1/demand/streets?district=999999", None),
]


@pytest.mark.parametrize(("url", "parameter"), BAD)
def test_bad_parameters_get_a_json_reason(
    client: FlaskClient, city: City, url: str, parameter: str | None
) -> None:
    response = client.get(url)
    assert response.status_code == 400, url
    body = response.get_json()
    assert body["error"] == "bad_parameter" and body["detail"]
    assert body.get("parameter") == parameter
    jsonschema.validate(body, schema_of(client, "Error"), cls=jsonschema.Draft202012Validator)


def test_shop_types_in_the_language_asked(client: FlaskClient, city: City) -> None:
    body = client.get("/api/v1/shop-types?lang=fr&limit=500").get_json()
    valid(client, body, "ShopTypePage")
    labels = {item["code"]: item["label"] for item in body["items"]}
    assert labels["bakery"] == "Boulangerie" and body["language"] == "fr"
    dutch = client.get("/api/v1/shop-types?limit=500", headers={"Accept-Language": "nl"})
    assert {i["code"]: i["label"] for i in dutch.get_json()["items"]}["bakery"] == "Bakkerij"
    food = client.get("/api/v1/shop-types?group=food&limit=2").get_json()
    assert len(food["items"]) == 2 and food["total"] > 2
    assert all(item["group"] == "food" for item in food["items"])


def test_shop_types_carry_the_maps_svg_icons_not_emoji(client: FlaskClient, city: City) -> None:
    body = client.get("/api/v1/shop-types?limit=500").get_json()
    valid(client, body, "ShopTypePage")
    icons = {item["code"]: item for item in body["items"]}
    assert icons["books"]["icon"] == icon_name("books") == "library"
    for item in body["items"]:
        assert re.fullmatch(r"[a-z0-9-]+", item["icon"]), item
        url = item["icon_url"]
        assert re.fullmatch(
            rf"http://localhost/static/[0-9a-f]{{12}}/vendor/maki/{item['icon']}\.svg", url
        )
        answer = client.get(url.removeprefix("http://localhost"))
        assert answer.status_code == 200 and answer.mimetype == "image/svg+xml", url
        answer.close()


def test_premise_demand_is_protected(app: Flask, client: FlaskClient, city: City) -> None:
    body = client.get(f"/api/v1/demand/premises?premise={city.busy.id}").get_json()
    valid(client, body, "DemandPage")
    rows = {item["type"]: item for item in body["items"]}
    assert set(rows) == {"bakery", "florist"}
    # 12 residents: shown with a cell-key noise of at most ±2; 2 residents: withheld.
    assert abs(rows["bakery"]["residents"] - 12) <= 2 and not rows["bakery"]["suppressed"]
    assert rows["florist"] == {**rows["florist"], "residents": None, "wishes": None}
    assert rows["florist"]["suppressed"] is True
    assert body["protection"]["min_residents"] == app.config["STATS_MIN_RESIDENTS"]
    # The same residents always get the same figure, here and in the statistics by street.
    again = client.get(f"/api/v1/demand/premises?premise={city.busy.id}&type=bakery").get_json()
    assert again["items"][0]["residents"] == rows["bakery"]["residents"]
    by_street = client.get("/api/v1/demand/streets?type=bakery").get_json()["items"]
    alpha = next(item for item in by_street if item["id"] == city.alpha.id)
    assert alpha["residents"] == rows["bakery"]["residents"]


def test_premise_demand_filters_and_pages(
    client: FlaskClient, city: City, session: Session
) -> None:
    other = make_premise(
        session,
        lat=48.8902,
        lon=2.3870,
        street_id=city.bravo.id,
        street_name="Rue Bravo",
    )
    make_wish(session, premise=other, code="bakery")
    everything = client.get("/api/v1/demand/premises").get_json()
    assert everything["total"] == 3
    on_bravo = client.get(f"/api/v1/demand/premises?street={city.bravo.id}").get_json()
    assert [item["premise_id"] for item in on_bravo["items"]] == [other.id]
    bakeries = client.get("/api/v1/demand/premises?type=bakery").get_json()
    assert {item["premise_id"] for item in bakeries["items"]} == {city.busy.id, other.id}
    page = client.get("/api/v1/demand/premises?limit=1&offset=1").get_json()
    assert len(page["items"]) == 1 and page["next_offset"] == 2
    in_box = client.get("/api/v1/demand/premises?bbox=2.369,48.879,2.376,48.881").get_json()
    assert {item["premise_id"] for item in in_box["items"]} == {city.busy.id}


def test_cells_are_protected_geojson(client: FlaskClient, city: City, session: Session) -> None:
    # A lone resident far from the busy premise: their cell is withheld.
    make_wish(session, lat=48.8950, lon=2.3990, code="florist")
    response = client.get("/api/v1/demand/cells?bbox=2.36,48.87,2.40,48.90&level=0")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    assert geojson.loads(response.get_data(as_text=True)).is_valid
    body = response.get_json()
    valid(client, body, "CellCollection")
    cells = [f["properties"] for f in body["features"]]
    assert len(cells) == 2 and body["total"] == 2
    busy = next(c for c in cells if not c["suppressed"])
    lone = next(c for c in cells if c["suppressed"])
    assert abs(busy["residents"] - 14) <= 2 and busy["size_m"] == 100
    assert lone["residents"] is None and lone["wishes"] is None
    bakery = client.get("/api/v1/demand/cells?bbox=2.36,48.87,2.40,48.90&type=bakery").get_json()
    assert [f["properties"]["suppressed"] for f in bakery["features"]] == [False]
    coarse = client.get("/api/v1/demand/cells?bbox=2.36,48.87,2.40,48.90&level=6").get_json()
    assert all(f["properties"]["size_m"] == 6400 for f in coarse["features"])
    first = client.get("/api/v1/demand/cells?bbox=2.36,48.87,2.40,48.90&limit=1").get_json()
    assert len(first["features"]) == 1 and first["next_offset"] == 1


def test_streets_and_districts_reuse_the_statistics(client: FlaskClient, city: City) -> None:
    streets = client.get("/api/v1/demand/streets").get_json()
    valid(client, streets, "AreaPage")
    alpha = next(item for item in streets["items"] if item["id"] == city.alpha.id)
    assert alpha["name"] == "Rue Alpha" and abs(alpha["residents"] - 14) <= 2
    florists = client.get("/api/v1/demand/streets?type=florist").get_json()
    assert all(item["suppressed"] for item in florists["items"])
    page = client.get("/api/v1/demand/streets?limit=1&offset=0").get_json()
    assert len(page["items"]) == 1 and page["limit"] == 1
    # No districts imported: a reason, not an error page.
    districts = client.get("/api/v1/demand/districts")
    assert districts.status_code == 400 and districts.get_json()["error"] == "bad_parameter"


def test_vacancies_are_for_officers(client: FlaskClient, city: City, session: Session) -> None:
    anonymous = client.get("/api/v1/vacancies")
    assert anonymous.status_code == 401 and anonymous.get_json()["error"] == "unauthorized"
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    log_in(client, make_user(session, role=Role.RESIDENT))
    resident = client.get("/api/v1/vacancies")
    assert resident.status_code == 403 and resident.get_json()["error"] == "forbidden"
    officer_client = client.application.test_client()
    log_in(officer_client, make_user(session, role=Role.OFFICER))
    body = officer_client.get("/api/v1/vacancies?status=vacant").get_json()
    valid(officer_client, body, "VacancyPage")
    assert {item["id"] for item in body["items"]} == {city.busy.id, city.quiet.id}
    assert body["items"][0]["rent_eur_month"] == 1500


def test_openapi_lists_every_endpoint_with_its_parameters(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    expected = {
        "/premises",
        "/shop-types",
        "/vacancies",
        "/demand/premises",
        "/demand/cells",
        "/demand/streets",
        "/demand/districts",
    }
    assert expected <= set(spec["paths"])
    for path in expected:
        names = {p["name"] for p in spec["paths"][path]["get"]["parameters"]}
        assert {"limit", "offset"} <= names, path
        limit = next(p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == "limit")
        assert limit["schema"]["maximum"] == 500
    assert spec["paths"]["/vacancies"]["get"]["security"] == [{"bearerToken": []}]
    assert spec["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    assert json.dumps(spec)  # serialisable as served


def test_wrong_urls_and_methods_answer_json(client: FlaskClient) -> None:
    missing = client.get("/api/v1/nothing/here")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    posted = client.post("/api/v1/premises", data={"x": "1"})
    assert posted.status_code == 405 and posted.get_json()["error"] == "method_not_allowed"
    nowhere = client.delete("/api/v1/nothing")
    assert nowhere.status_code == 404 and nowhere.is_json
