"""Premise reports: the headline follows planted demand, competitors lower it, figures count
the residents within the analysis radius, forbidden uses are never recommended."""

from __future__ import annotations

import itertools
import json
import math
from datetime import timedelta

import pytest
from factories import make_premise, make_shop, make_street, make_user, make_wish, shop_type
from sqlalchemy.orm import Session

from wishmap.models import Premise, User, Wish
from wishmap.models._types import utcnow
from wishmap.services import insights
from wishmap.services.analysis import run_analysis

_numbers = itertools.count()
M_LAT = 1 / 111_195
M_LON = 1 / (111_195 * math.cos(math.radians(48.88)))


@pytest.fixture
def place(session: Session) -> dict:
    owner = make_user(session, role="owner")
    street = make_street(
        session, "Rue des Lilas", [[2.38 - 500 * M_LON, 48.88], [2.38 + 500 * M_LON, 48.88]]
    )
    premise = make_premise(
        session,
        manager_id=owner.id,
        street_id=street.id,
        street_name="Rue des Lilas",
        address="10 Rue des Lilas",
        lat=48.88,
        lon=2.38,
    )
    return {"owner": owner, "street": street, "premise": premise}


def residents_wishing(
    session: Session,
    code: str,
    count: int,
    east_m: float,
    north_m: float = 0.0,
    **fields: object,
) -> list[Wish]:
    """Add count residents, each with one free wish for code at (east_m, north_m) of 48.88/2.38."""
    type_id = shop_type(session, code).id
    users = [
        User(
            email=f"{code}-{next(_numbers)}@example.org",
            display_name=f"R{i}",
            role="resident",
        )
        for i in range(count)
    ]
    session.add_all(users)
    session.flush()
    wishes = [
        Wish(
            user_id=user.id,
            shop_type_id=type_id,
            lat=48.88 + north_m * M_LAT,
            lon=2.38 + east_m * M_LON,
            **fields,
        )
        for user in users
    ]
    session.add_all(wishes)
    session.commit()
    return wishes


def report_of(session: Session, place: dict, **kwargs: object) -> insights.PremiseReport:
    return insights.premise_report(session, place["owner"], place["premise"].id, **kwargs)


def test_planted_demand_heads_the_report_and_a_competitor_next_door_lowers_it(
    session: Session, place: dict
) -> None:
    residents_wishing(session, "pharmacy", 40, east_m=60)
    residents_wishing(session, "books", 6, east_m=-80)
    residents_wishing(session, "florist", 3, east_m=150)
    run_analysis(session)
    report = report_of(session, place)
    assert report.headline is not None
    assert report.headline.shop_type.code == "pharmacy"
    assert report.headline.row.residents == 40
    assert [line.shop_type.code for line in report.next_best][:1] == ["books"]
    before = report.headline.row.gap

    make_shop(session, "pharmacy", name="Pharmacie des Lilas", lat=48.88, lon=2.38 + 15 * M_LON)
    run_analysis(session)
    report = report_of(session, place)
    pharmacy = next(line for line in report.lines if line.shop_type.code == "pharmacy")
    assert pharmacy.row.gap < before
    assert pharmacy.row.competitors == 1
    # The evidence names the nearest competitor, with its distance.
    assert pharmacy.nearest is not None
    assert pharmacy.nearest.name == "Pharmacie des Lilas"
    assert round(pharmacy.nearest.distance_m) == 15


def test_frequency_counts_the_residents_within_the_radius(session: Session, place: dict) -> None:
    # 300 residents who all said "weekly", 30 m away: none of them pinned the premise itself.
    residents_wishing(session, "bakery", 300, east_m=30, frequency="weekly")
    residents_wishing(session, "bakery", 20, east_m=-100, frequency="monthly")
    # Beyond the 400 m radius: these residents do not count for this premise.
    residents_wishing(session, "bakery", 50, east_m=450, frequency="weekly")
    # A resident with two wishes counts once, at their most frequent answer.
    twice = make_user(session)
    make_wish(session, twice, code="bakery", lat=48.88, lon=2.38 + 50 * M_LON, frequency="monthly")
    make_wish(session, twice, premise=place["premise"], code="bakery", frequency="weekly")
    run_analysis(session)
    line = report_of(session, place).headline
    assert line is not None and line.shop_type.code == "bakery"
    assert (line.weekly, line.monthly, line.occasionally) == (301, 20, 0)
    assert line.figures.residents == 321 == line.row.residents


def test_trend_compares_the_last_90_days_with_the_90_before(session: Session, place: dict) -> None:
    now = utcnow()
    residents_wishing(session, "cafe", 7, east_m=40, created_at=now - timedelta(days=10))
    residents_wishing(session, "cafe", 3, east_m=40, created_at=now - timedelta(days=120))
    residents_wishing(session, "cafe", 4, east_m=40, created_at=now - timedelta(days=400))
    run_analysis(session, now=now)
    line = report_of(session, place, now=now).headline
    assert line is not None
    assert (line.figures.recent, line.figures.previous, line.trend) == (7, 3, "rising")


def test_reasons_come_from_active_wishes_within_the_radius(session: Session, place: dict) -> None:
    residents_wishing(session, "cheese", 5, east_m=20)
    make_wish(session, code="cheese", lat=48.88, lon=2.38 + 10 * M_LON, reason="Du bon   comté")
    make_wish(session, code="cheese", lat=48.88, lon=2.38, reason="Caché", status="hidden")
    make_wish(session, code="cheese", lat=48.88, lon=2.38, reason="Pas vérifié", status="pending")
    make_wish(session, code="cheese", lat=48.88, lon=2.38 + 900 * M_LON, reason="Trop loin")
    run_analysis(session)
    line = report_of(session, place).headline
    assert line is not None and line.shop_type.code == "cheese"
    assert line.figures.reasons == ["Du bon comté"]


def test_a_forbidden_use_is_never_the_recommendation(
    session: Session, place: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    residents_wishing(session, "pharmacy", 40, east_m=60)
    residents_wishing(session, "books", 6, east_m=-80)
    run_analysis(session)
    premise: Premise = place["premise"]
    pharmacy = shop_type(session, "pharmacy").id
    monkeypatch.setattr(
        insights,
        "forbidden_types",
        lambda _session, ids: (
            {premise.id: {pharmacy: "protected frontage"}} if premise.id in ids else {}
        ),
    )
    report = report_of(session, place)
    assert report.headline is not None and report.headline.shop_type.code == "books"
    assert all(line.shop_type.code != "pharmacy" for line in report.lines)
    assert [(line.shop_type.code, line.not_allowed) for line in report.not_allowed] == [
        ("pharmacy", "protected frontage")
    ]


def test_without_an_analysis_the_report_shows_live_facts(session: Session, place: dict) -> None:
    residents_wishing(session, "toys", 4, east_m=30)
    residents_wishing(session, "books", 2, east_m=900)
    report = report_of(session, place)
    assert report.run is None and report.headline is None and report.lines == []
    assert [(shop.code, count) for shop, count in report.live] == [("toys", 4)]


def test_reports_are_only_for_their_readers(session: Session, place: dict) -> None:
    with pytest.raises(insights.NotAllowed):
        insights.premise_report(session, make_user(session, role="owner"), place["premise"].id)
    with pytest.raises(insights.NotFound):
        insights.premise_report(session, place["owner"], 10**9)
    officer = make_user(session, role="officer")
    assert insights.premise_report(session, officer, place["premise"].id).premise.id == (
        place["premise"].id
    )


def test_a_protected_frontage_never_gets_a_forbidden_use_recommended(
    session: Session, place: dict
) -> None:
    from wishmap.services.importing import geojson_records
    from wishmap.services.zoning import import_zoning

    line = [[2.38 - 500 * M_LON, 48.88], [2.38 + 500 * M_LON, 48.88]]
    layer = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                # Paris's PLU columns: this stretch is reserved for crafts (PPA).
                "properties": {
                    "N_SQ_PCA": 1.0,
                    "PCA": "N",
                    "PRCA": "N",
                    "PPA": "O",
                    "NOM_VOIE": "Rue des Lilas",
                    "N_VO_ADDG": 1.0,
                    "N_VO_ADFG": 19.0,
                    "N_VO_ADDD": 2.0,
                    "N_VO_ADFD": 20.0,
                },
                "geometry": {"type": "LineString", "coordinates": line},
            }
        ],
    }
    import_zoning(session, geojson_records(json.dumps(layer)))
    residents_wishing(session, "pharmacy", 40, east_m=60)
    residents_wishing(session, "bakery", 6, east_m=-80)
    run_analysis(session)
    report = report_of(session, place)
    assert report.headline is not None and report.headline.shop_type.code == "bakery"
    assert "pharmacy" in {line.shop_type.code for line in report.not_allowed}
    assert "pharmacy" not in {line.shop_type.code for line in report.lines}
    assert report.zoning and report.zoning[0].code == "PPA"


def test_the_maps_demand_cells_are_the_public_maps(session: Session, place: dict) -> None:
    from wishmap.services.demand import demand_cells
    from wishmap.services.report_nearby import box_around
    from wishmap.services.report_surroundings import MAP_MARGIN_M

    residents_wishing(session, "pharmacy", 12, east_m=60)
    residents_wishing(session, "pharmacy", 5, east_m=-220, north_m=130)
    residents_wishing(session, "pharmacy", 3, east_m=520)  # beyond the radius, on the map
    run_analysis(session)
    report = report_of(session, place, grid=(48.0, 100.0))
    pharmacy = shop_type(session, "pharmacy").id
    reach = box_around(48.88, 2.38, report.radius_m + MAP_MARGIN_M)
    public = demand_cells(session, reach, 100.0, 48.0, [pharmacy])
    assert sorted(report.surroundings.cells[pharmacy], key=lambda c: (c.lat, c.lon)) == sorted(
        public, key=lambda c: (c.lat, c.lon)
    )
    assert sum(cell.count for cell in public) == 20
