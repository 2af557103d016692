"""The portfolio service: planted demand ranks the right premise and type; scope, filters, sort."""

from __future__ import annotations

import json

import pytest
from factories import make_shop, make_user, shop_type
from portfolio_data import TODAY, plant, point
from sqlalchemy.orm import Session

import wishmap.services.portfolio.query as portfolio_query
from wishmap.models import District, TypeExclusion
from wishmap.services.analysis import run_analysis
from wishmap.services.caching import forget
from wishmap.services.portfolio import PortfolioError, PortfolioQuery, parse_query, portfolio


@pytest.fixture
def town(session: Session) -> dict:
    return plant(session)


def addresses(page) -> list[str]:
    return [row.premise.address for row in page.rows]


def test_planted_type_heads_the_premise_row_and_the_type_ranking(
    session: Session, town: dict
) -> None:
    page = portfolio(session, town["agency"], PortfolioQuery(), today=TODAY)
    bread = next(row for row in page.rows if row.premise.address == "12 Rue du Pain")
    assert bread.best[0].shop_type.code == "bakery"
    assert bread.score == bread.best[0].gap > 50
    assert addresses(page)[0] == "12 Rue du Pain"  # the strongest demand of the portfolio
    ranking = portfolio(session, town["agency"], PortfolioQuery(type_code="bakery"), today=TODAY)
    assert addresses(ranking) == ["12 Rue du Pain", "30 Rue du Pain"]
    assert ranking.rows[0].focus.residents == 40 and ranking.rows[0].focus.competitors == 0
    # Vacancy facts come with the row.
    assert bread.days_vacant == (TODAY - town["premises"]["bread"].vacant_since).days
    let = next(row for row in page.rows if row.premise.status == "let")
    assert let.days_vacant is None and let.last_letting.isoformat() == "2026-10-01"


def test_a_competing_shop_next_door_lowers_the_score(session: Session, town: dict) -> None:
    query = PortfolioQuery(type_code="bakery")
    before = portfolio(session, town["agency"], query, today=TODAY).rows[0]
    make_shop(session, "bakery", **point(15, 12))
    run_analysis(session, premise_statuses=("vacant", "let"))
    after = portfolio(session, town["agency"], query, today=TODAY)
    bread = next(row for row in after.rows if row.premise.address == "12 Rue du Pain")
    assert bread.focus.competitors == 1
    assert bread.score < before.score


def test_each_reader_sees_their_scope(session: Session, town: dict) -> None:
    owned = portfolio(session, town["owner"], PortfolioQuery(), today=TODAY)
    assert addresses(owned) == ["7 Rue Sud"]
    agency = portfolio(session, town["agency"], PortfolioQuery(), today=TODAY)
    assert sorted(addresses(agency)) == sorted(
        ["12 Rue du Pain", "30 Rue du Pain", "10 Rue Nord", "2 Rue Nord", "4 Rue Sud"]
    )
    officer = portfolio(session, make_user(session, role="officer"), PortfolioQuery())
    assert officer.total == 7 and "9 Rue du Pain" in addresses(officer)
    stranger = portfolio(session, make_user(session, role="owner"), PortfolioQuery())
    assert stranger.total == 0 and stranger.rows == []


def test_forbidden_types_are_never_ranked(
    session: Session, town: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    bread = town["premises"]["bread"]
    bakery_id = next(
        row.best[0].shop_type.id
        for row in portfolio(session, town["agency"], PortfolioQuery()).rows
        if row.premise.id == bread.id
    )
    forbidden = {bread.id: {bakery_id: "protected frontage"}}
    monkeypatch.setattr(
        portfolio_query,
        "forbidden_types",
        lambda _session, ids: {p: t for p, t in forbidden.items() if p in set(ids)},
    )
    forget(session, "portfolio-restrictions")
    page = portfolio(session, town["agency"], PortfolioQuery(), today=TODAY)
    row = next(row for row in page.rows if row.premise.id == bread.id)
    assert all(item.shop_type.code != "bakery" for item in row.best)
    assert [(item.shop_type.code, item.forbidden) for item in row.not_allowed] == [
        ("bakery", "protected frontage")
    ]
    # Its score is its best allowed use's: it no longer heads the portfolio.
    assert addresses(page)[0] == "30 Rue du Pain"
    assert row.score is None or row.score < 50
    ranking = portfolio(session, town["agency"], PortfolioQuery(type_code="bakery"))
    assert addresses(ranking) == ["30 Rue du Pain"]
    high = portfolio(session, town["agency"], PortfolioQuery(min_score=50))
    assert "12 Rue du Pain" not in addresses(high)


def test_an_agency_exclusion_is_never_recommended(session: Session, town: dict) -> None:
    bakery = shop_type(session, "bakery")
    session.add(TypeExclusion(manager_id=town["agency"].id, shop_type_id=bakery.id))
    session.commit()
    page = portfolio(session, town["agency"], PortfolioQuery(), today=TODAY)
    bread = next(row for row in page.rows if row.premise.address == "12 Rue du Pain")
    assert all(item.shop_type.code != "bakery" for row in page.rows for item in row.best)
    assert [item.shop_type.code for item in bread.not_allowed] == ["bakery"]
    assert bread.not_allowed[0].forbidden == "Excluded by the premise's manager"
    assert portfolio(session, town["agency"], PortfolioQuery(type_code="bakery")).total == 0
    # Another manager's premises keep their bakery ranking.
    officer = make_user(session, role="officer")
    assert "9 Rue du Pain" in addresses(
        portfolio(session, officer, PortfolioQuery(type_code="bakery"))
    )


def test_filters(session: Session, town: dict) -> None:
    agency = town["agency"]

    def only(**filters: object) -> list[str]:
        return addresses(portfolio(session, agency, PortfolioQuery(**filters), today=TODAY))

    assert only(street="nord") == ["10 Rue Nord", "2 Rue Nord"]
    assert only(street="100%_") == []  # wildcards are plain characters
    assert only(status="let") == ["4 Rue Sud"]
    assert only(type_code="books") == ["10 Rue Nord", "2 Rue Nord"]
    assert only(min_score=40) == ["12 Rue du Pain", "30 Rue du Pain"]
    assert only(type_code="cafe", min_score=99) == []
    lat, lon = point(0, 8)["lat"], point(0, 8)["lon"]
    square = [[lon - 0.002, lat - 0.001], [lon + 0.002, lat - 0.001], [lon + 0.002, lat + 0.001]]
    area = District(
        ref="pain",
        name="Quartier du Pain",
        level="quartier",
        geometry=json.dumps({"type": "Polygon", "coordinates": [[*square, square[0]]]}),
        min_lat=lat - 0.001,
        max_lat=lat + 0.001,
        min_lon=lon - 0.002,
        max_lon=lon + 0.002,
    )
    session.add(area)
    session.commit()
    # 0.002° of longitude is about 146 m: the square holds 12 Rue du Pain, not 30 (250 m east).
    assert only(district_id=area.id) == ["12 Rue du Pain"]
    with pytest.raises(PortfolioError):
        portfolio(session, agency, PortfolioQuery(district_id=area.id + 100))
    with pytest.raises(PortfolioError):
        portfolio(session, agency, PortfolioQuery(type_code="unicorn"))


def test_sorts_and_pages(session: Session, town: dict) -> None:
    agency = town["agency"]

    def order(sort: str) -> list[str]:
        return addresses(portfolio(session, agency, PortfolioQuery(sort=sort), today=TODAY))

    # Natural order: 2 before 10 on Rue Nord.
    assert order("address") == [
        "12 Rue du Pain",
        "30 Rue du Pain",
        "2 Rue Nord",
        "10 Rue Nord",
        "4 Rue Sud",
    ]
    # Longest vacant first; a let premise has no days vacant and comes last.
    assert order("days") == [
        "10 Rue Nord",
        "30 Rue du Pain",
        "2 Rue Nord",
        "12 Rue du Pain",
        "4 Rue Sud",
    ]
    # By street, strongest demand first within a street.
    assert order("street")[:2] == ["12 Rue du Pain", "30 Rue du Pain"]
    assert order("street")[2:4] == ["10 Rue Nord", "2 Rue Nord"]
    pages = [
        portfolio(session, agency, PortfolioQuery(sort="address", page=n), page_size=2)
        for n in (1, 2, 3, 9)
    ]
    assert [p.pages for p in pages] == [3, 3, 3, 3]
    assert [addresses(p) for p in pages[:3]] == [
        ["12 Rue du Pain", "30 Rue du Pain"],
        ["2 Rue Nord", "10 Rue Nord"],
        ["4 Rue Sud"],
    ]
    assert addresses(pages[3]) == ["4 Rue Sud"] and pages[3].page == 3  # beyond: the last page


def test_no_analysis_lists_premises_without_scores(session: Session) -> None:
    town = plant(session, analyse=False)
    page = portfolio(session, town["agency"], PortfolioQuery(sort="address"))
    assert page.run is None and page.total == 5
    assert all(row.score is None and row.best == [] for row in page.rows)
    assert portfolio(session, town["agency"], PortfolioQuery(min_score=10)).total == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"min_score": "abc"}, "minimum score"),
        ({"min_score": "101"}, "minimum score"),
        ({"min_score": "nan"}, "minimum score"),
        ({"page": "0"}, "Page"),
        ({"page": "-1"}, "Page"),
        ({"district": "1e9"}, "District"),
        ({"sort": "rent"}, "sort"),
        ({"status": "sold"}, "status"),
    ],
)
def test_parse_refuses_bad_input(args: dict, message: str, app: object) -> None:
    with pytest.raises(PortfolioError, match=message):
        parse_query(args)


def test_parse_keeps_what_it_understood(app: object) -> None:
    query = parse_query({"street": " Nord ", "min_score": "40,5", "sort": "days", "page": "2"})
    assert query == PortfolioQuery(street="Nord", min_score=40.5, sort="days", page=2)
    expected = {"street": "Nord", "min_score": "40.5", "sort": "days", "page": "3"}
    assert query.args(page=3) == expected
