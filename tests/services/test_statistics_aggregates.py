"""Statistics aggregates: kept by triggers, equal to a rebuild, and every table equals the scan."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from unittest.mock import patch

from factories import make_street, make_user, shop_type
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from wishmap.models import District, User, Wish, WishDistrict, WishStatus
from wishmap.services import statistics_aggregates as live
from wishmap.services.disclosure import CellKeys
from wishmap.services.districts import assign_districts, import_districts
from wishmap.services.importing import Record
from wishmap.services.statistics import DIMENSIONS, StatsQuery, nesting, statistics, tables

# Mostly active, so that residents often wish in one group on several days.
STATUSES = ["active"] * 4 + [s.value for s in WishStatus]
DAYS = [
    datetime(2026, 3, 30, 23, 30, tzinfo=UTC),
    datetime(2026, 3, 31, 0, 30, tzinfo=UTC),
    datetime(2026, 4, 1, 8, 0, tzinfo=UTC),
    datetime(2026, 4, 1, 18, 0, tzinfo=UTC),
    datetime(2026, 4, 20, 12, 0, tzinfo=UTC),
    datetime(2026, 6, 2, 12, 0, tzinfo=UTC),
]
# Quartiers mostly nest in arrondissements; zones cross both (cross rows, not the nesting).
LEVELS = {"arrondissement": 2, "quartier": 3, "zone": 2}
KEYS = CellKeys(secret="aggregates", max_noise=2)

# (kind, wish pick, user pick (4 = nobody), status, street pick (2 = none), type pick, day pick)
OPERATION = st.tuples(
    st.sampled_from(
        [
            "create", "create", "create", "create", "create", "status", "retype", "restreet",
            "redate", "reuser", "delete", "delete_user_wishes", "delete_user", "redistrict",
            "undistrict", "movedistrict",
        ]
    ),
    st.integers(0, 40),
    st.integers(0, 4),
    st.sampled_from(STATUSES),
    st.integers(0, 2),
    st.integers(0, 2),
    st.integers(0, len(DAYS) - 1),
)  # fmt: skip


def _world(session: Session) -> tuple[list[int], list[int], list[int], dict[str, list[int]]]:
    """Residents, streets, shop types (two of one group) and districts of two levels."""
    users = [make_user(session).id for _ in range(4)]
    streets = [
        make_street(session, name=name, coordinates=[[2.37 + i / 100, 48.88], [2.38, 48.88]]).id
        for i, name in enumerate(("Rue Alpha", "Rue Bravo"))
    ]
    types = [shop_type(session, code).id for code in ("bakery", "cheese", "pharmacy")]
    districts: dict[str, list[int]] = {}
    square = {"type": "Polygon", "coordinates": [[[2, 48], [3, 48], [3, 49], [2, 48]]]}
    for level, count in LEVELS.items():
        for index in range(count):
            district = District(
                ref=f"{level}{index}", name=f"{level.title()} {index}", level=level,
                geometry=json.dumps(square), min_lat=48, min_lon=2, max_lat=49, max_lon=3,
            )  # fmt: skip
            session.add(district)
            session.flush()
            districts.setdefault(level, []).append(district.id)
    session.commit()
    return users, streets, types, districts


def _apply(session: Session, op: tuple, world: tuple) -> None:
    users, streets, types, districts = world
    kind, pick, user_pick, status, street_pick, type_pick, day_pick = op
    wish_ids = list(session.scalars(select(Wish.id).order_by(Wish.id)))
    wish_id = wish_ids[pick % len(wish_ids)] if wish_ids else None
    user_id = users[user_pick] if user_pick < len(users) else None
    street_id = streets[street_pick] if street_pick < len(streets) else None
    if kind == "create" or wish_id is None:
        wish = Wish(
            user_id=user_id, shop_type_id=types[type_pick], street_id=street_id, lat=48.88,
            lon=2.38, status=status, created_at=DAYS[day_pick],
        )  # fmt: skip
        session.add(wish)
        session.flush()
        # As assign_districts does: the wish first, its districts (one per level) after.
        # Quartiers mostly lie in one arrondissement (0 and 2 in the first, 1 in the second),
        # as a city's nested levels do; a wish on the last day falls across the border.
        quartier = (pick + day_pick) % len(districts["quartier"])
        arrondissement = (quartier + (day_pick == len(DAYS) - 1)) % 2
        zone = (pick // 2 + day_pick) % 2
        index = {"quartier": quartier, "arrondissement": arrondissement, "zone": zone}
        rows = [
            {"wish_id": wish.id, "level": level, "district_id": ids[index[level]]}
            for level, ids in districts.items()
            if (pick + len(level)) % 4
        ]
        if rows:
            session.execute(insert(WishDistrict), rows)
    elif kind == "status":  # hold, release, hide, restore: a bulk UPDATE, as holds.py does
        session.execute(update(Wish).where(Wish.id == wish_id).values(status=status))
    elif kind == "retype":
        session.get(Wish, wish_id).shop_type_id = types[type_pick]
    elif kind == "restreet":
        session.get(Wish, wish_id).street_id = street_id
    elif kind == "redate":
        session.get(Wish, wish_id).created_at = DAYS[day_pick]
    elif kind == "reuser":
        session.get(Wish, wish_id).user_id = user_id
    elif kind == "delete":
        session.delete(session.get(Wish, wish_id))
    elif kind == "delete_user_wishes":  # privacy.py deletes an account's wishes in one statement
        session.execute(delete(Wish).where(Wish.user_id == user_id))
    elif kind == "delete_user" and user_id is not None:  # its wishes stay, anonymous
        session.execute(update(Wish).where(Wish.user_id == user_id).values(user_id=None))
    elif kind == "redistrict":  # assign_districts: delete the wish's rows, write new ones
        session.execute(delete(WishDistrict).where(WishDistrict.wish_id == wish_id))
        session.execute(
            insert(WishDistrict),
            [
                {"wish_id": wish_id, "level": level, "district_id": ids[type_pick % len(ids)]}
                for level, ids in districts.items()
            ],
        )
    elif kind == "movedistrict":  # an UPDATE of a wish's quartier, which nothing does yet
        session.execute(
            update(WishDistrict)
            .where(WishDistrict.wish_id == wish_id, WishDistrict.level == "quartier")
            .values(district_id=districts["quartier"][type_pick % 3])
        )
    elif kind == "undistrict":  # a district deleted: its rows go in one statement
        session.execute(
            delete(WishDistrict).where(WishDistrict.district_id == districts["quartier"][pick % 3])
        )
    session.commit()


def _rows(table) -> list[tuple]:
    return [(r.keys, r.codes, r.labels, r.wishes, r.residents) for r in table.rows]


FILTERS = st.fixed_dictionaries(
    {
        "type": st.sampled_from([None, 0, 2]),
        "group": st.sampled_from([None, "food", "daily"]),
        "district": st.sampled_from(
            [None, ("quartier", 1), ("arrondissement", 0), ("zone", 0), ("zone", 1)]
        ),
        "street": st.sampled_from([None, 0, 1]),
        "since": st.sampled_from([None, date(2026, 3, 31), date(2026, 4, 1)]),
        "until": st.sampled_from([None, date(2026, 4, 1), date(2026, 4, 20)]),
        "level": st.sampled_from(list(LEVELS)),
        "floor": st.sampled_from([1, 2, 3]),
    }
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=st.lists(OPERATION, min_size=5, max_size=40), filters=FILTERS)
def test_incremental_statistics_equal_a_rebuild_and_every_table_the_scan(
    session: Session, operations: list, filters: dict
) -> None:
    session.execute(delete(Wish))
    session.execute(delete(District))
    session.execute(delete(User))
    session.commit()
    world = _world(session)
    live.rebuild(session)
    for op in operations:
        _apply(session, op, world)
    incremental = live.snapshot(session)
    live.rebuild(session)
    assert live.snapshot(session) == incremental

    _users, streets, types, districts = world
    codes = {types[0]: "bakery", types[2]: "pharmacy"}
    level, ordinal = filters["district"] or (None, 0)
    common = {
        "level": filters["level"],
        "type_code": codes[types[filters["type"]]] if filters["type"] is not None else None,
        "group": filters["group"],
        "district_id": districts[level][ordinal] if level else None,
        "street_id": streets[filters["street"]] if filters["street"] is not None else None,
        "since": filters["since"],
        "until": filters["until"],
    }
    if common["since"] and common["until"] and common["since"] > common["until"]:
        common["until"] = None
    groupings = [(a,) for a in DIMENSIONS] + [
        (a, b) for a in DIMENSIONS for b in DIMENSIONS if a != b
    ]
    for by in groupings:
        for extra in ({"level": filters["level"]}, common):
            query = StatsQuery(by=by, **extra)
            for keys in (None, KEYS):
                # Every level is kept: whatever the grouping and filter, nothing is scanned.
                with patch.object(tables, "scan_tallies", side_effect=AssertionError("scan")):
                    via_aggregates = statistics(session, query, filters["floor"], keys=keys)
                scanned = statistics(session, query, filters["floor"], keys=keys, scan=True)
                assert _rows(via_aggregates) == _rows(scanned), (by, extra, keys)


def _square(west: float, south: float, east: float, north: float) -> dict:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_a_new_wish_counts_at_once_and_a_district_import_rebuilds(session: Session) -> None:
    users, streets, types, _districts = _world(session)
    live.rebuild(session)
    query = StatsQuery(by=("street",))
    for user in users:
        session.add(
            Wish(user_id=user, shop_type_id=types[0], street_id=streets[0], lat=48.88, lon=2.38)
        )
        session.commit()
    table = statistics(session, query, 1)
    assert [(row.keys, row.residents, row.wishes) for row in table.rows] == [((streets[0],), 4, 4)]
    # A level written without the importer: counted exactly by a scan, never rebuilt by a
    # request (that took a minute at 1,000,000 wishes).
    session.add(
        District(
            ref="x", name="X", level="wijk", geometry="{}", min_lat=0, min_lon=0, max_lat=0,
            max_lon=0,
        )
    )  # fmt: skip
    session.commit()
    by_wijk = statistics(session, StatsQuery(by=("district",), level="wijk"), 1)
    assert [(row.keys, row.residents) for row in by_wijk.rows] == [((None,), 4)]
    assert "wijk" not in live.kept_levels(session)
    session.execute(delete(District).where(District.level == "wijk"))
    session.commit()
    # The importer rebuilds for its new level in its own transaction, triggers back on after.
    records = [
        Record("west", {"ref": "W", "name": "West"}, _square(2.30, 48.80, 2.38, 48.95)),
        Record("east", {"ref": "E", "name": "East"}, _square(2.38, 48.80, 2.45, 48.95)),
    ]
    import_districts(session, records, level="buurt")
    assert "buurt" in live.kept_levels(session)
    session.add(Wish(user_id=users[0], shop_type_id=types[1], lat=48.88, lon=2.40))
    session.commit()
    assign_districts(session, [session.scalar(select(func.max(Wish.id)))])
    session.commit()
    incremental = live.snapshot(session)
    live.rebuild(session)
    assert live.snapshot(session) == incremental
    by_buurt = StatsQuery(by=("district", "type"), level="buurt")
    assert _rows(statistics(session, by_buurt, 1)) == _rows(
        statistics(session, by_buurt, 1, scan=True)
    )
    assert {row.labels for row in statistics(session, by_buurt, 1).rows} == {
        ("West", "Bakery"),
        ("East", "Cheese shop"),
    }


def test_districts_of_one_level_inside_another_are_read_from_the_aggregates(
    session: Session,
) -> None:
    users, _streets, types, districts = _world(session)
    quartiers, arrondissements = districts["quartier"], districts["arrondissement"]
    live.rebuild(session)
    # Quartiers 0 and 2 lie in arrondissement 0, quartier 1 in arrondissement 1.
    placed = [(0, 0), (2, 0), (1, 1), (0, 0), (2, 0)]
    for n, (quartier, arrondissement) in enumerate(placed):
        wish = Wish(user_id=users[n % 4], shop_type_id=types[0], lat=48.88, lon=2.38)
        session.add(wish)
        session.flush()
        session.execute(
            insert(WishDistrict),
            [
                {"wish_id": wish.id, "level": "quartier", "district_id": quartiers[quartier]},
                {
                    "wish_id": wish.id,
                    "level": "arrondissement",
                    "district_id": arrondissements[arrondissement],
                },
            ],
        )
    session.commit()
    arrondissement = session.get(District, arrondissements[0])
    assert nesting.split(session, "quartier", arrondissement) == nesting.Split(
        (quartiers[0], quartiers[2]), ()
    )
    # A wish on the border: in quartier 1, but in arrondissement 0; and one outside every
    # quartier. Only those two groups are scanned.
    for quartier in (1, None):
        wish = Wish(user_id=users[0], shop_type_id=types[1], lat=48.88, lon=2.38)
        session.add(wish)
        session.flush()
        rows = [{"wish_id": wish.id, "level": "arrondissement", "district_id": arrondissement.id}]
        if quartier is not None:
            rows.append(
                {"wish_id": wish.id, "level": "quartier", "district_id": quartiers[quartier]}
            )
        session.execute(insert(WishDistrict), rows)
    session.commit()
    parts = nesting.split(session, "quartier", arrondissement)
    assert parts.whole == (quartiers[0], quartiers[2])
    assert set(parts.straddling) == {quartiers[1], None}
    # The other way round: a quartier lies in one arrondissement, whose key its rows take.
    around = nesting.split(session, "arrondissement", session.get(District, quartiers[0]))
    assert around.within_one and around.straddling == (arrondissement.id,)
    for by in (("district",), ("district", "type"), ("month", "district")):
        for level, district_id in (
            ("quartier", arrondissement.id),
            ("arrondissement", quartiers[0]),
            ("arrondissement", quartiers[1]),
        ):
            query = StatsQuery(by=by, level=level, district_id=district_id)
            assert _rows(statistics(session, query, 1)) == _rows(
                statistics(session, query, 1, scan=True)
            ), (by, level)


def test_rebuild_aggregates_command_rebuilds_the_statistics(session: Session, runner) -> None:
    users, _streets, types, _districts = _world(session)
    live.rebuild(session)
    session.add(Wish(user_id=users[0], shop_type_id=types[1], lat=48.88, lon=2.38))
    session.commit()
    before = live.snapshot(session)
    session.execute(delete(live.StatDay))
    session.commit()
    result = runner.invoke(args=["rebuild-aggregates"])
    assert result.exit_code == 0, result.output
    assert "statistics day rows" in result.output
    assert live.snapshot(session) == before
