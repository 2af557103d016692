"""Column-wise reading of the active wishes and bulk writing of result rows, for the analysis.

At a whole city's scale (1,000,000 wishes) building one Python object per row costs more than the
analysis itself. Wishes are read through the driver's own cursor straight into a numpy record
array: on PostgreSQL as a few bytea blocks of fixed-width big-endian rows packed by the server
(read with np.frombuffer), on SQLite as one row of comma-separated columns per block of ids
(group_concat, parsed by numpy), falling back to np.fromiter over the cursor's tuples. NULLs are
replaced in SQL so every field has a value. Results go back by COPY … FROM STDIN or executemany.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import Table
from sqlalchemy.orm import Session

from wishmap.models import WishStatus

# One active wish: a wish kept from a deleted account counts as its own anonymous resident
# (-wish id); a wish on no street has street -1; created as whole UTC epoch seconds, floored:
# SQLite stores 'YYYY-MM-DD HH:MM:SS.ffffff' and its strftime rounds to the millisecond, so the
# fraction is cut off first (…:07.999999 is second 7, as datetime.timestamp() floored).
WISH_FIELDS = ("lat", "lon", "shop_type_id", "resident_id", "created_s", "street_id")
WISH_DTYPE = np.dtype([(name, "f8" if name in ("lat", "lon") else "i8") for name in WISH_FIELDS])
# unixepoch() (SQLite 3.38+) does what the CAST of strftime('%s') does in two thirds of the time
# (0.26 against 0.39 s CPU per 1,000,000).
_SQLITE_SECONDS = (
    "unixepoch(substr(created_at, 1, 19))"
    if sqlite3.sqlite_version_info >= (3, 38)
    else "CAST(strftime('%s', substr(created_at, 1, 19)) AS INTEGER)"
)
# NOT INDEXED: a scan reads the table in order; through the (status, lat, lon) index SQLite
# would fetch each row by rowid, 1.7 s against 0.8 s CPU at 1,000,000 wishes. The id range is
# still read from the table itself (INTEGER PRIMARY KEY), in order.
_SQLITE_RANGE = " AND id >= ? AND id < ?"
_SQLITE_WISHES = (
    "SELECT lat, lon, shop_type_id, COALESCE(user_id, -id),"
    f" {_SQLITE_SECONDS}, COALESCE(street_id, -1)"
    " FROM wishes NOT INDEXED WHERE status = ?" + _SQLITE_RANGE
)
# The same columns as one row of comma-separated texts: the driver builds a tuple and a Python
# object per value of every row, which at 1,000,000 wishes costs more than the scan (and
# unixepoch() alone 0.3-0.5 s). Coordinates travel as integers, exact: for 1 <= |x| <= 180,
# x·2^52 is a whole number in [2^52, 2^60); a city within a degree of the equator or the
# Greenwich meridian (a value under 2^52: truncated) takes the row-by-row query. created_at
# travels as stored and numpy reads its first 19 characters as unixepoch(substr(created_at, 1,
# 19)) does (_epoch_seconds). group_concat leaves NULLs out: every value here is NOT NULL or
# COALESCEd, and counted.
_SQLITE_COLUMNS = (
    "SELECT count(*),"
    " group_concat(CAST(lat * 4503599627370496 AS INTEGER)),"
    " group_concat(CAST(lon * 4503599627370496 AS INTEGER)),"
    " group_concat(shop_type_id), group_concat(COALESCE(user_id, -id)),"
    " group_concat(created_at), group_concat(COALESCE(street_id, -1))"
    " FROM wishes NOT INDEXED WHERE status = ?" + _SQLITE_RANGE
)
# Block by block of ids: one text per column of all 1,000,000 wishes had SQLite grow (doubling)
# and Python copy some 300 MB, whose first touch alone cost 0.4-0.8 s of system time; blocks of
# 65,536 ids keep each text under 2 MB (peak RSS of the read 348 -> 200 MB, same arrays).
_SQLITE_BLOCK = 65536
_COORDINATE_SHIFT = 52
# PostgreSQL packs each row into 48 big-endian bytes server-side (the binary send functions) and
# each block of ids into one bytea: a handful of values cross the wire instead of a million rows
# (COPY … TO STDOUT sends one message per row: 0.6 s of Python per 1,000,000 on the client).
# Each block is read through the primary key's range: GROUP BY id / 262144 had the server sort
# all 1,000,000 rows first (0.67 against 0.52 s wall, the best of five each).
# Rows whose pieces were NULL would vanish from string_agg; the count per block catches that.
_POSTGRES_BLOCK = 262144
_POSTGRES_WISHES = (
    "SELECT n, data FROM generate_series(0::int8, (SELECT max(id) FROM wishes) / %(block)s) AS b,"
    " LATERAL (SELECT count(*) AS n, string_agg(float8send(lat::float8) || float8send(lon::float8)"
    " || int8send(shop_type_id::int8) || int8send(COALESCE(user_id, -id)::int8)"
    " || timestamptz_send(created_at) || int8send(COALESCE(street_id, -1)::int8), ''::bytea)"
    " AS data FROM wishes WHERE id >= b * %(block)s AND id < (b + 1) * %(block)s"
    " AND status = %(status)s) AS x WHERE n > 0 ORDER BY b"
)
_POSTGRES_ROW = np.dtype(
    [
        ("created_us", ">i8") if name == "created_s" else (name, WISH_DTYPE[name].newbyteorder(">"))
        for name in WISH_FIELDS
    ]
)
# Binary timestamps count microseconds from 2000-01-01 UTC.
_POSTGRES_EPOCH_S = 946_684_800


def read_active_wishes(session: Session) -> np.ndarray:
    """Return the active wishes as a record array of WISH_DTYPE, in the session's transaction."""
    status = WishStatus.ACTIVE.value
    raw = session.connection().connection  # the driver's connection, same transaction
    if session.get_bind().dialect.name == "postgresql":
        return _postgres_wishes(raw, status)
    cursor = raw.cursor()
    try:
        first, last = cursor.execute("SELECT min(id), max(id) FROM wishes").fetchone()
        blocks = []
        for start in range(first or 0, (last or -1) + 1, _SQLITE_BLOCK):
            bounds = (status, start, start + _SQLITE_BLOCK)
            cursor.execute(_SQLITE_COLUMNS, bounds)
            wishes = _from_columns(cursor.fetchone())
            if wishes is None:
                cursor.execute(_SQLITE_WISHES, bounds)
                wishes = np.fromiter(cursor, dtype=WISH_DTYPE)
            blocks.append(wishes)
        return np.concatenate(blocks) if blocks else np.empty(0, dtype=WISH_DTYPE)
    finally:
        cursor.close()


def _from_columns(row: tuple) -> np.ndarray | None:
    """Return the record array of _SQLITE_COLUMNS' row, or None where it cannot stand in."""
    count, lat, lon, type_ids, residents, created, streets = row
    out = np.empty(count, dtype=WISH_DTYPE)
    if count == 0:
        return out
    if created is None:
        return None
    seconds = _epoch_seconds(created, count)
    if seconds is None:
        return None
    out["created_s"] = seconds
    for name, text in (
        ("lat", lat),
        ("lon", lon),
        ("shop_type_id", type_ids),
        ("resident_id", residents),
        ("street_id", streets),
    ):
        values = np.fromstring(text, dtype=np.int64, sep=",")
        if len(values) != count:
            raise ValueError(f"active wishes: {len(values)} values of {name} for {count} rows")
        if name in ("lat", "lon"):
            if np.abs(values).min() < 1 << _COORDINATE_SHIFT:  # |x| < 1: cut, not exact
                return None
            values = np.ldexp(values, -_COORDINATE_SHIFT)
        out[name] = values
    return out


# 'YYYY-MM-DD HH:MM:SS': where each field's digits are, then the separators.
_STAMP_FIELDS = ((0, 4), (5, 7), (8, 10), (11, 13), (14, 16), (17, 19))
_STAMP_SEPARATORS = ((4, b"-"), (7, b"-"), (10, b" T"), (13, b":"), (16, b":"))


def _epoch_seconds(text: str, count: int) -> np.ndarray | None:
    """Return unixepoch(substr(value, 1, 19)) of count comma-separated timestamps, vectorised.

    None where a value is not 'YYYY-MM-DD HH:MM:SS…' with fields in range: the caller then asks
    SQLite, whose reading of anything else this does not copy.
    """
    data = np.frombuffer(text.encode("ascii", "replace") + b",", dtype=np.uint8)
    width = len(data) // count
    if len(data) == width * count and (data[width - 1 :: width] == ord(",")).all():
        # Every value equally long, as SQLAlchemy writes them: a (count, width) view, no copy.
        table = data.reshape(count, width)
    else:
        starts = np.flatnonzero(data == ord(","))
        lengths = np.diff(starts, prepend=-1)
        if len(starts) != count or lengths.min() <= 19:
            return None
        begins = starts - lengths + 1
        table = np.empty((count, 19), dtype=np.uint8)
        for at in range(19):  # column by column: one (count, 19) index would be 8 bytes a cell
            table[:, at] = data[begins + at]
    if table.shape[1] < 19:
        return None
    for at, allowed in _STAMP_SEPARATORS:
        if not np.isin(table[:, at], np.frombuffer(allowed, dtype=np.uint8)).all():
            return None
    fields = []
    for first, end in _STAMP_FIELDS:
        value = np.zeros(count, dtype=np.int64)
        for at in range(first, end):
            digit = table[:, at] - np.uint8(ord("0"))  # wraps above 9 when not a digit
            if digit.max() > 9:
                return None
            value = value * 10 + digit
        fields.append(value)
    year, month, day, hour, minute, second = fields
    if not (
        (month >= 1).all() and (month <= 12).all() and (day >= 1).all() and (day <= 31).all()
        and (hour <= 23).all() and (minute <= 59).all() and (second <= 59).all()
    ):  # fmt: skip
        return None
    # Days since 1970-01-01 of the proleptic Gregorian date (H. Hinnant's days_from_civil), linear
    # in the day as SQLite's computeJD is, so 02-31 reads as 03-03 (or 03-02) in both.
    year = year - (month <= 2)
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days = era * 146097 + day_of_era - 719468
    return days * 86400 + hour * 3600 + minute * 60 + second


def _postgres_wishes(raw: Any, status: str) -> np.ndarray:
    with raw.cursor(binary=True) as cursor:
        cursor.execute(_POSTGRES_WISHES, {"block": _POSTGRES_BLOCK, "status": status})
        blocks = cursor.fetchall()
    if any(len(data) != count * _POSTGRES_ROW.itemsize for count, data in blocks):
        raise ValueError("an active wish has a NULL where none is allowed")
    out = np.empty(sum(count for count, _data in blocks), dtype=WISH_DTYPE)
    start = 0
    for count, data in blocks:  # block by block: no joined copy of every row
        records = np.frombuffer(data, dtype=_POSTGRES_ROW)
        part = out[start : start + count]
        for name in WISH_FIELDS:
            if name != "created_s":
                part[name] = records[name]
        part["created_s"] = records["created_us"] // 1_000_000 + _POSTGRES_EPOCH_S  # floored
        start += count
    return out


_LOOKUP_MAX = 1 << 22


def index_of(ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Return the position of each value in ids (any order), -1 where it is not there."""
    if len(ids) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    if ids.min() >= 0 and ids.max() < _LOOKUP_MAX:
        # Database ids of types and streets are small: one table lookup beats a binary search
        # per wish (0.01 s against 0.06 s per 1,000,000).
        table = np.full(int(ids.max()) + 2, -1, dtype=np.int64)
        table[ids] = np.arange(len(ids))
        inside = (values >= 0) & (values <= ids.max())
        return np.where(inside, table[np.where(inside, values, -1)], -1)
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    at = np.clip(np.searchsorted(sorted_ids, values), 0, len(ids) - 1)
    return np.where(sorted_ids[at] == values, order[at], -1).astype(np.int64)


def insert_rows(session: Session, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
    """Insert rows (tuples in the order of columns) in bulk, in the session's transaction."""
    if not rows:
        return
    raw = session.connection().connection
    names = ", ".join(columns)
    if session.get_bind().dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    cursor = raw.cursor()
    try:
        marks = ", ".join("?" for _ in columns)
        cursor.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)
    finally:
        cursor.close()
