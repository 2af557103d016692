"""Planted data for the dashboard tests: four premises in two districts, wishes in two months."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from factories import make_premise, make_user, make_wish, shop_type
from sqlalchemy.orm import Session
from statistics_data import district_records

from wishmap.models import AnalysisRun, Premise, PremiseGap
from wishmap.services.districts import import_districts

TODAY = date(2026, 3, 20)
FEBRUARY = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)
MARCH = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
WEST, EAST = 2.37, 2.385  # longitudes inside the West and East districts
LAT = 48.88


def gap(session: Session, run: AnalysisRun, premise: Premise, code: str, competitors: int) -> None:
    session.add(
        PremiseGap(
            run_id=run.id,
            premise_id=premise.id,
            shop_type_id=shop_type(session, code).id,
            gap=80.0,
            demand=5.0,
            wishes=5,
            residents=5,
            competitors=competitors,
            nearest_competitor_m=None if competitors == 0 else 150.0,
            within_100=1,
            within_200=2,
            within_300=3,
            within_400=5,
        )
    )


def plant_dashboard(session: Session) -> dict[str, Premise]:
    """West: a vacant premise (100 days) and one opened as a florist nobody wished for.
    East: a vacant premise (40 days) and one let to a bakery, its most wished type.
    February: 7 wishes at the East letting, 3 at the West one; March: 4 bakery wishes in West.
    """
    premises = {
        "west_vacant": make_premise(
            session, lon=WEST, lat=LAT, vacant_since=TODAY - timedelta(100)
        ),
        "east_vacant": make_premise(session, lon=EAST, lat=LAT, vacant_since=TODAY - timedelta(40)),
        "east_let": make_premise(
            session, lon=EAST, lat=LAT, status="let", opened_shop_type_id=shop_type(session).id
        ),
        "west_opened": make_premise(
            session,
            lon=WEST,
            lat=LAT,
            status="opened",
            opened_shop_type_id=shop_type(session, "florist").id,
        ),
    }
    for code in ["bakery"] * 3 + ["cheese"] * 2 + ["books", "florist"]:
        make_wish(session, premise=premises["east_let"], code=code, created_at=FEBRUARY)
    for code in ["bakery", "bakery", "cheese"]:
        make_wish(session, premise=premises["west_opened"], code=code, created_at=FEBRUARY)
    for _ in range(4):
        make_wish(session, user=make_user(session), lat=LAT, lon=WEST, created_at=MARCH)
    import_districts(session, district_records(), level="quartier")
    run = AnalysisRun(status="finished", finished_at=datetime(2026, 3, 19, tzinfo=UTC))
    session.add(run)
    session.flush()
    gap(session, run, premises["west_vacant"], "bakery", 0)
    gap(session, run, premises["east_vacant"], "bakery", 0)
    gap(session, run, premises["east_vacant"], "cheese", 2)
    session.commit()
    return premises
