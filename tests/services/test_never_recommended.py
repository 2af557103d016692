"""End to end, without stand-ins: a use that the zoning or the manager forbids is never the
portfolio's pick, never ranked in "where should a … go?", never the report's headline."""

from __future__ import annotations

import json

import pytest
from factories import make_user
from portfolio_data import TODAY, line, plant
from sqlalchemy.orm import Session

from wishmap.services import insights
from wishmap.services.exclusions import set_exclusions
from wishmap.services.importing import geojson_records
from wishmap.services.portfolio import PortfolioQuery, portfolio
from wishmap.services.zoning import import_zoning


@pytest.fixture
def town(session: Session) -> dict:
    return plant(session)


def addresses(page) -> list[str]:
    return [row.premise.address for row in page.rows]


def craft_only(street: str, axis: list[list[float]]) -> list:
    """A Paris-shaped PLU layer: the whole street's ground floors are kept for crafts (PPA)."""
    feature = {
        "type": "Feature",
        "properties": {
            "N_SQ_PCA": 1.0,
            "PCA": "O",
            "PRCA": "N",
            "PPA": "O",
            "NOM_VOIE": street,
            "N_VO_ADDG": 1.0,
            "N_VO_ADFG": 39.0,
            "N_VO_ADDD": 2.0,
            "N_VO_ADFD": 40.0,
        },
        "geometry": {"type": "LineString", "coordinates": axis},
    }
    return geojson_records(json.dumps({"type": "FeatureCollection", "features": [feature]}))


def test_a_craft_frontage_never_gets_a_bookshop(session: Session, town: dict) -> None:
    agency = town["agency"]
    north = town["premises"]["north"]
    before = portfolio(session, agency, PortfolioQuery(type_code="books"), today=TODAY)
    assert addresses(before)[0] == "10 Rue Nord"  # fifteen residents want a bookshop there

    import_zoning(session, craft_only("Rue Nord", line(600)))
    page = portfolio(session, agency, PortfolioQuery(), today=TODAY)
    row = next(row for row in page.rows if row.premise.id == north.id)
    assert all(item.shop_type.code != "books" for item in row.best)
    assert "books" in {item.shop_type.code for item in row.not_allowed}
    ranking = portfolio(session, agency, PortfolioQuery(type_code="books"), today=TODAY)
    assert not {"10 Rue Nord", "2 Rue Nord"} & set(addresses(ranking))
    # Rue du Pain is not protected: its bakery demand still leads there.
    bread = next(row for row in page.rows if row.premise.address == "12 Rue du Pain")
    assert bread.best[0].shop_type.code == "bakery"

    report = insights.premise_report(session, agency, north.id)
    assert report.headline is None or report.headline.shop_type.code != "books"
    assert "books" not in {line.shop_type.code for line in report.lines}
    assert [p.code for p in report.zoning or []] == ["PCA", "PPA"]


def test_an_excluded_type_is_never_recommended(session: Session, town: dict) -> None:
    agency = town["agency"]
    bread = town["premises"]["bread"]
    assert insights.premise_report(session, agency, bread.id).headline.shop_type.code == "bakery"

    set_exclusions(session, agency, ["bakery"])
    page = portfolio(session, agency, PortfolioQuery(), today=TODAY)
    row = next(row for row in page.rows if row.premise.id == bread.id)
    assert all(item.shop_type.code != "bakery" for item in row.best)
    assert [item.shop_type.code for item in row.not_allowed] == ["bakery"]
    ranking = portfolio(session, agency, PortfolioQuery(type_code="bakery"), today=TODAY)
    assert ranking.rows == []  # every bakery candidate is one of the agency's premises
    report = insights.premise_report(session, agency, bread.id)
    assert report.headline is None or report.headline.shop_type.code != "bakery"
    assert [(line.shop_type.code, line.not_allowed) for line in report.not_allowed] == [
        ("bakery", "Excluded by the premise's manager")
    ]
    # The premise nobody manages is not the agency's: its bakery demand still ranks.
    officer = make_user(session, role="officer")
    everyone = portfolio(session, officer, PortfolioQuery(type_code="bakery"), today=TODAY)
    assert "9 Rue du Pain" in addresses(everyone) and "12 Rue du Pain" not in addresses(everyone)
