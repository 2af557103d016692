"""The analysis service: arrays from the database → analysis → stored results, planted data."""

from __future__ import annotations

import gc
import json
from datetime import UTC, datetime

import numpy as np
import pytest
from factories import make_premise, make_shop, make_street, make_user, make_wish, shop_type
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis import Wishes, run_full
from wishmap import cli, jobs
from wishmap.models import AnalysisRun, Hotspot, PremiseGap, StreetDemand, Wish
from wishmap.services import analysis as analysis_service
from wishmap.services import analysis_arrays
from wishmap.services.analysis import (
    Inputs,
    premise_gaps,
    rank_tenants,
    run_analysis,
    street_ranking,
)

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


def test_analyse_command_freezes_objects_at_exit_once(
    runner: FlaskCliRunner, district: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The process's teardown then skips searching the app's objects for cycles (0.25 s CPU).
    at_exit: list = []
    monkeypatch.setattr(cli.atexit, "register", at_exit.append)
    monkeypatch.setattr(cli.atexit, "unregister", lambda f: at_exit.count(f) and at_exit.remove(f))
    for _ in range(2):
        assert runner.invoke(args=["analyse"]).exit_code == 0
    assert at_exit == [gc.freeze]


def test_analyse_command_freezes_the_start_up_before_the_run(
    runner: FlaskCliRunner, district: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The run's collections then skip the app's start-up objects (0.13 s CPU at 1,000,000 wishes).
    calls: list[str] = []
    real_run = analysis_service.run_analysis
    monkeypatch.setattr(cli.atexit, "register", lambda _f: None)
    monkeypatch.setattr(cli.gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(
        analysis_service, "run_analysis", lambda *a, **k: calls.append("run") or real_run(*a, **k)
    )
    assert runner.invoke(args=["analyse"]).exit_code == 0
    assert calls == ["freeze", "run"]


def test_analyse_command_keeps_numpy_arrays_off_huge_pages(
    runner: FlaskCliRunner, district: dict
) -> None:
    # Faulting in huge pages compacted memory at first touch: 0.18-0.33 s of system time at 1M.
    from numpy._core.multiarray import _set_madvise_hugepage

    before = _set_madvise_hugepage(True)
    try:
        assert runner.invoke(args=["analyse"]).exit_code == 0
        assert _set_madvise_hugepage(True) is False  # returns the setting it replaces
    finally:
        _set_madvise_hugepage(before)


def _row_by_row(session: Session, inputs: Inputs) -> Wishes:
    """The wishes as the service read them before issue 11: one Row per wish, then arrays."""
    rows = session.execute(
        select(
            Wish.id, Wish.lat, Wish.lon, Wish.shop_type_id, Wish.user_id, Wish.created_at,
            Wish.street_id,
        ).where(Wish.status == "active")
    ).all()  # fmt: skip
    type_index = {type_id: index for index, type_id in enumerate(inputs.type_ids)}
    street_index = {street_id: index for index, street_id in enumerate(inputs.street_ids)}
    return Wishes(
        lat=np.array([row[1] for row in rows], dtype=np.float64),
        lon=np.array([row[2] for row in rows], dtype=np.float64),
        type_idx=np.array([type_index[row[3]] for row in rows], dtype=np.int64),
        resident_id=np.array([row[4] if row[4] is not None else -row[0] for row in rows]),
        created_at=np.array([row[5].timestamp() for row in rows], dtype=np.float64),
        street_idx=np.array([street_index.get(row[6], -1) for row in rows], dtype=np.int64),
    )


def _sorted(wishes: Wishes) -> np.ndarray:
    columns = [wishes.lat, wishes.lon, wishes.type_idx, wishes.resident_id, wishes.created_at]
    table = np.column_stack([*columns, wishes.street_idx]).astype(np.float64)
    return table[np.lexsort(table.T[::-1])]


def test_column_wise_reading_stores_what_row_by_row_did(session: Session, district: dict) -> None:
    # The awkward rows: a deleted account's wish, a wish on no street, a time with microseconds
    # and one before 1970 (floored, not truncated), a pending wish (not read).
    kept = make_wish(session, code="cafe", lat=48.8801, lon=2.3801)
    kept.user_id = None
    make_wish(session, code="cafe", lat=48.8802, lon=2.3802, street_id=None)
    make_wish(session, code="toys", created_at=datetime(2026, 3, 4, 5, 6, 7, 999_999, tzinfo=UTC))
    make_wish(session, code="toys", created_at=datetime(1969, 12, 31, 23, 59, 59, 500_000, UTC))
    make_wish(session, code="toys", status="pending")
    session.commit()
    now = datetime(2026, 6, 1, tzinfo=UTC)
    inputs = Inputs(session, ("vacant",))
    reference = _row_by_row(session, inputs)
    assert len(inputs.wishes) == len(reference) == 119
    np.testing.assert_array_equal(_sorted(inputs.wishes), _sorted(reference))

    run = run_analysis(session, now=now)
    expected = run_full(
        reference,
        inputs.premises,
        inputs.shops,
        inputs.streets,
        len(inputs.type_ids),
        now.timestamp(),
    )
    stored = {
        (row.street_id, row.shop_type_id): (row.wishes, row.residents, row.recent, row.previous)
        for row in session.scalars(select(StreetDemand).where(StreetDemand.run_id == run.id))
    }
    streets = expected.streets
    s_idx, t_idx = np.nonzero(streets.wishes)
    assert stored == {
        (int(inputs.street_ids[s]), int(inputs.type_ids[t])): (
            streets.wishes[s, t], streets.residents[s, t], streets.recent[s, t],
            streets.previous[s, t],
        )
        for s, t in zip(s_idx, t_idx, strict=True)
    }  # fmt: skip
    gaps = {
        (row.premise_id, row.shop_type_id): (row.gap, row.residents, row.within_400)
        for row in session.scalars(select(PremiseGap).where(PremiseGap.run_id == run.id))
    }
    demand = expected.premises
    p_idx, t_idx = np.nonzero(demand.residents)
    assert gaps == {
        (int(inputs.premise_ids[p]), int(inputs.type_ids[t])): (
            round(float(demand.gap[p, t]), 2), demand.residents[p, t], demand.profile[p, t, 3],
        )
        for p, t in zip(p_idx, t_idx, strict=True)
    }  # fmt: skip
    spots = session.scalars(select(Hotspot).where(Hotspot.run_id == run.id)).all()
    assert sorted((s.shop_type_id, s.wishes, s.residents) for s in spots) == sorted(
        (int(inputs.type_ids[s.type_idx]), s.wishes, s.residents)
        for s in expected.hotspots.hotspots
    )
    assert run.hotspots == len(spots) > 0


def test_wishes_are_read_across_blocks_some_without_active_wishes(
    session: Session, district: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both databases read blocks of ids: here of 4, so the district's wishes span many, and a run
    # of withdrawn wishes leaves whole blocks with nothing to read (no row, not a NULL block).
    monkeypatch.setattr(analysis_arrays, "_POSTGRES_BLOCK", 4)
    monkeypatch.setattr(analysis_arrays, "_SQLITE_BLOCK", 4)
    for index in range(12):
        make_wish(session, code="toys", lat=48.88 + index * 1e-4, status="withdrawn")
    make_wish(session, code="toys", lat=48.9)
    session.commit()
    expected = session.execute(
        select(Wish.lat, Wish.lon, Wish.user_id).where(Wish.status == "active")
    ).all()
    rows = analysis_arrays.read_active_wishes(session)
    assert len(rows) == len(expected) == 116
    columns = (rows["lat"].tolist(), rows["lon"].tolist(), rows["resident_id"].tolist())
    assert sorted(zip(*columns, strict=True)) == sorted(expected)


def test_a_failed_analysis_changes_nothing(
    session: Session, district: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_analysis(session)
    before = session.scalar(select(func.count()).select_from(PremiseGap))

    def store_then_fail(*args: object) -> None:
        real_store(*args)
        raise RuntimeError("disk full")

    real_store = analysis_service._store
    monkeypatch.setattr(analysis_service, "_store", store_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        run_analysis(session)
    assert session.scalars(select(AnalysisRun.id)).all() == [first.id]
    assert session.scalar(select(func.count()).select_from(PremiseGap)) == before
    assert set(session.scalars(select(PremiseGap.run_id).distinct())) == {first.id}


def test_analyse_on_an_empty_database_says_so_and_stores_nothing(
    runner: FlaskCliRunner, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    # A fresh installation, or a cron job ahead of the first import: a message, not a traceback.
    result = runner.invoke(args=["analyse"])
    assert result.exit_code == 0, result.output
    assert "nothing to analyse yet" in result.output
    assert result.exception is None
    assert session.scalar(select(func.count()).select_from(AnalysisRun)) == 0
    with caplog.at_level("INFO"):
        assert jobs.run_job("analyse") is None  # the scheduled job, from cron or RQ
    assert "analyse: nothing to analyse yet" in caplog.text


def test_premises_without_streets_or_wishes_are_analysed(session: Session) -> None:
    # The first import of a city may be its premises alone: a run with nothing wished yet.
    premise = make_premise(session, lat=48.88, lon=2.38)
    run = run_analysis(session)
    assert (run.wishes, run.premises, run.hotspots) == (0, 1, 0)
    gaps = select(PremiseGap).where(PremiseGap.premise_id == premise.id)
    assert session.scalars(gaps).all() == []
