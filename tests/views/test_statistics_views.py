"""Officers' statistics pages and exports: access, figures, formats, and no personal data."""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile

import geojson
import pytest
from factories import make_user
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session
from statistics_data import REASON, Planted, plant
from web import log_in

from wishmap.models import Role


@pytest.fixture
def planted(app: Flask, session: Session) -> Planted:
    # These tests read exact figures off the pages and exports; the published defaults (a floor
    # of 11 and cell-key noise) are tested in test_statistics_disclosure.py.
    app.config.update(STATS_MIN_RESIDENTS=3, STATS_NOISE=0)
    return plant(session)


@pytest.fixture
def officer(client: FlaskClient, session: Session) -> FlaskClient:
    return log_in(client, make_user(session, role=Role.OFFICER))


def personal_data(planted: Planted) -> list[bytes]:
    """Everything that would single out a resident, as bytes to look for."""
    values = [REASON, "Zébulon"]
    for user in planted.residents:
        values += [user.email, user.display_name]
    return [value.encode() for value in values]


def assert_no_personal_data(body: bytes, planted: Planted) -> None:
    for value in personal_data(planted):
        assert value not in body, value


def test_page_shows_the_table_chart_and_suppression(officer: FlaskClient, planted: Planted) -> None:
    response = officer.get("/statistics/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<caption>" in page and 'scope="col"' in page and 'scope="row"' in page
    assert "Rue Alpha" in page and "Rue Bravo" in page
    assert "&lt;3" in page  # street B's counts are withheld
    assert "fewer than 3 distinct residents is suppressed" in page
    assert 'class="bar-chart"' in page
    assert_no_personal_data(response.get_data(), planted)


def test_month_series_chart(officer: FlaskClient, planted: Planted) -> None:
    page = officer.get("/statistics/?by=month").get_data(as_text=True)
    assert 'class="columns"' in page and "2026-03" in page


def test_map_page(officer: FlaskClient, planted: Planted) -> None:
    response = officer.get("/statistics/map?type=bakery")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Rue Alpha" in page and "West" in page  # tooltips of the street and district layers
    assert_no_personal_data(response.get_data(), planted)


def test_csv_export_matches_the_page(officer: FlaskClient, planted: Planted) -> None:
    response = officer.get("/statistics/export.csv?by=street&then=type")
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="wishmap-statistics-street-type-')
    assert disposition.endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [
        (r["Street"], r["Shop type code"], r["Wishes"], r["Residents"], r["Suppressed"])
        for r in rows
    ] == [
        ("Rue Alpha", "bakery", "5", "5", "no"),
        ("Rue Bravo", "bakery", "", "", "yes"),
    ]
    assert_no_personal_data(response.get_data(), planted)


def _table_rows(page: str) -> list[list[str]]:
    """The cells of the statistics table's body rows, "suppressed" first when the row is."""
    body = page.split('<table class="stats-table">', 1)[1].split("<tbody>", 1)[1]
    body = body.split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr([^>]*)>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row[1], re.S)
        cells = [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]
        rows.append((["suppressed"] if 'class="suppressed"' in row[0] else []) + cells)
    return rows


@pytest.mark.parametrize("query", ["by=street", "by=street&then=month", "by=type&then=street"])
def test_page_table_holds_the_exports_rows(
    officer: FlaskClient, planted: Planted, query: str
) -> None:
    # The page's table and the CSV export are one table: the same rows, in the same order, with
    # the same labels, and "<3" on the page where the export leaves the counts empty.
    page = officer.get(f"/statistics/?{query}").get_data(as_text=True)
    export = officer.get(f"/statistics/export.csv?{query}").get_data().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(export))
    label_columns = ("Street", "District", "Shop type", "Shop-type group", "Month")
    shown = [name for name in reader.fieldnames or () if name in label_columns]
    expected = []
    for record in reader:
        labels = [record[name] for name in shown]
        if record["Suppressed"] == "yes":
            expected.append(["suppressed", *labels, "<3", "<3"])
        else:
            expected.append([*labels, record["Wishes"], record["Residents"]])
    # Rue Bravo's rows are suppressed, Rue Alpha's shown.
    assert {row[0] == "suppressed" for row in expected} == {True, False}
    assert _table_rows(page) == expected


def test_geojson_export_has_geometries_and_the_counts(
    officer: FlaskClient, planted: Planted
) -> None:
    response = officer.get("/statistics/export.geojson?by=district")
    assert response.status_code == 200
    assert response.content_type == "application/geo+json"
    assert response.headers["Content-Disposition"].endswith('.geojson"')
    collection = geojson.loads(response.get_data(as_text=True))
    assert collection.is_valid
    props = {f["properties"]["district"]: f["properties"] for f in collection["features"]}
    assert props["West"]["wishes"] == 5 and props["West"]["residents"] == 5
    assert props["East"]["wishes"] is None and props["East"]["suppressed"] is True
    assert {f["geometry"]["type"] for f in collection["features"]} == {"Polygon"}
    streets = geojson.loads(officer.get("/statistics/export.geojson").get_data(as_text=True))
    assert streets.is_valid and {f["geometry"]["type"] for f in streets["features"]} == {
        "LineString"
    }
    assert_no_personal_data(response.get_data(), planted)


def test_geojson_needs_a_geometry(officer: FlaskClient, planted: Planted) -> None:
    response = officer.get("/statistics/export.geojson?by=month")
    assert response.status_code == 400
    assert "GeoJSON needs a grouping by street or by district" in response.get_data(as_text=True)


def test_xlsx_export_is_typed_and_explained(officer: FlaskClient, planted: Planted) -> None:
    response = officer.get("/statistics/export.xlsx?by=street&since=2026-03-01")
    assert response.status_code == 200
    assert response.content_type.startswith("application/vnd.openxmlformats")
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames == ["Statistics", "About"]
    rows = list(workbook["Statistics"].iter_rows(values_only=True))
    assert rows[0] == ("Street code", "Street", "Wishes", "Residents", "Suppressed")
    assert rows[1][1:] == ("Rue Alpha", 5, 5, False)
    assert rows[2][1:] == ("Rue Bravo", None, None, True)
    about = dict(workbook["About"].iter_rows(values_only=True))
    assert (
        about["from"] == "2026-03-01" and "fewer than 3 distinct residents" in about["suppression"]
    )
    assert "ODbL" in about["licence"] and about["generated"]
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        for name in archive.namelist():
            assert_no_personal_data(archive.read(name), planted)


@pytest.mark.parametrize(
    "url",
    [
        "/statistics/?by=colour",
        "/statistics/?since=yesterday",
        "/statistics/?type=unicorn",
        "/statistics/map?district=abc",
        "/statistics/export.csv?until=2026-02-30",
        "/statistics/export.xlsx?street=999999",
    ],
)
def test_malformed_filters_answer_400_with_a_reason(
    officer: FlaskClient, planted: Planted, url: str
) -> None:
    response = officer.get(url)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "must be" in body or "Unknown" in body or "Group by" in body


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.OWNER, Role.AGENCY])
def test_only_officers_and_admins(app: Flask, session: Session, role: Role) -> None:
    client = log_in(app.test_client(), make_user(session, role=role))
    for url in ("/statistics/", "/statistics/map", "/statistics/export.csv"):
        assert client.get(url).status_code == 403
    admin = log_in(app.test_client(), make_user(session, role=Role.ADMIN))
    assert admin.get("/statistics/export.csv").status_code == 200


def test_anonymous_is_sent_to_log_in(client: FlaskClient) -> None:
    response = client.get("/statistics/export.xlsx")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_nav_link_for_officers(officer: FlaskClient) -> None:
    assert 'href="/statistics/"' in officer.get("/").get_data(as_text=True)


def test_map_shows_the_analysis_hotspots(officer: FlaskClient, session: Session) -> None:
    from factories import make_street, make_wish

    from wishmap.services.analysis import run_analysis

    make_street(session, "Rue du Four")
    # A hotspot needs at least 10 distinct residents (analysis.hotspots.HotspotParams).
    for index in range(12):
        make_wish(session, code="bakery", lat=48.8800 + index * 0.00002, lon=2.3850)
    run = run_analysis(session)
    assert run.hotspots >= 1
    page = officer.get("/statistics/map?type=bakery").get_data(as_text=True)
    assert "Bakery: 12 residents, 12 wishes" in page
    assert "place where wishes for one shop type gather" in page
    page = officer.get("/statistics/map?type=books").get_data(as_text=True)
    assert "Bakery: 12 residents" not in page


def test_filter_form_keeps_the_chosen_type_in_the_readers_language(
    officer: FlaskClient, planted: Planted
) -> None:
    with officer.session_transaction() as cookie:
        cookie["locale"] = "fr"
    page = officer.get("/statistics/?type=bakery").get_data(as_text=True)
    assert '<option value="bakery" selected>Boulangerie</option>' in page
    assert "All types" not in page and "All districts" not in page
