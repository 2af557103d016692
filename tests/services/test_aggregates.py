"""Live aggregates: kept by triggers on every wish change, equal to a rebuild and to the scans."""

from __future__ import annotations

from factories import make_premise, make_user, make_wish, shop_type
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from wishmap.models import Premise, User, Wish, WishStatus
from wishmap.services import aggregates
from wishmap.services.demand import BBox, demand_cells, premise_points, scan_cells
from wishmap.services.moderation import hide_wish
from wishmap.services.wishes import withdraw_wish

LAT0 = 48.88
STATUSES = [s.value for s in WishStatus]

# One operation: (kind, wish pick, user pick, status, lat offset, lon offset, type pick)
OPERATION = st.tuples(
    st.sampled_from(["create", "status", "move", "retype", "delete", "delete_user", "withdraw"]),
    st.integers(0, 50),
    st.integers(0, 3),
    st.sampled_from(STATUSES),
    st.floats(-0.03, 0.03),
    st.floats(-0.03, 0.03),
    st.integers(0, 2),
)


def _apply(session: Session, op: tuple, users: list[int], premises: list, types: list[int]) -> None:
    kind, pick, user_pick, status, dlat, dlon, type_pick = op
    wish_ids = list(session.scalars(select(Wish.id).order_by(Wish.id)))
    wish_id = wish_ids[pick % len(wish_ids)] if wish_ids else None
    user_id = users[user_pick]
    if kind == "create" or wish_id is None:
        premise = premises[pick % len(premises)] if pick % 3 == 0 else None
        session.add(
            Wish(
                user_id=user_id,
                shop_type_id=types[type_pick],
                premise_id=premise.id if premise else None,
                lat=(premise.lat if premise else LAT0) + (0 if premise else dlat),
                lon=(premise.lon if premise else 2.38) + (0 if premise else dlon),
                status=status,
            )
        )
    elif kind == "status":  # hold, release, hide, restore: a bulk UPDATE, as holds.py does
        session.execute(update(Wish).where(Wish.id == wish_id).values(status=status))
    elif kind == "move":
        wish = session.get(Wish, wish_id)
        wish.lat, wish.lon = wish.lat + dlat, wish.lon + dlon
    elif kind == "retype":
        session.get(Wish, wish_id).shop_type_id = types[type_pick]
    elif kind == "delete":
        session.delete(session.get(Wish, wish_id))
    elif kind == "delete_user":  # privacy.py deletes an account's wishes in one statement
        session.execute(delete(Wish).where(Wish.user_id == user_id))
    elif kind == "withdraw":
        wish = session.get(Wish, wish_id)
        user = session.get(User, wish.user_id)
        if wish.status in ("active", "pending", "held"):
            withdraw_wish(session, user, wish.id)
    session.commit()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=st.lists(OPERATION, min_size=1, max_size=25), sizes=st.sampled_from([0, 1, 3, 5]))
def test_incremental_aggregates_equal_a_rebuild_and_the_scans(
    session: Session, operations: list, sizes: int
) -> None:
    session.execute(delete(Wish))
    session.commit()
    if not session.scalar(select(User.id).limit(1)):
        for _ in range(4):
            make_user(session)
        for index in range(3):
            make_premise(session, lat=LAT0 + index * 0.004, lon=2.38 + index * 0.003)
    users = list(session.scalars(select(User.id).order_by(User.id)))[:4]
    premises = list(session.scalars(select(Premise).order_by(Premise.id)))
    types = [shop_type(session, code).id for code in ("bakery", "pharmacy", "cheese")]
    aggregates.rebuild(session, LAT0, 100.0)
    for op in operations:
        _apply(session, op, users, premises, types)
    incremental = aggregates.snapshot(session)
    aggregates.rebuild(session, LAT0, 100.0)
    assert aggregates.snapshot(session) == incremental

    # Every level the map asks for answers as the scan of the wishes would, filtered or not.
    size = 100.0 * 2**sizes
    view = BBox(LAT0 - 0.05, 2.33, LAT0 + 0.05, 2.43)
    for ids in ([], [types[0]], types[1:]):
        via_aggregates = sorted(
            (round(c.lat, 9), round(c.lon, 9), c.count)
            for c in demand_cells(session, view, size, LAT0, ids)
        )
        scanned = sorted(
            (round(c.lat, 9), round(c.lon, 9), c.count)
            for c in scan_cells(session, view, size, LAT0, ids)
        )
        assert via_aggregates == scanned
    points, _cut = premise_points(session, view, status=None)
    for point in points:
        assert point.wishes == session.scalar(
            select(func.count())
            .select_from(Wish)
            .where(Wish.premise_id == point.id, Wish.status == WishStatus.ACTIVE.value)
        )


def test_services_keep_the_counts_at_once(session: Session) -> None:
    aggregates.rebuild(session, LAT0, 100.0)
    premise = make_premise(session)
    wish = make_wish(session, premise=premise)
    make_wish(session, premise=premise, code="pharmacy")
    points, _ = premise_points(session, BBox(48.87, 2.37, 48.89, 2.40))
    assert [p.wishes for p in points] == [2]
    withdraw_wish(session, session.get(User, wish.user_id), wish.id)
    admin = make_user(session, role="admin")
    other = session.scalars(select(Wish).where(Wish.status == "active")).one()
    hide_wish(session, admin, other.id)
    points, _ = premise_points(session, BBox(48.87, 2.37, 48.89, 2.40))
    assert [p.wishes for p in points] == [0]
    assert aggregates.snapshot(session) == (set(), set())


def test_any_view_answers_with_bounded_cells(client: FlaskClient, session: Session) -> None:
    make_wish(session, lat=48.8805, lon=2.3850)
    world = client.get("/api/demand.geojson?bbox=-180,-85,180,85")
    assert world.status_code == 200
    features = world.get_json()["features"]
    assert sum(f["properties"]["n"] for f in features) == 1
    # A new wish shows at once, in the same cell at this zoom.
    make_wish(session, lat=48.8806, lon=2.3851)
    again = client.get("/api/demand.geojson?bbox=-180,-85,180,85").get_json()["features"]
    assert sum(f["properties"]["n"] for f in again) == 2
    assert len(again) == 1
    assert client.get("/api/premises.geojson?bbox=-10,40,10,55").status_code == 200


def test_rebuild_aggregates_command(runner: FlaskCliRunner, session: Session) -> None:
    make_wish(session)
    result = runner.invoke(args=["rebuild-aggregates"])
    assert result.exit_code == 0, result.output
    assert "cell rows" in result.output
    cells, _premises = aggregates.snapshot(session)
    assert cells
    assert "Recompute" in runner.invoke(args=["rebuild-aggregates", "--help"]).output
