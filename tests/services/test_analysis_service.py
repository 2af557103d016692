"""The analysis service: arrays from the database → analysis → stored results, planted data."""

from __future__ import annotations

import json

import numpy as np
import pytest
from factories import make_premise, make_shop, make_street, make_user, make_wish, shop_type
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap.models import AnalysisRun, PremiseGap, StreetDemand
from wishmap.services.analysis import premise_gaps, rank_tenants, run_analysis, street_ranking

# Three parallel east-west streets 300 m apart, 1.2 km long, around 48.88 N 2.38 E.
M_LAT = 1 / 111_195
M_LON = 1 / (111_195 * np.cos(np.radians(48.88)))


def line(y_m: float) -> list[list[float]]:
    return [[2.38 - 600 * M_LON, 48.88 + y_m * M_LAT], [2.38 + 600 * M_LON, 48.88 + y_m * M_LAT]]


@pytest.fixture
def district(session: Session) -> dict:
    streets = {
        name: make_street(session, name, line(y))
        for name, y in (("Rue Nord", 300), ("Rue du Pain", 0), ("Rue Sud", -300))
    }
    premises = {
        key: make_premise(
            session,
            street_id=streets[street].id,
            street_name=street,
            lat=48.88 + y * M_LAT + 8 * M_LAT,
            lon=2.38 + x * M_LON,
            surface_m2=70,
            rent_eur_month=1800,
        )
        for key, street, x, y in (
            ("bread", "Rue du Pain", 0, 0),
            ("north", "Rue Nord", 0, 300),
            ("south", "Rue Sud", 200, -300),
        )
    }
    rng = np.random.default_rng(5)
    codes = ["books", "florist", "cafe", "cheese", "toys"]
    # 60 residents wish for a bakery along Rue du Pain, a few metres off the line.
    for index in range(60):
        user = make_user(session)
        x = rng.uniform(-250, 250)
        make_wish(
            session,
            user,
            code="bakery",
            lat=48.88 + rng.normal(0, 6) * M_LAT,
            lon=2.38 + x * M_LON,
            street_id=streets["Rue du Pain"].id,
        )
        if index % 4 == 0:
            make_wish(session, user, premises["bread"], code="bakery")
    # Background: 40 residents wishing other types anywhere in the district.
    for _ in range(40):
        user = make_user(session)
        street = list(streets.values())[int(rng.integers(3))]
        y = json.loads(street.geometry)["coordinates"][0][1]
        make_wish(
            session,
            user,
            code=codes[int(rng.integers(len(codes)))],
            lat=y + rng.normal(0, 20) * M_LAT,
            lon=2.38 + rng.uniform(-600, 600) * M_LON,
            street_id=street.id,
        )
    return {"streets": streets, "premises": premises}


def test_planted_street_and_premise_rank_bakery_first(session: Session, district: dict) -> None:
    run = run_analysis(session)
    assert run.status == "finished" and run.wishes == 115 and run.premises == 3
    bakery = shop_type(session, "bakery")
    ranking = street_ranking(session, district["streets"]["Rue du Pain"].id)
    assert ranking[0].shop_type_id == bakery.id
    assert ranking[0].residents == 60 and ranking[0].wishes == 75
    gaps = premise_gaps(session, district["premises"]["bread"].id)
    assert gaps[0].shop_type_id == bakery.id
    assert gaps[0].residents >= 55 and gaps[0].competitors == 0
    assert gaps[0].nearest_competitor_m is None
    stored = json.loads(run.params)
    assert stored["demand"]["radius_m"] == 400 and "timings" in stored
    # Other streets do not rank bakery first.
    for name in ("Rue Nord", "Rue Sud"):
        rows = street_ranking(session, district["streets"][name].id)
        assert all(row.shop_type_id != bakery.id for row in rows[:1])


def test_bakery_next_door_lowers_the_gap(session: Session, district: dict) -> None:
    run_analysis(session)
    bakery = shop_type(session, "bakery")
    premise = district["premises"]["bread"]
    before = next(row for row in premise_gaps(session, premise.id) if row.shop_type_id == bakery.id)
    make_shop(session, "bakery", lat=premise.lat, lon=premise.lon + 30 * M_LON)
    second = run_analysis(session)
    after = next(row for row in premise_gaps(session, premise.id) if row.shop_type_id == bakery.id)
    assert after.gap < before.gap
    assert after.competitors == 1 and after.nearest_competitor_m == pytest.approx(30, abs=3)
    # Only the newest run keeps result rows; both runs keep their record.
    assert session.scalar(select(func.count()).select_from(AnalysisRun)) == 2
    assert set(session.scalars(select(PremiseGap.run_id).distinct())) == {second.id}
    assert set(session.scalars(select(StreetDemand.run_id).distinct())) == {second.id}


def test_only_active_wishes_count(session: Session) -> None:
    street = make_street(session, "Rue Seule", line(0))
    premise = make_premise(session, street_id=street.id, lat=48.88, lon=2.38)
    for status in ("active", "pending", "held", "withdrawn", "hidden"):
        make_wish(session, premise=premise, status=status)
    run = run_analysis(session)
    assert run.wishes == 1
    [row] = street_ranking(session, street.id)
    assert (row.wishes, row.residents) == (1, 1)


def test_rank_tenants_explains_each_candidate(session: Session, district: dict) -> None:
    run_analysis(session)
    matches = rank_tenants(
        session,
        district["premises"]["bread"],
        [
            {"shop_type": "books", "min_surface_m2": 40, "max_surface_m2": 90, "max_rent": 2000},
            {
                "shop_type": "bakery",
                "min_surface_m2": 50,
                "max_surface_m2": 100,
                "max_rent": 2000,
                "name": "Boulangerie Martin",
            },
        ],
    )
    assert matches[0].reason.startswith("Boulangerie Martin: gap")
    assert "70 m² fits" in matches[0].reason and "within budget" in matches[0].reason
    assert matches[0].score > matches[1].score
    with pytest.raises(ValueError, match="unknown shop type 'spaceport'"):
        rank_tenants(
            session,
            district["premises"]["bread"],
            [{"shop_type": "spaceport", "min_surface_m2": 1, "max_surface_m2": 2, "max_rent": 1}],
        )


def test_analyse_command_reports_progress(runner: FlaskCliRunner, district: dict) -> None:
    result = runner.invoke(args=["analyse"])
    assert result.exit_code == 0, result.output
    assert "analysing 115 wishes, 3 premises, 0 shops, 3 streets" in result.output
    assert "analysis run 1: 115 wishes, 3 premises" in result.output
    assert runner.invoke(args=["analyse", "--help"]).exit_code == 0
