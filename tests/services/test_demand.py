"""The public demand layer: a fixed grid of cells of at least 100 m, counting active wishes."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from factories import make_premise, make_street, make_user, make_wish, shop_type
from sqlalchemy.orm import Session

from wishmap.geo import haversine_m
from wishmap.services.demand import (
    MIN_CELL_M,
    BBox,
    DemandError,
    cell_size,
    demand_cells,
    parse_bbox,
    premise_points,
    type_ids,
)
from wishmap.services.importing import Record
from wishmap.services.outcomes import record_outcome
from wishmap.services.streets import cached_street_locator, import_streets
from wishmap.services.wishes import active_wish_count, create_wish

LAT0 = 48.88


def _cells(session: Session, view: BBox) -> list:
    return [
        SimpleNamespace(lat=c.lat, lon=c.lon, n=c.count)
        for c in demand_cells(session, view, 100, LAT0, [])
    ]


def test_cells_are_fixed_whatever_the_view(session: Session) -> None:
    for index in range(20):
        make_wish(session, lat=48.8800 + index * 0.0003, lon=2.3800 + index * 0.0002)
    view = BBox(48.875, 2.37, 48.89, 2.39)
    moved = BBox(48.8751, 2.3703, 48.8903, 2.3901)
    cells = {
        (round(c.lat, 9), round(c.lon, 9), c.count)
        for c in demand_cells(session, view, 100, LAT0, [])
    }
    again = {
        (round(c.lat, 9), round(c.lon, 9), c.count)
        for c in demand_cells(session, moved, 100, LAT0, [])
    }
    assert cells == again, "panning must not shift the grid"
    assert sum(count for _lat, _lon, count in cells) == 20
    # Neighbouring cell centres are at least 100 m apart both ways.
    centres = sorted((lat, lon) for lat, lon, _count in cells)
    for (lat1, lon1), (lat2, lon2) in itertools.pairwise(centres):
        if lat1 != lat2:
            assert haversine_m(lat1, lon1, lat2, lon1) >= 99.9
        if lon1 != lon2:
            assert haversine_m(lat1, lon1, lat1, lon2) >= 99.9


def test_cell_size_never_below_100_m_and_grows_with_the_view() -> None:
    small = BBox(48.88, 2.38, 48.885, 2.385)
    large = BBox(48.6, 2.0, 49.1, 2.8)
    assert cell_size(small, LAT0, base_m=10) == MIN_CELL_M
    assert cell_size(large, LAT0) > 1000


def test_bbox_and_filters_are_checked(session: Session) -> None:
    assert parse_bbox("2.37,48.87,2.40,48.89") == BBox(48.87, 2.37, 48.89, 2.40)
    for raw in (None, "", "1,2,3", "2.40,48.87,2.37,48.89", "inf,1,2,3", "0,0,5,5"):
        with pytest.raises(DemandError):
            parse_bbox(raw)
    shop_type(session)
    assert type_ids(session) == []
    assert len(type_ids(session, group="food")) > 5
    with pytest.raises(DemandError):
        type_ids(session, code="bakery", group="culture")


def test_premise_points_carry_counts_and_top_icon(session: Session) -> None:
    premise = make_premise(session)
    empty = make_premise(session)
    make_wish(session, premise=premise, code="books")
    make_wish(session, premise=premise, code="books")
    make_wish(session, premise=premise)
    points, truncated = premise_points(session, BBox(48.87, 2.37, 48.89, 2.40))
    by_id = {point.id: point for point in points}
    assert not truncated
    assert (by_id[premise.id].wishes, by_id[premise.id].top_icon) == (3, "library")
    assert (by_id[empty.id].wishes, by_id[empty.id].top_icon) == (0, None)


def test_a_settled_wish_frees_its_place_in_the_quota(session: Session) -> None:
    agency = make_user(session, role="agency")
    premise = make_premise(session, manager_id=agency.id)
    user = make_user(session)
    create_wish(session, user, shop_type(session).id, premise_id=premise.id)
    assert active_wish_count(session, user.id) == 1
    [news] = record_outcome(session, agency, premise.id, "let", None, premise.updated_at.date())
    assert news.came_true is False
    assert active_wish_count(session, user.id) == 0


def test_street_locator_is_cached_until_streets_change(session: Session) -> None:
    first = make_street(session, "Rue A")
    locator = cached_street_locator(session)
    assert cached_street_locator(session) is locator
    assert locator.nearest(48.8801, 2.385) == first.id
    geometry = {"type": "LineString", "coordinates": [[2.38, 48.89], [2.39, 48.89]]}
    import_streets(session, [Record("feature 1", {"name": "Rue B", "id": "b"}, geometry)])
    fresh = cached_street_locator(session)
    assert fresh is not locator and len(fresh.ids) == 2
