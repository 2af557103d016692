"""The open API (/api/v1): protected figures in JSON, paginated, JSON errors, an OpenAPI 3.1
document that every answer validates against, and a rate limit."""

from __future__ import annotations

import json

import jsonschema
import pytest
from factories import make_street, make_user, make_wish
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session


@pytest.fixture
def planted(session: Session) -> None:
    """12 residents wish on Rue Alpha, 3 on Rue Bravo (below the default floor of 11)."""
    a = make_street(session, name="Rue Alpha", coordinates=[[2.37, 48.88], [2.375, 48.88]])
    b = make_street(session, name="Rue Bravo", coordinates=[[2.385, 48.89], [2.39, 48.89]])
    for index in range(15):
        street = a if index < 12 else b
        lon, lat = json.loads(street.geometry)["coordinates"][0]
        make_wish(session, user=make_user(session), lat=lat, lon=lon, street_id=street.id)


def validate(client: FlaskClient, body: dict, schema: str) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    resolver_schema = {"$ref": f"#/components/schemas/{schema}", **spec}
    jsonschema.validate(body, resolver_schema, cls=jsonschema.Draft202012Validator)


def test_statistics_are_public_and_protected(client: FlaskClient, planted: None) -> None:
    response = client.get("/api/v1/statistics?by=street")
    assert response.status_code == 200 and response.content_type == "application/json"
    body = response.get_json()
    validate(client, body, "StatisticsPage")
    assert body["protection"] == {
        "method": "cell key",
        "min_residents": 11,
        "max_noise": 2,
        "suppressed_counts": None,
    }
    rows = {row["street"]: row for row in body["rows"]}
    assert abs(rows["Rue Alpha"]["residents"] - 12) <= 2 and not rows["Rue Alpha"]["suppressed"]
    assert rows["Rue Bravo"]["residents"] is None and rows["Rue Bravo"]["suppressed"]
    # The same figures as the officers' export: one rule everywhere.
    again = client.get("/api/v1/statistics?by=street").get_json()
    assert again["rows"] == body["rows"]


def test_statistics_are_paginated(client: FlaskClient, planted: None) -> None:
    first = client.get("/api/v1/statistics?by=street&per_page=1").get_json()
    second = client.get("/api/v1/statistics?by=street&per_page=1&page=2").get_json()
    assert (first["total"], len(first["rows"]), first["page"]) == (2, 1, 1)
    assert second["rows"][0]["street"] != first["rows"][0]["street"]
    assert client.get("/api/v1/statistics?per_page=1&page=9").get_json()["rows"] == []


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("by=colour", "Group by one of"),
        ("since=2026-13-01", "since must be a date"),
        ("page=0", "page must be a whole number"),
        ("per_page=100000", "per_page must be a whole number"),
        ("district=west", "district must be a number"),
        ("type=unicorns", "Unknown shop type"),
        ("colour=blue", "Unknown parameter: colour"),
    ],
)
def test_bad_parameters_get_a_json_reason(
    client: FlaskClient, planted: None, query: str, reason: str
) -> None:
    response = client.get(f"/api/v1/statistics?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "bad_parameter" and reason in body["detail"]
    validate(client, body, "Error")


def test_dashboard_document(client: FlaskClient, planted: None) -> None:
    body = client.get("/api/v1/dashboard").get_json()
    validate(client, body, "Dashboard")
    assert len(body["residents_per_month"]) == 12
    assert body["city"]["wishes_this_month"] is not None  # 15 residents this month
    assert client.get("/api/v1/dashboard?x=1").status_code == 400


def test_openapi_document(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    assert {"/statistics", "/dashboard", "/premises", "/demand/cells"} <= set(spec["paths"])
    names = {p["name"] for p in spec["paths"]["/statistics"]["get"]["parameters"]}
    assert {"by", "then", "since", "until", "page", "per_page"} <= names
    assert spec["servers"][0]["url"].endswith("/api/v1")


def test_unknown_api_path_answers_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404


def test_rate_limited_in_json(app: Flask, client: FlaskClient) -> None:
    app.config["API_RATE_LIMIT"] = "2 per minute"
    assert client.get("/api/v1/dashboard").status_code == 200
    assert client.get("/api/v1/dashboard").status_code == 200
    response = client.get("/api/v1/dashboard")
    assert response.status_code == 429
    assert response.get_json()["error"] == "too_many_requests"
