"""Column-wise reading of the active wishes and bulk writing of result rows, for the analysis.

At a whole city's scale (1,000,000 wishes) building one Python object per row costs more than the
analysis itself. Wishes are read through the driver's own cursor straight into a numpy record
array: on PostgreSQL as a few bytea blocks of fixed-width big-endian rows packed by the server
(read with np.frombuffer), on SQLite by np.fromiter over the cursor's tuples. NULLs are replaced
in SQL so every field has a fixed width. Results go back by COPY … FROM STDIN or executemany.
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
_SQLITE_WISHES = (
    "SELECT lat, lon, shop_type_id, COALESCE(user_id, -id),"
    f" {_SQLITE_SECONDS}, COALESCE(street_id, -1)"
    # NOT INDEXED: a scan reads the table in order; through the (status, lat, lon) index SQLite
    # would fetch each row by rowid, 1.7 s against 0.8 s CPU at 1,000,000 wishes.
    " FROM wishes NOT INDEXED WHERE status = ?"
)
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
        cursor.execute(_SQLITE_WISHES, (status,))
        return np.fromiter(cursor, dtype=WISH_DTYPE)
    finally:
        cursor.close()


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
