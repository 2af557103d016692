"""Portfolio pages: who sees what, filters and sort in the URL, downloads, the type ranking."""

from __future__ import annotations

import csv
import io
import re

import pytest
from factories import make_shop, make_user, shop_type
from flask.testing import FlaskClient
from openpyxl import load_workbook
from portfolio_data import plant, point
from sqlalchemy.orm import Session
from web import log_in

import wishmap.services.portfolio.query as portfolio_query
from wishmap.models import Application, Premise
from wishmap.services.analysis import run_analysis
from wishmap.services.caching import forget


@pytest.fixture
def town(session: Session) -> dict:
    return plant(session)


def rows_of(html: str) -> list[str]:
    """The addresses of the table's rows, in order."""
    return re.findall(r'<th scope="row"><a href="/insights/premises/\d+">([^<]+)</a>', html)


def row_of(html: str, address: str) -> str:
    """The table row (<tr>…</tr>) of the premise at address."""
    at = html.index(f">{address}</a>")
    return html[html.rindex("<tr>", 0, at) : html.index("</tr>", at)]


def read_csv(body: bytes) -> list[dict[str, str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_agency_reads_its_portfolio(client: FlaskClient, town: dict) -> None:
    log_in(client, town["agency"])
    page = client.get("/portfolio/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert rows_of(html) == [
        "12 Rue du Pain",
        "30 Rue du Pain",
        "10 Rue Nord",
        "4 Rue Sud",
        "2 Rue Nord",
    ]
    bread = row_of(html, "12 Rue du Pain")
    assert "Bakery" in bread and "Vacant" in bread
    assert f"/insights/premises/{town['premises']['bread'].id}" in bread
    assert town["premises"]["bread"].ref in bread  # managers see the reference
    assert "7 Rue Sud" not in html and "9 Rue du Pain" not in html
    assert "/insights/reports.zip" in html
    # The old list of reports leads here.
    moved = client.get("/insights/")
    assert moved.status_code == 302 and moved.headers["Location"].endswith("/portfolio/")


def test_candidates_who_applied_are_counted(
    client: FlaskClient, session: Session, town: dict
) -> None:
    bread, north = town["premises"]["bread"], town["premises"]["north"]
    fields = {
        "business_name": "Fournil",
        "shop_type_id": shop_type(session, "bakery").id,
        "min_surface_m2": 40,
        "max_surface_m2": 90,
        "max_rent": 2000,
        "pitch": "Bread.",
        "contact_name": "Camille",
        "contact_email": "camille@example.org",
    }
    session.add_all(
        [
            Application(premise_id=bread.id, status="submitted", **fields),
            # A candidate for the whole street counts for each of its premises.
            Application(street_id=north.street_id, status="shortlisted", **fields),
            Application(premise_id=bread.id, status="unverified", **fields),  # not yet confirmed
        ]
    )
    session.commit()
    log_in(client, town["agency"])
    html = client.get("/portfolio/").get_data(as_text=True)
    candidates = f'<a href="/insights/premises/{bread.id}/candidates">1</a>'
    assert candidates in row_of(html, "12 Rue du Pain")
    assert ">1</a></td>" in row_of(html, "10 Rue Nord")
    assert ">1</a></td>" in row_of(html, "2 Rue Nord")
    assert 'data-label="Candidates">0</td>' in row_of(html, "4 Rue Sud")
    rows = {
        r["address"]: r["candidates"] for r in read_csv(client.get("/portfolio/export.csv").data)
    }
    assert rows["12 Rue du Pain"] == "1" and rows["30 Rue du Pain"] == "0"


def test_owner_sees_only_their_premises(client: FlaskClient, session: Session, town: dict) -> None:
    log_in(client, town["owner"])
    assert rows_of(client.get("/portfolio/").get_data(as_text=True)) == ["7 Rue Sud"]
    csv_rows = read_csv(client.get("/portfolio/export.csv").data)
    assert [row["address"] for row in csv_rows] == ["7 Rue Sud"]
    ranking = client.get("/portfolio/where?type=bakery").get_data(as_text=True)
    assert "12 Rue du Pain" not in ranking
    log_in(client, make_user(session, role="owner"))
    html = client.get("/portfolio/").get_data(as_text=True)
    assert rows_of(html) == [] and "You manage no premises yet" in html
    log_in(client, make_user(session, role="resident"))
    assert client.get("/portfolio/").status_code == 403
    assert client.get("/portfolio/export.csv").status_code == 403


def test_statuses_are_translated(client: FlaskClient, town: dict) -> None:
    log_in(client, town["agency"])
    with client.session_transaction() as cookie:
        cookie["locale"] = "fr"
    html = client.get("/portfolio/?sort=address").get_data(as_text=True)
    assert "Portefeuille" in html and "Loué" in html and "Boulangerie" in html
    assert ">let<" not in html and ">vacant<" not in html
    csv_rows = read_csv(client.get("/portfolio/export.csv?status=let").data)
    assert [(row["address"], row["status"]) for row in csv_rows] == [("4 Rue Sud", "Loué")]


def test_filters_sort_and_pages_keep_the_query(
    client: FlaskClient, town: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in(client, town["agency"])
    html = client.get("/portfolio/?street=nord&sort=address").get_data(as_text=True)
    assert rows_of(html) == ["2 Rue Nord", "10 Rue Nord"]
    assert 'value="nord"' in html
    assert rows_of(client.get("/portfolio/?type=books").get_data(as_text=True)) == [
        "10 Rue Nord",
        "2 Rue Nord",
    ]
    assert rows_of(client.get("/portfolio/?min_score=40").get_data(as_text=True)) == [
        "12 Rue du Pain",
        "30 Rue du Pain",
    ]
    assert rows_of(client.get("/portfolio/?sort=days").get_data(as_text=True))[0] == "10 Rue Nord"
    monkeypatch.setattr("wishmap.services.portfolio.PAGE_SIZE", 2)
    first = client.get("/portfolio/?sort=address&status=vacant").get_data(as_text=True)
    assert rows_of(first) == ["12 Rue du Pain", "30 Rue du Pain"]
    assert "Page 1 of 2" in first
    assert 'href="/portfolio/?status=vacant&amp;sort=address&amp;page=2"' in first
    second = client.get("/portfolio/?status=vacant&sort=address&page=2").get_data(as_text=True)
    assert rows_of(second) == ["2 Rue Nord", "10 Rue Nord"]
    assert 'href="/portfolio/?status=vacant&amp;sort=address"' in second  # back to page 1
    # Sorting by a column header starts again at page 1 with the same filters.
    assert 'href="/portfolio/?status=vacant&amp;sort=days"' in second


@pytest.mark.parametrize(
    "query",
    ["min_score=abc", "min_score=-1", "type=unicorn", "page=0", "sort=rent", "district=99999"],
)
def test_bad_input_is_a_400_with_a_reason(client: FlaskClient, town: dict, query: str) -> None:
    log_in(client, town["agency"])
    page = client.get(f"/portfolio/?{query}")
    assert page.status_code == 400
    assert 'role="alert"' in page.get_data(as_text=True)
    download = client.get(f"/portfolio/export.csv?{query}")
    assert download.status_code == 400 and download.mimetype == "text/plain"


def test_csv_and_xlsx_hold_the_filtered_rows(client: FlaskClient, town: dict) -> None:
    log_in(client, town["agency"])
    response = client.get("/portfolio/export.csv?sort=address&street=rue du pain")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Cache-Control"] == "private, no-store"
    rows = read_csv(response.data)
    assert [row["address"] for row in rows] == ["12 Rue du Pain", "30 Rue du Pain"]
    assert rows[0]["type_1_code"] == "bakery" and rows[0]["type_1"] == "Bakery"
    assert int(rows[0]["score"]) == int(rows[0]["type_1_score"]) > 50
    assert rows[0]["ref"] == town["premises"]["bread"].ref and rows[0]["status"] == "Vacant"
    workbook = load_workbook(io.BytesIO(client.get("/portfolio/export.xlsx?sort=address").data))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    records = [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(2)]
    assert [r["address"] for r in records] == [
        "12 Rue du Pain",
        "30 Rue du Pain",
        "2 Rue Nord",
        "10 Rue Nord",
        "4 Rue Sud",
    ]
    assert records[0]["type_1_code"] == "bakery" and isinstance(records[0]["score"], int)
    about = dict(workbook["About"].iter_rows(values_only=True))
    assert about["sorted by"] == "address" and about["rows"] == "5"


def test_where_should_a_bakery_go(client: FlaskClient, session: Session, town: dict) -> None:
    log_in(client, town["agency"])
    empty = client.get("/portfolio/where")
    assert empty.status_code == 200 and "Choose a shop type" in empty.get_data(as_text=True)
    page = client.get("/portfolio/where?type=bakery")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Where should a bakery go?" in html
    assert rows_of(html) == ["12 Rue du Pain", "30 Rue du Pain"]
    assert "CircleMarker" in html and "1. 12 Rue du Pain \\u2014 " in html  # on the map too
    assert "cdn" not in html.lower()
    ranking = read_csv(client.get("/portfolio/where.csv?type=bakery").data)
    assert [(r["rank"], r["address"], r["shop_type_code"]) for r in ranking] == [
        ("1", "12 Rue du Pain", "bakery"),
        ("2", "30 Rue du Pain", "bakery"),
    ]
    before = int(ranking[0]["score"])
    # A bakery opens next door: the premise's score falls.
    make_shop(session, "bakery", **point(15, 12))
    run_analysis(session, premise_statuses=("vacant", "let"))
    after = read_csv(client.get("/portfolio/where.csv?type=bakery").data)
    bread = next(r for r in after if r["address"] == "12 Rue du Pain")
    assert int(bread["score"]) < before and bread["competitors"] == "1"
    assert client.get("/portfolio/where.csv").status_code == 400
    assert client.get("/portfolio/where?type=unicorn").status_code == 400


def test_a_forbidden_use_is_shown_marked_never_ranked(
    client: FlaskClient, session: Session, town: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    bread = town["premises"]["bread"]
    bakery = shop_type(session, "bakery").id
    monkeypatch.setattr(
        portfolio_query,
        "forbidden_types",
        lambda _session, ids: {bread.id: {bakery: "protected frontage"}} if bread.id in ids else {},
    )
    forget(session, "portfolio-restrictions")
    log_in(client, town["agency"])
    html = client.get("/portfolio/").get_data(as_text=True)
    row = row_of(html, "12 Rue du Pain")
    assert "not allowed here" in row and "protected frontage" in row
    assert "Bakery</span> <span" not in row  # not among the scored types
    assert rows_of(html)[0] == "30 Rue du Pain"
    ranking = client.get("/portfolio/where?type=bakery").get_data(as_text=True)
    assert rows_of(ranking) == ["30 Rue du Pain"]
    rows = read_csv(client.get("/portfolio/export.csv").data)
    exported = next(r for r in rows if r["address"] == "12 Rue du Pain")
    assert exported["type_1_code"] != "bakery" and "protected frontage" in exported["not_allowed"]
    # The cached answer came from the stand-in above; a later test on a database with the same
    # fingerprint (same ids, no zoning rows) must not read it.
    forget(session, "portfolio-restrictions")


@pytest.mark.parametrize("value", ["\x00", "1e309", str(2**63)])
def test_awkward_input_never_gives_a_server_error(
    client: FlaskClient, session: Session, value: str
) -> None:
    log_in(client, make_user(session, role="officer"))
    for url in ("/portfolio/", "/portfolio/export.csv", "/portfolio/where", "/portfolio/where.csv"):
        for field in ("street", "type", "district", "status", "min_score", "sort", "page"):
            response = client.get(url, query_string={field: value})
            assert response.status_code < 500, (url, field, value, response.status_code)


def test_an_imported_address_reaches_the_ranking_map_as_text(
    client: FlaskClient, session: Session, town: dict
) -> None:
    premise = session.query(Premise).filter_by(address="12 Rue du Pain").one()
    premise.address = '12 <img src=x onerror="alert(1)">'
    session.commit()
    log_in(client, town["agency"])
    html = client.get("/portfolio/where?type=bakery").get_data(as_text=True)
    # Before: the address went into the map's tooltip JSON as markup.
    assert '<img src=x onerror="alert(1)">' not in html
    assert "\\u0026lt;img src=x" in html
