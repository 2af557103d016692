"""The statistics' live aggregates: rebuild them from the wishes, read a query's tallies.

The triggers in wishmap/models/statistics_triggers.py keep the rows in the same transaction
as every wish change; this module is the only Python that writes them (a full rebuild: `flask
rebuild-aggregates`, migration 0014, or a district import, which rewrites every wish's
districts and may bring a new level: reassign_districts()). Reading sums the day rows of the
query's group kind in its date range and subtracts the pair rows inside it (see the models'
docstring for why that counts distinct residents); a grouping by the districts of one level
filtered on a district of another reads the cross rows the same way (Selection.across).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, literal_column, select, text
from sqlalchemy.orm import Session

from wishmap.models import ShopType
from wishmap.models import district_nesting as nesting
from wishmap.models.statistics_aggregates import (
    DISTRICT,
    GROUP,
    SCOPE,
    STREET,
    StatCrossDay,
    StatCrossDayPair,
    StatDay,
    StatDayPair,
    StatLevel,
)
from wishmap.models.statistics_triggers import (
    BULK_SETTING,
    DISTRICT_TRIGGERS,
    TRIGGERS,
    drop_trigger_statements,
    install_triggers,
)
from wishmap.services.districts import assign_districts
from wishmap.services.statistics_rebuild import fill

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tally:
    """One group's exact counts and the sums its cell keys derive from."""

    keys: tuple[Any, ...]
    wishes: int
    residents: int
    r1: int  # Σ resident id mod MODULUS over its distinct residents
    r2: int
    w1: int  # Σ wish id mod MODULUS over its wishes
    w2: int


def _fill(session: Session, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Recompute the statistics aggregates and the district pairs (no commit)."""
    counts = fill(session, progress)
    if progress:
        progress("statistics: district pairs")
    for statement in nesting.rebuild_statements():
        session.execute(text(statement))
    return counts


def rebuild(session: Session, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Recompute the statistics aggregates from the wishes in one transaction; commit."""
    counts = _fill(session, progress)
    session.commit()
    return counts


def kept_levels(session: Session) -> list[str]:
    """The district levels the aggregates are kept for."""
    return list(session.scalars(select(StatLevel.level).where(StatLevel.scope == SCOPE)))


def _triggers_on(session: Session) -> bool:
    """Whether the statistics triggers are installed (a bulk load takes them off)."""
    if session.get_bind().dialect.name == "sqlite":
        names = ", ".join(f"'{name}'" for name in TRIGGERS + DISTRICT_TRIGGERS)
        found = f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ({names})"
    else:
        # Installed, and not stepping aside for a bulk load of this transaction.
        found = (
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'wish_districts'::regclass"
            " AND tgname = 'stat_wish_district_change'"
            f" AND coalesce(current_setting('{BULK_SETTING}', true), '') <> 'on'"
        )
    return bool(session.scalar(text(found)))


def _step_aside(session: Session, on: bool) -> None:
    """Turn PostgreSQL's statistics and district pair triggers off (on) in this transaction."""
    for name in (BULK_SETTING, nesting.BULK_SETTING):
        session.execute(
            text("SELECT set_config(:name, :value, true)"),
            {"name": name, "value": "on" if on else "off"},
        )


def reassign_districts(session: Session) -> int:
    """Rewrite every wish's districts, and the statistics aggregates with them; no commit.

    Row by row, the triggers would take every wish's district rows out of the aggregates and
    put them back, and could not count a new level at all (they keep the levels of
    agg_stat_levels). So they are off while the districts are written, the aggregates rebuilt
    for the levels now present, and the triggers back on, all in the caller's transaction: a
    failed import leaves everything as it was, and no statistics request ever rebuilds. When
    the triggers are already off (a bulk load, which rebuilds at its end), only the districts
    are written. Returns the wish-district rows written.

    A wish made meanwhile waits for the commit, so that its triggers see the new levels,
    districts and rows: run during the rebuild, they would add to rows it deletes or insert a
    key it inserts too. PostgreSQL turns the triggers off with a transaction-local setting and
    locks wishes and wish_districts against writes only: pages reading them go on (dropping the
    triggers would lock out readers too, for the whole import). SQLite drops and reinstalls the
    triggers inside the transaction, which holds the database's one write lock anyway.
    """
    if not _triggers_on(session):
        return assign_districts(session)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("LOCK TABLE wishes, wish_districts IN SHARE ROW EXCLUSIVE MODE"))
        _step_aside(session, True)
    else:
        # A statement that writes first: SQLite's driver opens the transaction on DML, not DDL.
        session.execute(delete(StatLevel))
        dropped = drop_trigger_statements(dialect) + nesting.drop_trigger_statements(dialect)
        for statement in dropped:
            session.execute(text(statement))
    started = time.monotonic()
    written = assign_districts(session)
    logger.info("districts: %s wish-district rows written", f"{written:,}")
    counts = _fill(session, logger.info)
    if dialect == "postgresql":
        _step_aside(session, False)
    else:
        install_triggers(session.connection())
        nesting.install_triggers(session.connection())
    logger.info(
        "statistics aggregates rebuilt for the districts in %.1f s: %s",
        time.monotonic() - started,
        counts,
    )
    return written


@dataclass(frozen=True)
class Selection:
    """What to read: the kind, its equality filters, the date range and the grouping."""

    kind: int
    by: tuple[str, ...]
    level: str | None = None  # of the district grouping or filter
    street_id: int | None = None
    district_id: int | None = None
    district_ids: tuple[int, ...] | None = None  # districts of the grouping's level to keep
    type_id: int | None = None
    type_ids: tuple[int, ...] | None = None  # a group's types, when the kind splits by type
    group: str | None = None
    since: int | None = None  # yyyymmdd
    until: int | None = None
    # A district filter (level, id) of another level than the grouping's: the cross rows.
    across: tuple[str, int] | None = None

    def models(self) -> tuple[Any, Any]:
        """The day and day-pair models the selection reads."""
        return (StatCrossDay, StatCrossDayPair) if self.across else (StatDay, StatDayPair)

    def district_column(self, model: Any) -> Any:
        """The column holding the grouping's districts."""
        if self.across and self.across[0] < (self.level or ""):
            return model.other_id  # a cross row keeps its pair of levels in name order
        return model.district_id


def _month(day: Any) -> Any:
    # A literal, not a bound parameter: PostgreSQL matches GROUP BY expressions by their text.
    return day // literal_column("100")


def _grouping(model: Any, selection: Selection) -> tuple[list[Any], bool]:
    columns, joins_type = [], False
    for dimension in selection.by:
        if dimension == "street":
            columns.append(model.street_id)
        elif dimension == "district":
            columns.append(selection.district_column(model))
        elif dimension == "type":
            columns.append(model.shop_type_id)
        elif dimension == "group" and selection.kind & GROUP:
            columns.append(model.grp)
        elif dimension == "group":  # one shop type (filtered): its group by a join
            columns.append(ShopType.group)
            joins_type = True
        else:
            columns.append(_month(model.day))
    return columns, joins_type


def _where(model: Any, selection: Selection) -> list[Any]:
    conditions = [model.scope == SCOPE, model.kind == selection.kind]
    if selection.across:
        level, district_id = selection.across
        first, second = sorted((level, selection.level or ""))
        conditions += [model.level == first, model.other_level == second]
        filtered = model.district_id if level == first else model.other_id
        conditions.append(filtered == district_id)
    elif selection.kind & DISTRICT:
        conditions.append(model.level == selection.level)
    if selection.street_id is not None:
        conditions.append(model.street_id == selection.street_id)
    if selection.district_id is not None:
        conditions.append(model.district_id == selection.district_id)
    if selection.district_ids is not None:
        conditions.append(selection.district_column(model).in_(selection.district_ids))
    if selection.type_id is not None:
        conditions.append(model.shop_type_id == selection.type_id)
    if selection.type_ids is not None:
        conditions.append(model.shop_type_id.in_(selection.type_ids))
    if selection.group is not None and selection.kind & GROUP:
        conditions.append(model.grp == selection.group)
    return conditions


def tallies(session: Session, selection: Selection) -> list[Tally]:
    """Exact counts per group: day rows in the range minus the pair rows inside it."""
    day_model, pair_model = selection.models()  # the plain or the cross tables
    day_columns, day_join = _grouping(day_model, selection)
    days = select(
        *day_columns,
        func.sum(day_model.residents),
        func.sum(day_model.r1),
        func.sum(day_model.r2),
        func.sum(day_model.wishes),
        func.sum(day_model.w1),
        func.sum(day_model.w2),
    ).where(*_where(day_model, selection))
    pair_columns, _ = _grouping(pair_model, selection)
    pairs = select(
        *pair_columns,
        func.sum(pair_model.residents),
        func.sum(pair_model.r1),
        func.sum(pair_model.r2),
    ).where(*_where(pair_model, selection))
    if day_join:
        days = days.join(ShopType, ShopType.id == day_model.shop_type_id)
        pairs = pairs.join(ShopType, ShopType.id == pair_model.shop_type_id)
    if selection.since is not None:
        days = days.where(day_model.day >= selection.since)
        pairs = pairs.where(pair_model.day >= selection.since)
    if selection.until is not None:
        days = days.where(day_model.day <= selection.until)
        pairs = pairs.where(pair_model.next_day <= selection.until)
    if "month" in selection.by:
        # A pair counts within a month only when both its days fall in it.
        pairs = pairs.where(_month(pair_model.day) == _month(pair_model.next_day))
    days = days.group_by(*day_columns)
    pairs = pairs.group_by(*pair_columns)
    width = len(selection.by)
    found = {
        _key(row[:width], selection): [int(value) for value in row[width:]]
        for row in session.execute(days)
    }
    for row in session.execute(pairs):
        figures = found.get(_key(row[:width], selection))
        if figures is None:  # pair rows left at zero after their group's last wish went
            continue
        for index, value in enumerate(row[width:]):
            figures[index] -= int(value)
    return [
        Tally(key, wishes, residents, r1, r2, w1, w2)
        for key, (residents, r1, r2, wishes, w1, w2) in found.items()
    ]


def _key(values: tuple[Any, ...], selection: Selection) -> tuple[Any, ...]:
    # 0 stands for "no street nearby" and "outside every district", which the scans call None.
    return tuple(
        (int(value) or None)
        if dimension in ("street", "district")
        else int(value)
        if dimension in ("type", "month")
        else value
        for dimension, value in zip(selection.by, values, strict=True)
    )


def streets_with_wishes(session: Session) -> set[int]:
    """The streets some active wish counts for."""
    return set(
        session.scalars(
            select(StatDay.street_id)
            .where(StatDay.scope == SCOPE, StatDay.kind == STREET, StatDay.street_id != 0)
            .distinct()
        )
    )


def snapshot(session: Session) -> tuple[set[tuple], ...]:
    """Every statistics aggregate row (for tests and checks): days, pairs, levels, districts,
    cross days, cross pairs.

    Rows at zero, which the triggers leave, are not counted: they add or subtract nothing.
    """
    days = {tuple(row) for row in session.execute(select(StatDay.__table__))}
    pairs = {
        tuple(row)
        for row in session.execute(select(StatDayPair.__table__).where(StatDayPair.residents != 0))
    }
    levels = {tuple(row) for row in session.execute(select(StatLevel.__table__))}
    table = nesting.DistrictPair.__table__
    districts = {tuple(row) for row in session.execute(select(table).where(table.c.wishes != 0))}
    cross_days = {tuple(row) for row in session.execute(select(StatCrossDay.__table__))}
    cross_pairs = {
        tuple(row)
        for row in session.execute(
            select(StatCrossDayPair.__table__).where(StatCrossDayPair.residents != 0)
        )
    }
    return days, pairs, levels, districts, cross_days, cross_pairs
