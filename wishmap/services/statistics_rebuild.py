"""Recompute the statistics aggregates from the wishes, in arrays (a whole city in seconds).

The wishes are read once into arrays; per kind of group, sorting one int64 code per wish gives
the day rows (wishes, distinct residents and their sums) and, per resident, the consecutive
days that make the pair rows: the same rows as the triggers keep (tests/services/
test_statistics_aggregates.py). A GROUP BY per kind in SQL took minutes at 1,000,000 wishes.

The same arrays count a bulk load (bulk_load(): an import): the share of its residents before
and after, the difference added, instead of the triggers reading every resident's other
wishes row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import numpy as np
from sqlalchemy import delete, event, insert, select, text
from sqlalchemy.orm import Session

from wishmap.models import ShopType, WishDistrict
from wishmap.models.statistics_aggregates import (
    CROSS_KEY_COLUMNS,
    CROSS_KINDS,
    DISTRICT,
    GROUP,
    KEY_COLUMNS,
    KINDS,
    SCOPE,
    STREET,
    TYPE,
    StatCrossDay,
    StatCrossDayPair,
    StatDay,
    StatDayPair,
    StatLevel,
)
from wishmap.models.statistics_triggers import (
    BULK_SETTING,
    day_sql,
    drop_trigger_statements,
    install_triggers,
)
from wishmap.services.disclosure import MODULUS
from wishmap.services.districts import district_levels

BATCH = 5000
KEY = ", ".join(KEY_COLUMNS)
DAY_COLUMNS = f"{KEY}, day, residents, r1, r2, wishes, w1, w2"
PAIR_COLUMNS = f"{KEY}, day, next_day, residents, r1, r2"
CROSS_KEY = ", ".join(CROSS_KEY_COLUMNS)
CROSS_DAY_COLUMNS = f"{CROSS_KEY}, day, residents, r1, r2, wishes, w1, w2"
CROSS_PAIR_COLUMNS = f"{CROSS_KEY}, day, next_day, residents, r1, r2"
# The four tables in the order _read returns their rows: (table, columns, key).
TABLES = (
    ("agg_stat_days", DAY_COLUMNS, f"{KEY}, day"),
    ("agg_stat_day_pairs", PAIR_COLUMNS, f"{KEY}, day, next_day"),
    ("agg_stat_cross_days", CROSS_DAY_COLUMNS, f"{CROSS_KEY}, day"),
    ("agg_stat_cross_day_pairs", CROSS_PAIR_COLUMNS, f"{CROSS_KEY}, day, next_day"),
)


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
    kind: int, level: str | tuple[str, str], keys: dict[str, np.ndarray], groups: np.ndarray,
    i: int,
) -> tuple[object, ...]:  # fmt: skip
    """The key columns (scope … grp) of wish i's row; a pair of levels gives a cross row's."""
    group = keys["grp"][i]
    if isinstance(level, tuple):
        district = (level[0], int(keys["district"][i]), level[1], int(keys["other"][i]))
    else:
        district = (level, int(keys["district"][i]))
    return (
        SCOPE, kind, int(keys["street"][i]), *district, int(keys["type"][i]),
        str(groups[group]) if group >= 0 else "",
    )  # fmt: skip


def _rows(
    kind: int, level: str | tuple[str, str], keys: dict[str, np.ndarray], day: np.ndarray,
    uid: np.ndarray, wid: np.ndarray, groups: np.ndarray,
) -> tuple[list[tuple], list[tuple]]:  # fmt: skip
    """The day rows and pair rows of one kind (and district level)."""
    if not len(day):
        return [], []
    other = [keys["other"]] if "other" in keys else []
    columns = [keys["street"], keys["district"], *other, keys["type"], keys["grp"], day]
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


def _read(
    session: Session, levels: list[str], user_ids: list[int] | None
) -> tuple[list[tuple], ...]:
    """The rows of TABLES' four tables for the active wishes (of these residents only, if given)."""
    dialect = session.get_bind().dialect.name
    cursor = session.connection().connection.cursor()
    select_wishes = (
        f"SELECT id, coalesce(user_id, -1), {day_sql(dialect, 'created_at')},"
        " coalesce(street_id, 0), shop_type_id FROM wishes WHERE status = 'active'"
    )
    found: list[tuple] = []
    if user_ids is None:
        cursor.execute(f"{select_wishes} ORDER BY id")
        found = cursor.fetchall()
    else:
        # Integers only (int() below), in chunks that stay under every driver's limits.
        for chunk in _batches(sorted({int(u) for u in user_ids})):
            cursor.execute(f"{select_wishes} AND user_id IN ({', '.join(map(str, chunk))})")
            found += cursor.fetchall()
        found.sort()
    table = np.array(found, dtype=np.int64).reshape(-1, 5)
    wid, uid, day, street, shop_type = (table[:, i] for i in range(5))
    type_groups = dict(session.execute(select(ShopType.id, ShopType.group)).all())
    groups = np.array(sorted(set(type_groups.values())) or [""], dtype=object)
    group_of = {t: int(np.searchsorted(groups, g)) for t, g in type_groups.items()}
    grp = np.array([group_of[int(t)] for t in shop_type], dtype=np.int64)
    zero, none = np.zeros(len(wid), dtype=np.int64), np.full(len(wid), -1, dtype=np.int64)
    districts = {"": zero}
    for level in levels:
        located_at = select(WishDistrict.wish_id, WishDistrict.district_id).where(
            WishDistrict.level == level
        )
        if user_ids is None:
            located = session.execute(located_at).all()
        else:
            located = [
                row
                for chunk in _batches(wid.tolist())
                for row in session.execute(located_at.where(WishDistrict.wish_id.in_(chunk)))
            ]
        districts[level] = zero.copy()
        if located and len(wid):
            found_pairs = np.array(located, dtype=np.int64)
            at = np.minimum(np.searchsorted(wid, found_pairs[:, 0]), len(wid) - 1)
            inside = wid[at] == found_pairs[:, 0]
            districts[level][at[inside]] = found_pairs[inside, 1]
    days: list[tuple] = []
    pairs: list[tuple] = []
    for kind in KINDS:
        for level in levels if kind & DISTRICT else [""]:
            keys = {
                "street": street if kind & STREET else zero,
                "district": districts[level],
                "type": shop_type if kind & TYPE else zero,
                "grp": grp if kind & GROUP else none,
            }
            kind_days, kind_pairs = _rows(kind, level, keys, day, uid, wid, groups)
            days += kind_days
            pairs += kind_pairs
    cross_days: list[tuple] = []
    cross_pairs: list[tuple] = []
    for first, other in ((a, b) for a in sorted(levels) for b in sorted(levels) if a < b):
        # As the triggers: no cross row for a wish in neither district of the pair.
        located = (districts[first] != 0) | (districts[other] != 0)
        for kind in CROSS_KINDS:
            keys = {
                "street": street if kind & STREET else zero,
                "district": districts[first],
                "other": districts[other],
                "type": shop_type if kind & TYPE else zero,
                "grp": grp if kind & GROUP else none,
            }
            keys = {name: values[located] for name, values in keys.items()}
            kind_days, kind_pairs = _rows(
                kind, (first, other), keys, day[located], uid[located], wid[located], groups
            )
            cross_days += kind_days
            cross_pairs += kind_pairs
    return days, pairs, cross_days, cross_pairs


def fill(
    session: Session, progress: Callable[[str], None] | None = None, cross: bool = True
) -> dict[str, int]:
    """Recompute the statistics aggregates from the wishes (no commit); return row counts.

    `cross=False` leaves the cross rows out (migration 0014, before their tables exist).
    """
    say = progress or (lambda _message: None)
    tables = TABLES if cross else TABLES[:2]
    for model in (StatDayPair, StatDay, StatCrossDayPair, StatCrossDay)[: len(tables)]:
        session.execute(delete(model))
    session.execute(delete(StatLevel))
    levels = district_levels(session)
    if levels:
        session.execute(insert(StatLevel), [{"scope": SCOPE, "level": lv} for lv in levels])
    say("statistics: reading the wishes")
    found = _read(session, levels, None)
    say("statistics: writing the rows")
    for (table, columns, _key_columns), rows in zip(tables, found, strict=False):
        _insert(session, table, columns, rows)
    days, pairs, cross_days, cross_pairs = found
    return {
        "statistics day rows": len(days),
        "statistics pair rows": len(pairs),
        "statistics cross day rows": len(cross_days),
        "statistics cross pair rows": len(cross_pairs),
    }


Rows = dict[tuple, tuple[int, ...]]


def contribution(session: Session, user_ids: list[int]) -> tuple[Rows, ...]:
    """These residents' share of the aggregates (day rows, pair rows by key), as kept now.

    Every figure is a sum over residents (their days and pairs in a group) or over wishes, so
    a resident's share is what a rebuild of their active wishes alone gives; the district
    kinds are those of the levels kept (agg_stat_levels), as the triggers count them.
    """
    levels = list(session.scalars(select(StatLevel.level).where(StatLevel.scope == SCOPE)))
    found = _read(session, levels, user_ids)
    widths = (len(key.split(",")) for _table, _columns, key in TABLES)
    return tuple(
        {row[:width]: row[width:] for row in rows}
        for width, rows in zip(widths, found, strict=True)
    )


def _difference(before: Rows, after: Rows) -> list[tuple]:
    rows = []
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        width = len(old if old is not None else new)
        change = tuple((new[i] if new else 0) - (old[i] if old else 0) for i in range(width))
        if any(change):
            rows.append((*key, *change))
    return rows


def _add(session: Session, table: str, columns: str, key: str, rows: list[tuple]) -> None:
    figures = [c.strip() for c in columns.split(",")][len(key.split(",")) :]
    adding = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in figures)
    cursor = session.connection().connection.cursor()
    mark = "?" if session.get_bind().dialect.paramstyle == "qmark" else "%s"
    marks = ", ".join([mark] * len(columns.split(",")))
    statement = (
        f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        f" ON CONFLICT ({key}) DO UPDATE SET {adding}"
    )
    for batch in _batches(rows):
        cursor.executemany(statement, batch)


def apply_change(session: Session, before: tuple[Rows, ...], after: tuple[Rows, ...]) -> int:
    """Add after - before to the aggregates; return the rows changed.

    A day row left without wishes goes, as the triggers do, so that the table equals a rebuild
    row for row; pair rows at zero stay (they subtract nothing).
    """
    changed = 0
    for n, (table, columns, key) in enumerate(TABLES):
        rows = _difference(before[n], after[n])
        _add(session, table, columns, key, rows)
        changed += len(rows)
        if "next_day" in key:
            continue
        width = len(key.split(","))
        emptied = [row[:width] for row in rows if row[width + 3] < 0]  # fewer wishes: maybe 0
        if emptied:
            cursor = session.connection().connection.cursor()
            mark = "?" if session.get_bind().dialect.paramstyle == "qmark" else "%s"
            match = " AND ".join(f"{c.strip()} = {mark}" for c in key.split(","))
            for batch in _batches(emptied):
                cursor.executemany(f"DELETE FROM {table} WHERE wishes = 0 AND {match}", batch)
    return changed


def _no_commit(_session: Session) -> None:
    raise RuntimeError("commit inside statistics bulk_load: its wishes would not be counted")


@contextmanager
def bulk_load(session: Session, user_ids: Iterable[int | None]) -> Iterator[None]:
    """Change many wishes of these residents with the statistics triggers off; count them after.

    The triggers work row by row, reading each resident's other wishes for every group kind
    (an import of 10,000 wishes took 23 s of PostgreSQL's time, and minutes when a plan made on
    near-empty tables scanned them). Here the residents' share of the aggregates is computed
    from their wishes before and after, and the difference added, in the caller's transaction:
    an import lands whole with its counts or not at all. Inside, only wishes of `user_ids` (and
    their districts) may change, and nothing may commit. A wish made meanwhile waits for the
    commit, so that its trigger sees the loaded wishes: PostgreSQL locks wishes and
    wish_districts against writes (reads go on); SQLite takes its write lock first.
    """
    users = sorted({int(u) for u in user_ids if u is not None})
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text("LOCK TABLE wishes, wish_districts IN SHARE ROW EXCLUSIVE MODE"))
        # Transaction-local: a rollback or the commit ends it, it never outlives the load.
        connection.execute(text("SELECT set_config(:name, 'on', true)"), {"name": BULK_SETTING})
    else:
        # A write first (SQLite's driver opens the transaction on DML, not DDL), so that the
        # triggers are dropped inside the transaction and a rollback restores them.
        connection.execute(text("UPDATE agg_stat_levels SET scope = scope WHERE scope = -1"))
        for statement in drop_trigger_statements(dialect):
            connection.execute(text(statement))
    before = contribution(session, users)
    event.listen(session, "before_commit", _no_commit)
    try:
        yield
        session.flush()
    except BaseException:
        session.rollback()
        raise
    finally:
        event.remove(session, "before_commit", _no_commit)
    if dialect == "postgresql":
        connection.execute(text("SELECT set_config(:name, 'off', true)"), {"name": BULK_SETTING})
    else:
        install_triggers(connection)
    apply_change(session, before, contribution(session, users))
