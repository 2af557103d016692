"""Premise reports as pages, PDFs and a zip: who may read them, what they say, in which language."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from factories import make_premise, make_shop, make_street, make_user, make_wish, shop_type
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy.orm import Session
from web import log_in

from wishmap.models import ActivityCode
from wishmap.services.analysis import run_analysis

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def setup(session: Session) -> dict:
    owner = make_user(session, role="owner")
    street = make_street(session, "Rue du Four")
    premise = make_premise(
        session,
        manager_id=owner.id,
        street_id=street.id,
        street_name="Rue du Four",
        address="3 Rue du Four",
        surface_m2=70,
        rent_eur_month=1800,
    )
    other = make_premise(session, street_id=street.id, address="5 Rue du Four")
    # A bare premise: no surface, no rent, no date of vacancy.
    bare = make_premise(
        session,
        manager_id=owner.id,
        street_id=street.id,
        address="7 Rue du Four",
        lat=48.8901,  # a kilometre north: no wish counts for it
        surface_m2=None,
        rent_eur_month=None,
    )
    for index in range(8):
        make_wish(
            session,
            premise=premise,
            code="bakery",
            frequency=("weekly", "monthly")[index % 2],
            reason="Du pain frais le matin" if index == 0 else None,
        )
    make_wish(session, premise=premise, code="books")
    make_shop(session, "books", name="Librairie Papier", lat=premise.lat, lon=premise.lon + 0.0004)
    run_analysis(session)
    return {"owner": owner, "premise": premise, "other": other, "bare": bare}


def pdf_text(data: bytes) -> str:
    """Return the PDF's text with its line breaks and runs of spaces as single spaces."""
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_manager_reads_the_report(client: FlaskClient, setup: dict) -> None:
    log_in(client, setup["owner"])
    page = client.get(f"/insights/premises/{setup['premise'].id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "3 Rue du Four" in text
    assert "What this street is missing: Bakery" in text
    # Evidence: residents within walking distance, the trend, competitors, frequency.
    assert "8 residents within walking distance (400 m) asked for it" in text
    assert "No existing shop of this type within 400 m" in text
    assert "weekly: 4, monthly: 4, now and then: 0" in text
    assert "Du pain frais le matin" in text
    books_row = text[text.index("Bookshop</th>") : text.index("</tr>", text.index("Bookshop</th>"))]
    assert "nearest: Librairie Papier, 29 m" in books_row or "Librairie Papier, 30 m" in books_row
    # Neither command lines nor raw statuses reach a landlord.
    assert "flask" not in text and "--include-let" not in text
    assert ">vacant<" not in text and " vacant " not in text
    assert "Vacant" in text
    # Leaflet map and its static twin for print.
    assert "folium-map" in text and "report-map-svg" in text


def test_missing_values_read_not_given(client: FlaskClient, setup: dict) -> None:
    log_in(client, setup["owner"])
    text = client.get(f"/insights/premises/{setup['bare'].id}").get_data(as_text=True)
    assert "not given" in text
    for wrong in (r"\bnan\b", "€0", r"\b0 €", r"\bNone\b"):
        assert not re.search(wrong, text), wrong


def test_without_analysis_the_page_says_so_in_plain_words(
    client: FlaskClient, session: Session
) -> None:
    owner = make_user(session, role="owner")
    premise = make_premise(session, manager_id=owner.id, address="9 Rue Neuve")
    make_wish(session, premise=premise, code="florist")
    log_in(client, owner)
    text = client.get(f"/insights/premises/{premise.id}").get_data(as_text=True)
    assert "The figures are being prepared" in text
    assert "Florist: 1 resident" in text
    assert "flask" not in text and "analyse" not in text


def test_who_may_read(client: FlaskClient, session: Session, setup: dict) -> None:
    urls = [
        f"/insights/premises/{setup['premise'].id}",
        f"/insights/premises/{setup['premise'].id}/report.pdf",
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to the login page
    log_in(client, make_user(session, role="owner"))
    for url in urls:
        assert client.get(url).status_code == 403  # an owner of other premises
    log_in(client, make_user(session, role="resident"))
    for url in [*urls, "/insights/reports.zip"]:
        assert client.get(url).status_code == 403
    log_in(client, make_user(session, role="officer"))
    assert client.get(urls[0]).status_code == 200
    assert client.get("/insights/premises/999999").status_code == 404
    assert client.get("/insights/premises/999999/report.pdf").status_code == 404


def test_pdf_in_the_readers_language(client: FlaskClient, setup: dict) -> None:
    log_in(client, setup["owner"])
    url = f"/insights/premises/{setup['premise'].id}/report.pdf"
    english = client.get(url)
    assert english.status_code == 200 and english.mimetype == "application/pdf"
    assert "attachment" in english.headers["Content-Disposition"]
    text = pdf_text(english.data)
    assert "What this street is missing: Bakery" in text
    assert "3 Rue du Four" in text and "Librairie Papier" in text
    assert "Download PDF" not in text and "See the candidates" not in text
    french = pdf_text(client.get(url, headers={"Accept-Language": "fr"}).data)
    assert "Ce qui manque à cette rue : Boulangerie" in french
    assert "What this street is missing" not in french


@pytest.mark.sqlite_only
def test_page_images_of_a_rendered_report(client: FlaskClient, setup: dict) -> None:
    """Keep the PDF and its pages as PNG in test-artifacts/ for people to look at."""
    log_in(client, setup["owner"])
    data = client.get(f"/insights/premises/{setup['premise'].id}/report.pdf").data
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "report.pdf"
    target.write_bytes(data)
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: install poppler-utils (see .ci/run)"
    subprocess.run(
        [pdftoppm, "-png", "-r", "80", str(target), str(ARTIFACTS / "report-pdf-page")],
        check=True,
    )
    pages = sorted(ARTIFACTS.glob("report-pdf-page-*.png"))
    assert pages and all(page.stat().st_size > 5000 for page in pages)


def test_download_all_reports(client: FlaskClient, session: Session, setup: dict) -> None:
    log_in(client, setup["owner"])
    response = client.get("/insights/reports.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert len(names) == 2 and all(name.endswith(".pdf") for name in names)
    texts = [pdf_text(archive.read(name)) for name in names]
    # The portfolio's order: the premise with the strongest score first.
    assert "3 Rue du Four" in texts[0] and "7 Rue du Four" in texts[1]
    assert not any("5 Rue du Four" in text for text in texts)  # not this owner's
    # The portfolio's filters apply.
    only = zipfile.ZipFile(io.BytesIO(client.get("/insights/reports.zip?min_score=10").data))
    assert len(only.namelist()) == 1 and "3 Rue du Four" in pdf_text(only.read(only.namelist()[0]))
    bad = client.get("/insights/reports.zip?min_score=500")
    assert bad.status_code == 400 and "from 0 to 100" in bad.get_data(as_text=True)
    assert client.get("/insights/reports.zip?min_score=99").status_code == 404
    log_in(client, make_user(session, role="owner"))
    assert client.get("/insights/reports.zip").status_code == 404  # manages nothing


def test_download_all_reports_is_capped(
    client: FlaskClient, setup: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wishmap.services import report_pdf

    monkeypatch.setattr(report_pdf, "MAX_REPORTS_PER_ZIP", 1)
    log_in(client, setup["owner"])
    archive = zipfile.ZipFile(io.BytesIO(client.get("/insights/reports.zip").data))
    names = archive.namelist()
    assert names[0] == "README.txt" and len(names) == 2
    assert "first 1 of the 2 premises" in archive.read("README.txt").decode()


def test_official_activity_codes_stand_next_to_their_types(
    client: FlaskClient, session: Session, setup: dict
) -> None:
    session.add(
        ActivityCode(
            scheme="paris",
            code="CA103",
            label="Boulangerie - pâtisserie",
            shop_type_id=shop_type(session, "bakery").id,
        )
    )
    session.commit()
    log_in(client, setup["owner"])
    text = client.get(f"/insights/premises/{setup['premise'].id}").get_data(as_text=True)
    code = text.index('class="activity-code" title="Official activity code">CA103</span>')
    assert text[code - 40 : code].rstrip().endswith("Bakery <span")
    # No zoning layer was imported: the report does not claim the premise is unprotected.
    zoning = text[text.index(">Zoning<") :][:200]
    assert "not given" in zoning
