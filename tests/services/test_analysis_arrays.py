"""Reading the active wishes for the analysis: the column-wise SQLite path and its fall-backs."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import numpy as np
import pytest
from factories import make_wish
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from wishmap.models import Wish
from wishmap.services import analysis_arrays

STAMPS = [
    "2026-03-04 05:06:07.999999",  # floored, not rounded to the millisecond
    "1969-12-31 23:59:59.500000",  # before 1970: floored too
    "2024-02-29 12:00:00.000000",  # leap day
    "2100-03-01 00:00:00.000001",  # 2100 is no leap year
    "2000-02-29 23:59:59.123456",
    "0001-01-01 00:00:00.000000",
    "9999-12-31 23:59:59.999999",
    "1970-01-01 00:00:00.000000",
    "2025-02-31 10:00:00.000000",  # out of month: SQLite counts on, to 03-03
]


def _sqlite_seconds(stamps: list[str]) -> list[int]:
    connection = sqlite3.connect(":memory:")
    query = "SELECT CAST(strftime('%s', substr(?, 1, 19)) AS INTEGER)"
    return [connection.execute(query, (stamp,)).fetchone()[0] for stamp in stamps]


@pytest.mark.parametrize(
    "stamps",
    [
        STAMPS,  # all 26 characters: read as one table
        [*STAMPS, "2026-03-04T05:06:07", "2026-03-04 05:06:07+02:00"],  # mixed lengths
    ],
)
def test_epoch_seconds_read_timestamps_as_sqlite_does(stamps: list[str]) -> None:
    seconds = analysis_arrays._epoch_seconds(",".join(stamps), len(stamps))
    assert seconds is not None
    assert seconds.tolist() == _sqlite_seconds(stamps)


@pytest.mark.parametrize(
    "odd",
    [
        "2026-03-04",  # no time
        "2026-3-4 05:06:07.000000",  # no leading zeros
        "2026-13-04 05:06:07.000000",  # month out of range
        "2026-03-04 24:00:00.000000",
        "2461102.5",  # a Julian day number
        "2026-03-04 05:06:07,5",  # a comma inside
    ],
)
def test_epoch_seconds_leave_other_forms_to_sqlite(odd: str) -> None:
    stamps = [STAMPS[0], odd, STAMPS[1]]
    assert analysis_arrays._epoch_seconds(",".join(stamps), len(stamps)) is None


def _expected(session: Session) -> list[tuple]:
    rows = session.execute(
        select(Wish.lat, Wish.lon, Wish.shop_type_id, Wish.user_id, Wish.id, Wish.created_at)
        .where(Wish.status == "active")
    ).all()  # fmt: skip
    return sorted(
        (lat, lon, type_id, user_id if user_id is not None else -wish_id, int(created.timestamp()))
        for lat, lon, type_id, user_id, wish_id, created in rows
    )


def _read(session: Session) -> list[tuple]:
    rows = analysis_arrays.read_active_wishes(session)
    names = ("lat", "lon", "shop_type_id", "resident_id", "created_s")
    return sorted(zip(*(rows[name].tolist() for name in names), strict=True))


def test_coordinates_are_read_exactly_near_greenwich_too(session: Session) -> None:
    # Under 1 degree the column-wise path would cut the coordinate: the row-by-row query reads it.
    rng = np.random.default_rng(3)
    for lat, lon in rng.uniform([51.3, -0.5], [51.7, 0.3], size=(20, 2)):
        make_wish(session, code="cafe", lat=float(lat), lon=float(lon))
    make_wish(session, code="toys", lat=51.5, lon=-1e-9)
    make_wish(session, code="toys", lat=-33.868820145, lon=151.209295507)
    session.commit()
    assert _read(session) == _expected(session)


def test_full_precision_coordinates_and_timestamps_are_read_exactly(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(4)
    for lat, lon in rng.uniform([48.8, 2.2], [48.9, 2.5], size=(30, 2)):
        make_wish(session, code="cafe", lat=float(lat), lon=float(lon))
    make_wish(session, code="cafe", lat=-89.999999999, lon=-179.99999999999997)
    make_wish(session, code="toys", lat=1.0, lon=180.0)
    make_wish(session, code="toys", created_at=datetime(2026, 3, 4, 5, 6, 7, 999_999, tzinfo=UTC))
    make_wish(session, code="toys", status="withdrawn")
    session.commit()
    if session.get_bind().dialect.name == "sqlite":
        # A timestamp written without its fraction (raw SQL): values of two lengths.
        session.execute(
            text("UPDATE wishes SET created_at = '2025-06-07 08:09:10' WHERE id = :id"),
            {"id": session.scalar(select(Wish.id).order_by(Wish.id).limit(1))},
        )
        session.commit()
        # Read column-wise: the row-by-row query is not asked.
        monkeypatch.setattr(analysis_arrays, "_SQLITE_WISHES", "SELECT no_such_column")
    assert _read(session) == _expected(session)
