"""Bulk loads (an import, the demo): triggers off, counted at the end, equal to a rebuild."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime

import pytest
from factories import make_street, make_user, shop_type
from flask import Flask
from meanwhile import meanwhile
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from wishmap import db
from wishmap.models import District, User, Wish, WishDistrict
from wishmap.models import district_nesting as nesting
from wishmap.models.statistics_aggregates import DISTRICT
from wishmap.services import statistics_aggregates as live
from wishmap.services.districts import assign_districts, forget_locator
from wishmap.services.importing import Record
from wishmap.services.statistics_rebuild import bulk_load
from wishmap.services.wishes import import_wishes

SQUARE = {"type": "Polygon", "coordinates": [[[2, 48], [3, 48], [3, 49], [2, 49], [2, 48]]]}
# A zone across the quartier: the wishes west of 2.3815 only (the statistics' cross rows).
WEST = {
    "type": "Polygon",
    "coordinates": [[[2, 48], [2.3815, 48], [2.3815, 49], [2, 49], [2, 48]]],
}


def _district(ref: str, name: str, level: str, ring: object, east: float) -> District:
    """A district of the test's square world, its box reaching east to `east`."""
    geometry = json.dumps(ring)
    return District(
        ref=ref, name=name, level=level, geometry=geometry,
        min_lat=48, min_lon=2, max_lat=49, max_lon=east,
    )  # fmt: skip


def _world(session: Session) -> tuple[list[User], list[int]]:
    """Four residents, a street, a quartier holding every point and a zone holding some;
    levels kept, a few wishes."""
    users = [make_user(session) for _ in range(4)]
    make_street(session, name="Rue Alpha", coordinates=[[2.37, 48.88], [2.39, 48.88]])
    types = [shop_type(session, code).id for code in ("bakery", "cheese", "pharmacy")]
    session.add(_district("q1", "Quartier 1", "quartier", SQUARE, east=3))
    session.add(_district("z1", "Zone 1", "zone", WEST, east=2.3815))
    session.commit()
    live.rebuild(session)  # the quartier and zone levels are kept from here on
    quartier = session.scalar(select(District.id).where(District.level == "quartier"))
    zone = session.scalar(select(District.id).where(District.level == "zone"))
    for n, user in enumerate(users[:3]):  # counted by the triggers
        wish = Wish(
            user_id=user.id, shop_type_id=types[n % 3], lat=48.88, lon=2.38,
            created_at=datetime(2026, 4, 1 + n, 12, tzinfo=UTC),
        )  # fmt: skip
        session.add(wish)
        session.flush()
        session.execute(
            insert(WishDistrict),
            [{"wish_id": wish.id, "level": "quartier", "district_id": quartier}]
            + [{"wish_id": wish.id, "level": "zone", "district_id": zone}] * (n != 1),
        )
    session.commit()
    return users, types


def _records(users: list[User]) -> list[Record]:
    """Wishes on days before, between and after the residents' own, and on the same days."""
    rows = []
    for n, user in enumerate(users):
        for k, (code, day) in enumerate((("cheese", 1), ("books", 2), ("pharmacy", 5))):
            rows.append(
                Record(
                    f"line {len(rows) + 2}",
                    {
                        "resident": user.email,
                        "shop_type": code,
                        "lat": 48.88 + k / 1000,
                        "lon": 2.38 + n / 1000,
                        "created_at": f"2026-04-0{day + n % 2}T10:00:00Z",
                    },
                )
            )
    rows.append(
        Record("paper", {"respondent": "form-7", "shop_type": "bakery", "lat": 48.88, "lon": 2.38})
    )
    return rows


def _equal_to_a_rebuild(session: Session) -> None:
    incremental = live.snapshot(session)
    live.rebuild(session)
    assert live.snapshot(session) == incremental


def test_an_import_counts_its_wishes_as_a_rebuild_would(session: Session) -> None:
    users, types = _world(session)
    report = import_wishes(session, _records(users), source="survey.csv")
    assert report.created == 13
    in_quartier = select(func.count()).where(WishDistrict.level == "quartier")
    assert session.scalar(in_quartier) == 16
    _equal_to_a_rebuild(session)
    in_zone = select(func.count()).where(WishDistrict.level == "zone")
    assert session.scalar(in_zone) == 2 + 7  # west of the zone's edge: cross rows to count
    # The triggers are back: a wish after the import counts at once.
    session.add(Wish(user_id=users[3].id, shop_type_id=types[0], lat=48.88, lon=2.38))
    session.commit()
    _equal_to_a_rebuild(session)


def test_a_failed_bulk_load_leaves_the_triggers_and_the_counts(session: Session) -> None:
    users, types = _world(session)
    before = live.snapshot(session)
    with pytest.raises(RuntimeError, match="halfway"), bulk_load(session, [users[0].id]):
        session.add(Wish(user_id=users[0].id, shop_type_id=types[1], lat=48.88, lon=2.38))
        session.flush()
        raise RuntimeError("halfway")
    assert live.snapshot(session) == before
    session.add(Wish(user_id=users[0].id, shop_type_id=types[1], lat=48.88, lon=2.38))
    session.commit()
    _equal_to_a_rebuild(session)
    # A commit inside would let the load's wishes out uncounted: refused.
    with pytest.raises(RuntimeError, match="commit inside"), bulk_load(session, [users[1].id]):
        session.commit()
    _equal_to_a_rebuild(session)


def test_the_demo_load_counts_as_a_rebuild_would(session: Session) -> None:
    from wishmap.services.demo import DemoSize, load_demo

    load_demo(session, seed=5, size=DemoSize(premises=40, shops=40, residents=80, wishes=400))
    incremental = live.snapshot(session)
    live.rebuild(session)
    rebuilt = live.snapshot(session)
    # The quartiers came after the wishes: their level's rows may wait for a rebuild, the
    # rest must already be exact.
    plain = lambda rows: {row for row in rows if not row[1] & DISTRICT}  # noqa: E731
    assert plain(incremental[0]) == plain(rebuilt[0]) and len(plain(rebuilt[0])) > 100
    assert plain(incremental[1]) == plain(rebuilt[1]) and plain(rebuilt[1])


def test_a_wish_made_during_an_import_is_counted_exactly(shared_app: Flask) -> None:
    """The import's residents wish meanwhile on its days: their wishes wait, then count."""
    session = db.session()
    users, types = _world(session)
    ids = [user.id for user in users]
    posted = threading.Event()

    def wish_meanwhile(other: Session) -> None:
        for n, user_id in enumerate(ids):
            other.add(
                Wish(
                    user_id=user_id, shop_type_id=types[2], lat=48.881, lon=2.38,
                    created_at=datetime(2026, 4, 1 + n % 3, 9, tzinfo=UTC),
                )
            )  # fmt: skip
            posted.set()
            other.commit()

    thread, errors = meanwhile(shared_app, wish_meanwhile)
    with bulk_load(session, ids):
        thread.start()
        assert posted.wait(10)
        time.sleep(0.3)  # the other wishes are trying to land now, and must wait
        for n in range(8):
            session.add(
                Wish(
                    user_id=ids[n % 4], shop_type_id=types[0] if n < 4 else types[1],
                    lat=48.88, lon=2.38 + n / 1000,
                    created_at=datetime(2026, 4, 1 + n % 3, 11, tzinfo=UTC),
                )
            )  # fmt: skip
        session.flush()
        assert thread.is_alive()  # its first wish still waits for the import's commit
    session.commit()
    thread.join(30)
    assert not errors, errors
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Wish)) == 3 + 8 + 4
    _equal_to_a_rebuild(session)


def test_a_wish_made_during_a_district_import_is_counted_exactly(shared_app: Flask) -> None:
    """A district import rewrites every wish's districts and rebuilds: pages reading the wishes
    go on meanwhile, a wish waits for its commit, then counts once with its new districts."""
    session = db.session()
    users, types = _world(session)
    # A new level, as `flask import-districts` brings it: upserted, then every wish reassigned.
    session.add(_district("s1", "Secteur 1", "secteur", SQUARE, east=3))
    session.flush()
    forget_locator(session)
    live.reassign_districts(session)
    read, posted = threading.Event(), threading.Event()

    def wish_meanwhile(other: Session) -> None:
        other.scalar(select(func.count()).select_from(WishDistrict))
        read.set()
        wish = Wish(
            user_id=users[0].id, shop_type_id=types[1], lat=48.881, lon=2.38,
            created_at=datetime(2026, 4, 2, 9, tzinfo=UTC),
        )  # fmt: skip
        other.add(wish)
        posted.set()
        other.flush()
        assign_districts(other, [wish.id])
        other.commit()

    thread, errors = meanwhile(shared_app, wish_meanwhile)
    thread.start()
    assert read.wait(10), "a read of the wishes' districts waited for the district import"
    assert posted.wait(10)
    time.sleep(0.3)  # the wish is trying to land now, and must wait
    assert thread.is_alive()
    session.commit()
    thread.join(30)
    assert not errors, errors
    session.expire_all()
    assert set(live.kept_levels(session)) == {"quartier", "secteur", "zone"}
    in_secteur = select(func.count()).where(WishDistrict.level == "secteur")
    assert session.scalar(in_secteur) == 3 + 1
    _equal_to_a_rebuild(session)


@pytest.mark.postgresql_only  # SQLite's district import drops and reinstalls the triggers instead
def test_the_district_pair_triggers_step_aside_for_a_district_import(session: Session) -> None:
    """PostgreSQL: under the import's setting, district rows leave the pairs to its rebuild."""
    _world(session)
    pairs = lambda: live.snapshot(session)[3]  # noqa: E731
    before = pairs()
    session.execute(text("SELECT set_config(:name, 'on', true)"), {"name": nesting.BULK_SETTING})
    session.execute(delete(WishDistrict).where(WishDistrict.level == "zone"))
    assert pairs() == before
    session.rollback()
    session.execute(delete(WishDistrict).where(WishDistrict.level == "zone"))
    assert pairs() != before  # without it they follow at once
