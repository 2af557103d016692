"""Officers' dashboard: known key figures on planted data, and people counts protected."""

from __future__ import annotations

from dashboard_data import TODAY, plant_dashboard
from sqlalchemy.orm import Session

from wishmap.services.dashboard import dashboard
from wishmap.services.disclosure import CellKeys


def test_key_figures_for_the_city(session: Session) -> None:
    plant_dashboard(session)
    board = dashboard(session, min_residents=3, keys=None, today=TODAY)
    city = board.city
    assert (city.premises, city.vacant, city.vacancy_rate) == (4, 2, 0.5)
    assert city.median_days_vacant == 70.0  # 100 and 40 days
    # Two lettings; only the bakery was among the three types most wished at its premise.
    assert (city.let, city.came_true) == (2, 1)
    assert (city.wishes_this_month, city.wishes_last_month, city.trend) == (4, 10, -6)
    assert (board.this_month, board.last_month) == ("2026-03", "2026-02")
    months = dict(board.months)
    assert len(board.months) == 12 and board.months[-1][0] == "2026-03"
    assert months["2026-02"] == 10 and months["2026-03"] == 4 and months["2025-12"] is None


def test_figures_per_district_side_by_side(session: Session) -> None:
    plant_dashboard(session)
    board = dashboard(session, min_residents=3, keys=None, today=TODAY)
    figures = {district.name: f for district, f in board.districts}
    west, east = figures["West"], figures["East"]
    assert (west.premises, west.vacant, west.median_days_vacant) == (2, 1, 100.0)
    assert (west.let, west.came_true) == (1, 0)
    assert (west.wishes_this_month, west.wishes_last_month, west.trend) == (4, 3, 1)
    assert (east.premises, east.vacant, east.let, east.came_true) == (2, 1, 1, 1)
    # No wish in East this month: withheld like any small count, so no trend either.
    assert (east.wishes_this_month, east.wishes_last_month, east.trend) == (None, 7, None)


def test_unmet_demand_only_where_no_shop_is_within_walking_distance(session: Session) -> None:
    plant_dashboard(session)
    board = dashboard(session, min_residents=3, keys=None, today=TODAY)
    assert [(u.code, u.residents, u.premises) for u in board.unmet] == [("bakery", 9, 2)]


def test_people_counts_follow_the_published_rule(session: Session) -> None:
    plant_dashboard(session)
    # The default floor of 11: every people count here is withheld, premise figures are not.
    board = dashboard(session, min_residents=11, keys=CellKeys("s"), today=TODAY)
    assert board.city.wishes_last_month is None and board.city.wishes_this_month is None
    assert all(value is None for _month, value in board.months)
    assert board.unmet == []  # a suppressed type is not named with a count
    assert board.city.vacancy_rate == 0.5 and board.max_noise == 2
    # With noise, a shown count stays within ±2 of the truth and is the same when asked again.
    noisy = dashboard(session, min_residents=3, keys=CellKeys("s"), today=TODAY)
    assert abs(noisy.city.wishes_last_month - 10) <= 2
    again = dashboard(session, min_residents=3, keys=CellKeys("s"), today=TODAY)
    assert again.city.wishes_last_month == noisy.city.wishes_last_month
