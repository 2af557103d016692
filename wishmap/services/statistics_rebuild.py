"""Recompute the statistics aggregates from the wishes, in arrays (a whole city in seconds).

The wishes are read once into arrays; per kind of group, sorting one int64 code per wish gives
the day rows (wishes, distinct residents and their sums) and, per resident, the consecutive
days that make the pair rows: the same rows as the triggers keep (tests/services/
test_statistics_aggregates.py). A GROUP BY per kind in SQL took minutes at 1,000,000 wishes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from wishmap.models import ShopType, WishDistrict
from wishmap.models.statistics_aggregates import (
    DISTRICT,
    GROUP,
    KINDS,
    SCOPE,
    STREET,
    TYPE,
    StatDay,
    StatDayPair,
    StatLevel,
    day_sql,
)
from wishmap.services.disclosure import MODULUS
from wishmap.services.districts import district_levels

BATCH = 5000
KEY = "scope, kind, street_id, level, district_id, shop_type_id, grp"
DAY_COLUMNS = f"{KEY}, day, residents, r1, r2, wishes, w1, w2"
PAIR_COLUMNS = f"{KEY}, day, next_day, residents, r1, r2"


def _dense(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct values, index of each value among them)."""
    distinct, index = np.unique(values, return_inverse=True)
    return distinct, index.astype(np.int64)


def _runs(code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort order of code and the start of each run of equal codes in that order."""
    order = np.argsort(code, kind="stable")
    ordered = code[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    return order, starts


def _key(
    kind: int, level: str, keys: dict[str, np.ndarray], groups: np.ndarray, i: int
) -> tuple[object, ...]:
    """The key columns (scope … grp) of wish i's row."""
    group = keys["grp"][i]
    return (
        SCOPE, kind, int(keys["street"][i]), level, int(keys["district"][i]),
        int(keys["type"][i]), str(groups[group]) if group >= 0 else "",
    )  # fmt: skip


def _rows(
    kind: int, level: str, keys: dict[str, np.ndarray], day: np.ndarray, uid: np.ndarray,
    wid: np.ndarray, groups: np.ndarray,
) -> tuple[list[tuple], list[tuple]]:  # fmt: skip
    """The day rows and pair rows of one kind (and district level)."""
    if not len(day):
        return [], []
    columns = [keys["street"], keys["district"], keys["type"], keys["grp"], day]
    code = np.zeros(len(day), dtype=np.int64)
    for column in columns:
        distinct, index = _dense(column)
        code = code * len(distinct) + index
    wm = wid % MODULUS
    order, starts = _runs(code)
    wishes = np.diff(np.r_[starts, len(order)])
    w1 = np.add.reduceat(wm[order], starts)
    w2 = np.add.reduceat((wm * wm)[order], starts)
    first = order[starts]
    # Distinct residents per row: one (code, uid) each, anonymous wishes aside.
    named = uid >= 0
    person_uid, people = _dense(uid[named])
    pair_code = code[named] * (people.max(initial=0) + 1) + people
    distinct_pairs = np.unique(pair_code)
    row_of_resident = distinct_pairs // (people.max(initial=0) + 1)
    u_of = uid[named][np.unique(pair_code, return_index=True)[1]] % MODULUS
    position = np.searchsorted(code[first], row_of_resident)
    residents = np.bincount(position, minlength=len(first))
    r1 = np.bincount(position, weights=u_of, minlength=len(first))
    r2 = np.bincount(position, weights=u_of.astype(np.float64) ** 2, minlength=len(first))
    days = [
        (
            *_key(kind, level, keys, groups, i),
            int(day[i]),
            int(residents[n]),
            int(r1[n]),
            int(r2[n]),
            int(wishes[n]),
            int(w1[n]),
            int(w2[n]),
        )
        for n, i in enumerate(first)
    ]
    # Pairs: per group and resident, consecutive distinct days. The group is the code without
    # its day, so sort by (group, resident, day).
    _, day_index = _dense(day)
    group_code = (code - day_index)[named]  # the day was the last, least significant digit
    resident_day = np.unique(np.stack([group_code, people, day[named]], axis=1), axis=0)
    same = (resident_day[1:, 0] == resident_day[:-1, 0]) & (
        resident_day[1:, 1] == resident_day[:-1, 1]
    )
    later, earlier = resident_day[1:][same], resident_day[:-1][same]
    if not len(later):
        return days, []
    u = person_uid[later[:, 1]] % MODULUS
    triples, inverse = np.unique(
        np.stack([later[:, 0], earlier[:, 2], later[:, 2]], axis=1), axis=0, return_inverse=True
    )
    inverse = inverse.reshape(-1)
    count = np.bincount(inverse)
    s1 = np.bincount(inverse, weights=u)
    s2 = np.bincount(inverse, weights=u.astype(np.float64) ** 2)
    # A wish of each group, to read the group's key columns from.
    named_at = np.flatnonzero(named)
    codes, first_of = np.unique(group_code, return_index=True)
    sample = named_at[first_of[np.searchsorted(codes, triples[:, 0])]]
    pair_rows = [
        (*_key(kind, level, keys, groups, int(i)), int(t[1]), int(t[2]), int(n), int(a), int(b))
        for i, t, n, a, b in zip(sample, triples, count, s1, s2, strict=True)
    ]
    return days, pair_rows


def _batches(rows: list[tuple]) -> Iterator[list[tuple]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def _insert(session: Session, table: str, columns: str, rows: list[tuple]) -> None:
    """Insert rows through the driver: the ORM's per-row work would double the rebuild."""
    cursor = session.connection().connection.cursor()
    mark = "?" if session.get_bind().dialect.paramstyle == "qmark" else "%s"
    marks = ", ".join([mark] * len(columns.split(",")))
    for batch in _batches(rows):
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)


def fill(session: Session, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Recompute the statistics aggregates from the wishes (no commit); return row counts."""
    say = progress or (lambda _message: None)
    dialect = session.get_bind().dialect.name
    session.execute(delete(StatDayPair))
    session.execute(delete(StatDay))
    session.execute(delete(StatLevel))
    levels = district_levels(session)
    if levels:
        session.execute(insert(StatLevel), [{"scope": SCOPE, "level": lv} for lv in levels])
    say("statistics: reading the wishes")
    cursor = session.connection().connection.cursor()
    cursor.execute(
        f"SELECT id, coalesce(user_id, -1), {day_sql(dialect, 'created_at')},"
        " coalesce(street_id, 0), shop_type_id FROM wishes WHERE status = 'active'"
        " ORDER BY id"
    )
    found = cursor.fetchall()
    table = np.array(found, dtype=np.int64).reshape(-1, 5)
    wid, uid, day, street, shop_type = (table[:, i] for i in range(5))
    type_groups = dict(session.execute(select(ShopType.id, ShopType.group)).all())
    groups = np.array(sorted(set(type_groups.values())) or [""], dtype=object)
    group_of = {t: int(np.searchsorted(groups, g)) for t, g in type_groups.items()}
    grp = np.array([group_of[int(t)] for t in shop_type], dtype=np.int64)
    zero, none = np.zeros(len(wid), dtype=np.int64), np.full(len(wid), -1, dtype=np.int64)
    districts = {"": zero}
    for level in levels:
        located = session.execute(
            select(WishDistrict.wish_id, WishDistrict.district_id).where(
                WishDistrict.level == level
            )
        ).all()
        districts[level] = zero.copy()
        if located and len(wid):
            found_pairs = np.array(located, dtype=np.int64)
            at = np.minimum(np.searchsorted(wid, found_pairs[:, 0]), len(wid) - 1)
            inside = wid[at] == found_pairs[:, 0]
            districts[level][at[inside]] = found_pairs[inside, 1]
    counts = {"statistics day rows": 0, "statistics pair rows": 0}
    for kind in KINDS:
        for level in levels if kind & DISTRICT else [""]:
            keys = {
                "street": street if kind & STREET else zero,
                "district": districts[level],
                "type": shop_type if kind & TYPE else zero,
                "grp": grp if kind & GROUP else none,
            }
            say(f"statistics: kind {kind} {level}".rstrip())
            days, pair_rows = _rows(kind, level, keys, day, uid, wid, groups)
            _insert(session, "agg_stat_days", DAY_COLUMNS, days)
            _insert(session, "agg_stat_day_pairs", PAIR_COLUMNS, pair_rows)
            counts["statistics day rows"] += len(days)
            counts["statistics pair rows"] += len(pair_rows)
    return counts
