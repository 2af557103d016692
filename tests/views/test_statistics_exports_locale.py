"""Exports for people: French Excel reads the CSV in columns, XLSX speaks the reader's language,
a street × month series is in calendar order with its empty months, GeoJSON stays machine-typed.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import geojson
import pytest
from factories import make_street, make_user, make_wish
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session
from web import log_in

from wishmap.models import Role

FRENCH = {"Accept-Language": "fr"}


@pytest.fixture
def officer(app: Flask, client: FlaskClient, session: Session) -> FlaskClient:
    app.config.update(STATS_MIN_RESIDENTS=2, STATS_NOISE=0)
    street = make_street(
        session, name="Rue de l'Élysée", coordinates=[[2.37, 48.88], [2.38, 48.88]]
    )
    other = make_street(session, name="Allée Zoé", coordinates=[[2.39, 48.89], [2.40, 48.89]])
    plan = [(street, 1)] * 3 + [(street, 4)] * 2 + [(other, 2)] * 2
    for target, month in plan:
        lon, lat = json.loads(target.geometry)["coordinates"][0]
        make_wish(
            session,
            user=make_user(session),
            lat=lat,
            lon=lon,
            street_id=target.id,
            created_at=datetime(2026, month, 5, tzinfo=UTC),
        )
    session.commit()
    return log_in(client, make_user(session, role=Role.OFFICER))


def test_french_csv_reads_back_in_french_excel_settings(officer: FlaskClient) -> None:
    body = officer.get("/statistics/export.csv?by=street", headers=FRENCH).get_data()
    assert body.startswith("\ufeff".encode())  # Excel reads UTF-8 accents only with the BOM
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Code de la rue", "Rue", "Souhaits", "Habitants", "Masqué"]
    assert rows[1][1:] == ["Rue de l'Élysée", "5", "5", "non"]
    assert rows[2][1:] == ["Allée Zoé", "2", "2", "non"]


def test_csv_separator_can_be_chosen_and_english_stays_comma(officer: FlaskClient) -> None:
    english = officer.get("/statistics/export.csv").get_data().decode("utf-8-sig")
    assert english.splitlines()[0] == "Street code,Street,Wishes,Residents,Suppressed"
    chosen = officer.get("/statistics/export.csv?sep=comma", headers=FRENCH).get_data()
    assert chosen.decode("utf-8-sig").splitlines()[0].startswith("Code de la rue,Rue,")
    bad = officer.get("/statistics/export.csv?sep=tab")
    assert bad.status_code == 400 and "comma or semicolon" in bad.get_data(as_text=True)


def test_dutch_csv_uses_semicolons(officer: FlaskClient) -> None:
    body = officer.get("/statistics/export.csv", headers={"Accept-Language": "nl"}).get_data()
    header = body.decode("utf-8-sig").splitlines()[0]
    assert header.split(";")[1:3] == ["Straat", "Wensen"]


def test_xlsx_sheets_in_the_readers_language(officer: FlaskClient) -> None:
    body = officer.get("/statistics/export.xlsx?by=street", headers=FRENCH).get_data()
    workbook = load_workbook(io.BytesIO(body))
    assert workbook.sheetnames == ["Statistiques", "À propos"]
    rows = list(workbook["Statistiques"].iter_rows(values_only=True))
    assert rows[0] == ("Code de la rue", "Rue", "Souhaits", "Habitants", "Masqué")
    assert rows[1][1:] == ("Rue de l'Élysée", 5, 5, False)
    about = dict(workbook["À propos"].iter_rows(values_only=True))
    assert "moins de 2 habitants distincts" in about["masquage"]


def test_street_by_month_in_calendar_order_with_empty_months(officer: FlaskClient) -> None:
    body = officer.get("/statistics/export.csv?by=street&then=month").get_data()
    rows = [
        (r["Street"], r["Month"], r["Residents"], r["Suppressed"])
        for r in csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    ]
    assert rows == [
        ("Allée Zoé", "2026-01", "", "yes"),
        ("Allée Zoé", "2026-02", "2", "no"),
        ("Allée Zoé", "2026-03", "", "yes"),
        ("Allée Zoé", "2026-04", "", "yes"),
        ("Rue de l'Élysée", "2026-01", "3", "no"),
        ("Rue de l'Élysée", "2026-02", "", "yes"),
        ("Rue de l'Élysée", "2026-03", "", "yes"),
        ("Rue de l'Élysée", "2026-04", "2", "no"),
    ]


def test_geojson_for_qgis_has_numeric_demand(officer: FlaskClient) -> None:
    body = officer.get("/statistics/export.geojson?by=street", headers=FRENCH).get_data()
    collection = geojson.loads(body.decode())
    assert collection.is_valid
    values = {f["properties"]["street"]: f["properties"] for f in collection["features"]}
    assert values["Rue de l'Élysée"]["residents"] == 5
    assert isinstance(values["Allée Zoé"]["wishes"], int)
    assert collection["perturbation"]["max_noise"] == 0
