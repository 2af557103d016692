"""The triggers keeping the statistics aggregates (models/statistics_aggregates.py) live.

They keep the day and day-pair tables in the same transaction as every change to wishes or
wish_districts; wishmap/services/statistics_aggregates.py rebuilds and reads them. They look at
the resident's other active wishes (few: the quota caps them) to see whether a day or a pair
begins or ends. SQLite runs row triggers one row at a time; PostgreSQL's AFTER row triggers run
when the statement ends and would see every row already changed, so there they are BEFORE
triggers, which see the rows changed before theirs only, as SQLite's do. A bulk load (an
import: services/statistics_rebuild.bulk_load) turns them off in its own transaction and adds
its residents' rows at its end, computed as the rebuild does.

The cross rows (agg_stat_cross_days / _day_pairs) are kept for every pair of kept levels. With
one kept level there is no pair: the cross triggers' first test (MANY_LEVELS) skips them, so
only a city with several levels pays (with two: 6 cross key rows per wish beside its 18, moved
again as its districts are written). The trigger SQL is built here, beside nothing else, so
that create_all (tests) and the migrations (0014, 0015, 0019) install the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, MetaData, event, text

from wishmap.db import Base
from wishmap.models.statistics_aggregates import (
    CROSS_KEY_COLUMNS,
    DISTRICT,
    GROUP,
    KEY_COLUMNS,
    KINDS,
    SCOPE,
    STREET,
    TYPE,
)
from wishmap.services.disclosure import MODULUS


@dataclass(frozen=True)
class Tables:
    """A pair of day / day-pair tables and their key columns."""

    days: str
    pairs: str
    keys: tuple[str, ...]


PLAIN = Tables("agg_stat_days", "agg_stat_day_pairs", KEY_COLUMNS)
CROSS = Tables("agg_stat_cross_days", "agg_stat_cross_day_pairs", CROSS_KEY_COLUMNS)


def day_sql(dialect: str, moment: str) -> str:
    """SQL for the UTC day of a timestamp as an integer yyyymmdd."""
    if dialect == "sqlite":
        return f"CAST(strftime('%Y%m%d', {moment}) AS INTEGER)"
    return f"CAST(to_char({moment} AT TIME ZONE 'UTC', 'YYYYMMDD') AS INTEGER)"


def _body(statements: list[str]) -> str:
    """Statements as one trigger body."""
    return ";\n".join(statements)


# A key row's street, shop type and type group: the record r's where its kind kk splits by
# them, else 0 / ''.
_STREET_OF_KIND = f"CASE WHEN (kk.kind & {STREET}) <> 0 THEN r.street ELSE 0 END AS street_id"
_TYPE_AND_GROUP_OF_KIND = (
    f"CASE WHEN (kk.kind & {TYPE}) <> 0 THEN r.tid ELSE 0 END AS shop_type_id,"
    f" CASE WHEN (kk.kind & {GROUP}) <> 0 THEN r.grp ELSE '' END AS grp"
)


def _kinds(district: bool) -> str:
    chosen = [k for k in KINDS if bool(k & DISTRICT) == district]
    return " UNION ALL ".join(f"SELECT {k} AS kind" for k in chosen)


def _keyed(record: str, district: str | None) -> str:
    """Rows (wid, uid, day, kind, key columns) of one record for every kind.

    `record` yields wid, uid, day, street, tid, grp; `district` is None for the wish's own
    districts (one row per kept level, 0 outside), else a SELECT of (level, district_id).
    """
    columns = (
        "r.wid, r.uid, r.day, kk.kind,"
        f" {_STREET_OF_KIND},"
        " {level} AS level, {district} AS district_id,"
        f" {_TYPE_AND_GROUP_OF_KIND}"
    )
    fixed = columns.format(level="''", district="0")
    plain = f"SELECT {fixed} FROM ({record}) r, ({_kinds(False)}) kk"
    if district is None:
        own = columns.format(level="l.level", district="coalesce(wd.district_id, 0)")
        located = (
            f"SELECT {own}"
            f" FROM ({record}) r CROSS JOIN agg_stat_levels l"
            " LEFT JOIN wish_districts wd ON wd.wish_id = r.wid AND wd.level = l.level"
            f" CROSS JOIN ({_kinds(True)}) kk WHERE l.scope = {SCOPE}"
        )
        return f"{plain} UNION ALL {located}"
    given = columns.format(level="ld.level", district="ld.district_id")
    return f"SELECT {given} FROM ({record}) r, ({district}) ld, ({_kinds(True)}) kk"


def _level_pairs(dialect: str) -> str:
    """The pairs of kept levels the cross rows are kept for, each once (level < other_level).

    Ordered by code point, as Python orders them in the rebuild and the reading: PostgreSQL's
    own collation might put "Wijk" after "buurt".
    """
    binary = "BINARY" if dialect == "sqlite" else '"C"'
    return (
        "SELECT a.level AS level, b.level AS other_level FROM agg_stat_levels a"
        f" JOIN agg_stat_levels b ON b.scope = a.scope AND a.level < b.level COLLATE {binary}"
        f" WHERE a.scope = {SCOPE}"
    )


# Whether any cross row is kept: the cross triggers are skipped with one level or none.
MANY_LEVELS = f"(SELECT count(*) FROM agg_stat_levels WHERE scope = {SCOPE}) > 1"


def _cross_keyed(dialect: str, record: str, moved: tuple[str, str] | None) -> str:
    """Cross rows (wid, uid, day, kind, CROSS_KEY_COLUMNS[1:]) of one record.

    `moved` is None for the wish's own districts (every pair of kept levels), else (rec,
    district): the wish_districts row `rec` whose level now counts `district` (a move's side),
    paired with the wish's own district at the other level (the pairs holding rec's level).
    """

    def located(column: str) -> str:
        own = (
            "coalesce((SELECT d.district_id FROM wish_districts d"
            f" WHERE d.wish_id = r.wid AND d.level = p.{column}), 0)"
        )
        if moved is None:
            return own
        return f"CASE WHEN p.{column} = {moved[0]}.level THEN {moved[1]} ELSE {own} END"

    only = "" if moved is None else f" AND {moved[0]}.level IN (p.level, p.other_level)"
    rows = (
        "SELECT r.wid, r.uid, r.day, kk.kind,"
        f" {_STREET_OF_KIND},"
        f" p.level AS level, {located('level')} AS district_id,"
        f" p.other_level AS other_level, {located('other_level')} AS other_id,"
        f" {_TYPE_AND_GROUP_OF_KIND}"
        f" FROM ({record}) r, ({_level_pairs(dialect)}) p, ({_kinds(True)}) kk WHERE true{only}"
    )
    # A wish in neither district of a pair is never read (a filter names a district), and
    # leaving it out spares a new wish the rows its districts, written next, would move.
    return f"SELECT * FROM ({rows}) c WHERE c.district_id <> 0 OR c.other_id <> 0"


def _wish_record(dialect: str, rec: str) -> str:
    return (
        f"SELECT {rec}.id AS wid, {rec}.user_id AS uid, {day_sql(dialect, f'{rec}.created_at')}"
        f" AS day, coalesce({rec}.street_id, 0) AS street, {rec}.shop_type_id AS tid,"
        f' (SELECT st."group" FROM shop_types st WHERE st.id = {rec}.shop_type_id) AS grp'
        f" WHERE {rec}.status = 'active'"
    )


def _district_record(dialect: str, rec: str) -> str:
    return (
        f"SELECT w.id AS wid, w.user_id AS uid, {day_sql(dialect, 'w.created_at')} AS day,"
        ' coalesce(w.street_id, 0) AS street, w.shop_type_id AS tid, st."group" AS grp'
        " FROM wishes w JOIN shop_types st ON st.id = w.shop_type_id"
        f" WHERE w.id = {rec}.wish_id AND w.status = 'active' AND {rec}.level IN"
        f" (SELECT level FROM agg_stat_levels WHERE scope = {SCOPE})"
    )


def _match(dialect: str, tables: Tables) -> str:
    """Conditions on `o`: the resident's other active wishes that fall in the key row `s`."""
    other = (
        " AND coalesce((SELECT d.district_id FROM wish_districts d"
        " WHERE d.wish_id = o.id AND d.level = s.other_level), 0) = s.other_id"
        if tables is CROSS
        else ""
    )
    return (
        "o.user_id = s.uid AND o.id <> s.wid AND o.status = 'active'"
        f" AND ((s.kind & {STREET}) = 0 OR coalesce(o.street_id, 0) = s.street_id)"
        f" AND ((s.kind & {TYPE}) = 0 OR o.shop_type_id = s.shop_type_id)"
        f" AND ((s.kind & {GROUP}) = 0 OR"
        ' (SELECT x."group" FROM shop_types x WHERE x.id = o.shop_type_id) = s.grp)'
        f" AND ((s.kind & {DISTRICT}) = 0 OR coalesce((SELECT d.district_id FROM wish_districts d"
        f" WHERE d.wish_id = o.id AND d.level = s.level), 0) = s.district_id){other}"
    )


def _others(dialect: str, tables: Tables, extra: str, pick: str) -> str:
    """SQL over the resident's other active wishes that fall in the key row `s`."""
    return f"(SELECT {pick} FROM wishes o WHERE {_match(dialect, tables)} AND {extra})"


def _enriched(dialect: str, keyed: str, tables: Tables) -> str:
    """The key rows with fresh (the resident's first wish there that day), p and q (their
    nearest wish days there before and after), u and wm (resident and wish id mod MODULUS)."""
    day = day_sql(dialect, "o.created_at")
    ids = (
        f"CAST(coalesce(s.uid, 0) AS BIGINT) % {MODULUS} AS u,"
        f" CAST(s.wid AS BIGINT) % {MODULUS} AS wm FROM ({keyed}) s"
    )
    if dialect == "sqlite":
        return (
            "SELECT s.*,"
            f" CASE WHEN s.uid IS NULL OR EXISTS {_others(dialect, tables, f'{day} = s.day', '1')}"
            " THEN 0 ELSE 1 END AS fresh,"
            f" {_others(dialect, tables, f'{day} < s.day', f'max({day})')} AS p,"
            f" {_others(dialect, tables, f'{day} > s.day', f'min({day})')} AS q, {ids}"
        )
    # PostgreSQL reads the resident's other wishes once per key row, not once per figure.
    return (
        "SELECT s.*, CASE WHEN s.uid IS NULL OR x.same THEN 0 ELSE 1 END AS fresh, x.p, x.q,"
        f" {ids} CROSS JOIN LATERAL (SELECT bool_or(o.day = s.day) AS same,"
        " max(o.day) FILTER (WHERE o.day < s.day) AS p,"
        " min(o.day) FILTER (WHERE o.day > s.day) AS q"
        f" FROM (SELECT {day} AS day FROM wishes o WHERE {_match(dialect, tables)}) o) x"
    )


def _near(keyed: str, tables: Tables) -> str:
    """SQL narrowing a table's rows to the key values of `keyed` (each column on its own)."""
    return f"scope = {SCOPE} AND " + " AND ".join(
        f"{column} IN (SELECT {column} FROM ({keyed}) k)" for column in tables.keys[1:]
    )


def _change(dialect: str, keyed: str, sign: int, tables: Tables = PLAIN) -> list[str]:
    """Statements adding (+1) or removing (-1) one wish's rows given by `keyed`."""
    keys = ", ".join(tables.keys[1:])
    days_table, pairs_table = tables.days, tables.pairs
    enriched = _enriched(dialect, keyed, tables)
    pair_day = "CASE WHEN part.n = 3 THEN e.day ELSE e.p END"
    pair_next = "CASE WHEN part.n = 2 THEN e.day ELSE e.q END"
    pair_sign = f"CASE WHEN part.n = 1 THEN {-sign} ELSE {sign} END"
    add = lambda table, cols: ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in cols)  # noqa: E731
    days = (
        f"INSERT INTO {days_table} (scope, {keys}, day, residents, r1, r2, wishes, w1, w2)"
        f" SELECT {SCOPE}, {keys}, day, {sign} * fresh, {sign} * fresh * u,"
        f" {sign} * fresh * u * u, {sign}, {sign} * wm, {sign} * wm * wm FROM {{e}} e"
        f" WHERE true ON CONFLICT (scope, {keys}, day) DO UPDATE SET"
        f" {add(days_table, ('residents', 'r1', 'r2', 'wishes', 'w1', 'w2'))}"
    )
    pairs = (
        f"INSERT INTO {pairs_table} (scope, {keys}, day, next_day, residents, r1, r2)"
        f" SELECT {SCOPE}, {', '.join(f'e.{c}' for c in tables.keys[1:])}, {pair_day}, {pair_next},"
        f" {pair_sign}, {pair_sign} * e.u, {pair_sign} * e.u * e.u"
        " FROM {e} e, (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) part"
        " WHERE e.fresh = 1 AND ((part.n = 1 AND e.p IS NOT NULL AND e.q IS NOT NULL)"
        " OR (part.n = 2 AND e.p IS NOT NULL) OR (part.n = 3 AND e.q IS NOT NULL))"
        f" ON CONFLICT (scope, {keys}, day, next_day) DO UPDATE SET"
        f" {add(pairs_table, ('residents', 'r1', 'r2'))}"
    )
    if dialect == "sqlite":
        statements = [days.format(e=f"({enriched})"), pairs.format(e=f"({enriched})")]
    else:
        # One statement: the key rows are worked out once for both tables (half the reads).
        statements = [
            f"WITH e AS MATERIALIZED ({enriched}), d AS ({days.format(e='e')})"
            f" {pairs.format(e='e')}"
        ]
    if sign > 0:
        return statements
    # A day row that reaches zero goes, so that the table equals a rebuild row for row; any zero
    # row may go, and one IN list per key column lets both databases probe the primary key.
    # Pair rows at zero stay (they subtract nothing; finding them would cost every change).
    return [
        *statements,
        f"DELETE FROM {days_table} WHERE wishes = 0 AND {_near(keyed, tables)}"
        f" AND day IN (SELECT day FROM ({keyed}) k)",
    ]


def _wish_change(dialect: str, rec: str, sign: int) -> list[str]:
    return _change(dialect, _keyed(_wish_record(dialect, rec), None), sign)


def _cross_wish_change(dialect: str, rec: str, sign: int) -> list[str]:
    return _change(dialect, _cross_keyed(dialect, _wish_record(dialect, rec), None), sign, CROSS)


def _district_move(dialect: str, rec: str, leaving: str, entering: str) -> list[str]:
    """A wish's district of one level changes from `leaving` to `entering` (0: outside)."""
    record = _district_record(dialect, rec)
    at = lambda district: f"SELECT {rec}.level AS level, {district} AS district_id"  # noqa: E731
    return _change(dialect, _keyed(record, at(leaving)), -1) + _change(
        dialect, _keyed(record, at(entering)), 1
    )


def _cross_district_move(dialect: str, rec: str, leaving: str, entering: str) -> list[str]:
    """The same move in the cross rows of the pairs of levels holding rec's level."""
    record = _district_record(dialect, rec)
    return _change(dialect, _cross_keyed(dialect, record, (rec, leaving)), -1, CROSS) + _change(
        dialect, _cross_keyed(dialect, record, (rec, entering)), 1, CROSS
    )


def _counted(rec: str) -> str:
    """Whether a wish_districts row counts: its level is kept and its wish is active."""
    return (
        f"{rec}.level IN (SELECT level FROM agg_stat_levels WHERE scope = {SCOPE}) AND EXISTS"
        f" (SELECT 1 FROM wishes cw WHERE cw.id = {rec}.wish_id AND cw.status = 'active')"
    )


# Set (transaction-local) by services/statistics_aggregates.bulk_load: PostgreSQL's triggers
# then leave the aggregates to it. SQLite's are dropped inside the bulk load's transaction.
BULK_SETTING = "wishmap.statistics_bulk"
TRIGGERS = ("stat_wish_insert", "stat_wish_update", "stat_wish_delete", "stat_wish_predelete")
DISTRICT_TRIGGERS = ("stat_wd_insert", "stat_wd_update", "stat_wd_delete")
# SQLite's cross triggers, apart so that their WHEN skips them with fewer than two kept levels.
CROSS_TRIGGERS = (
    "stat_cross_wish_insert", "stat_cross_wish_update", "stat_cross_wish_delete",
    "stat_cross_wd_insert", "stat_cross_wd_update", "stat_cross_wd_delete",
)  # fmt: skip


# The functions' plans are cached per connection and may have been made while the tables were
# nearly empty; a sequential scan of a table that has grown since would then run for every
# row a bulk statement changes. Every statement of theirs has an index to probe instead.
PLAN_SETTINGS = " SET enable_seqscan = off"


# Whether the wish NEW has districts (a new one has none yet: a wish in no district of either
# level of a pair has no cross row).
_LOCATED = "EXISTS (SELECT 1 FROM wish_districts x WHERE x.wish_id = NEW.id)"


def _sqlite_cross_triggers(watched: str) -> list[str]:
    """SQLite's triggers of the cross rows, skipped (WHEN) with fewer than two kept levels."""
    return [
        # A wish is made before its districts (their rows reference it): in none yet, it has no
        # cross row, and this trigger nothing to do but for a wish inserted with its districts.
        "CREATE TRIGGER stat_cross_wish_insert AFTER INSERT ON wishes"
        f" WHEN NEW.status = 'active' AND {MANY_LEVELS} AND {_LOCATED} BEGIN"
        f" {_body(_cross_wish_change('sqlite', 'NEW', 1))}; END",
        f"CREATE TRIGGER stat_cross_wish_update AFTER UPDATE OF {watched} ON wishes"
        f" WHEN (OLD.status = 'active' OR NEW.status = 'active') AND {MANY_LEVELS} BEGIN"
        f" {_body(_cross_wish_change('sqlite', 'OLD', -1))};"
        f" {_body(_cross_wish_change('sqlite', 'NEW', 1))}; END",
        "CREATE TRIGGER stat_cross_wish_delete AFTER DELETE ON wishes"
        f" WHEN OLD.status = 'active' AND {MANY_LEVELS} BEGIN"
        f" {_body(_cross_wish_change('sqlite', 'OLD', -1))}; END",
        "CREATE TRIGGER stat_cross_wd_insert AFTER INSERT ON wish_districts"
        f" WHEN {_counted('NEW')} AND {MANY_LEVELS} BEGIN"
        f" {_body(_cross_district_move('sqlite', 'NEW', '0', 'NEW.district_id'))}; END",
        "CREATE TRIGGER stat_cross_wd_delete AFTER DELETE ON wish_districts"
        f" WHEN {_counted('OLD')} AND {MANY_LEVELS} BEGIN"
        f" {_body(_cross_district_move('sqlite', 'OLD', 'OLD.district_id', '0'))}; END",
        "CREATE TRIGGER stat_cross_wd_update AFTER UPDATE ON wish_districts"
        f" WHEN (({_counted('OLD')}) OR ({_counted('NEW')})) AND {MANY_LEVELS} BEGIN"
        f" {_body(_cross_district_move('sqlite', 'OLD', 'OLD.district_id', '0'))};"
        f" {_body(_cross_district_move('sqlite', 'NEW', '0', 'NEW.district_id'))}; END",
    ]


def _postgresql_cross_wish() -> str:
    """The cross rows' part of PostgreSQL's wish trigger (after the plain rows')."""
    return f"""  IF {MANY_LEVELS} THEN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'active' THEN
      {_body(_cross_wish_change("postgresql", "OLD", -1))};
    END IF;
    IF (TG_OP = 'UPDATE' OR {_LOCATED}) AND NEW.status = 'active' THEN
      {_body(_cross_wish_change("postgresql", "NEW", 1))};
    END IF;
  END IF;
"""


def _postgresql_cross_district() -> str:
    """The cross rows' part of PostgreSQL's wish_districts trigger (after the plain rows')."""
    return f"""  IF {MANY_LEVELS} THEN
    IF TG_OP IN ('UPDATE', 'DELETE') AND {_counted("OLD")} THEN
      {_body(_cross_district_move("postgresql", "OLD", "OLD.district_id", "0"))};
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND {_counted("NEW")} THEN
      {_body(_cross_district_move("postgresql", "NEW", "0", "NEW.district_id"))};
    END IF;
  END IF;
"""


def trigger_statements(dialect: str, cross: bool = True) -> list[str]:
    """The statements that install the statistics triggers (idempotent).

    `cross=False` leaves the cross rows out (migration 0019's downgrade, which drops them).
    """
    watched = "status, user_id, street_id, shop_type_id, created_at"
    if dialect == "sqlite":
        return [
            *drop_trigger_statements(dialect),
            "CREATE TRIGGER stat_wish_insert AFTER INSERT ON wishes"
            f" WHEN NEW.status = 'active' BEGIN {_body(_wish_change(dialect, 'NEW', 1))}; END",
            f"CREATE TRIGGER stat_wish_update AFTER UPDATE OF {watched} ON wishes"
            " WHEN OLD.status = 'active' OR NEW.status = 'active' BEGIN"
            f" {_body(_wish_change(dialect, 'OLD', -1) + _wish_change(dialect, 'NEW', 1))}; END",
            # Its districts go first, while the wish is still there to say what they counted.
            "CREATE TRIGGER stat_wish_predelete BEFORE DELETE ON wishes"
            " BEGIN DELETE FROM wish_districts WHERE wish_id = OLD.id; END",
            "CREATE TRIGGER stat_wish_delete AFTER DELETE ON wishes"
            f" WHEN OLD.status = 'active' BEGIN {_body(_wish_change(dialect, 'OLD', -1))}; END",
            # A row of a level not kept, or of a wish not active, counts for nothing: its
            # trigger is skipped (an import of a new level writes a row for every wish).
            "CREATE TRIGGER stat_wd_insert AFTER INSERT ON wish_districts"
            f" WHEN {_counted('NEW')} BEGIN"
            f" {_body(_district_move(dialect, 'NEW', '0', 'NEW.district_id'))}; END",
            "CREATE TRIGGER stat_wd_delete AFTER DELETE ON wish_districts"
            f" WHEN {_counted('OLD')} BEGIN"
            f" {_body(_district_move(dialect, 'OLD', 'OLD.district_id', '0'))}; END",
            "CREATE TRIGGER stat_wd_update AFTER UPDATE ON wish_districts"
            f" WHEN ({_counted('OLD')}) OR ({_counted('NEW')}) BEGIN"
            f" {_body(_district_move(dialect, 'OLD', 'OLD.district_id', '0'))};"
            f" {_body(_district_move(dialect, 'NEW', '0', 'NEW.district_id'))}; END",
            *(_sqlite_cross_triggers(watched) if cross else []),
        ]
    wish_function = f"""
CREATE OR REPLACE FUNCTION stat_wish_change() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (OLD.status, OLD.user_id, OLD.street_id, OLD.shop_type_id,
      OLD.created_at) IS NOT DISTINCT FROM (NEW.status, NEW.user_id, NEW.street_id,
      NEW.shop_type_id, NEW.created_at) THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    DELETE FROM wish_districts WHERE wish_id = OLD.id;
  END IF;
  IF current_setting('{BULK_SETTING}', true) = 'on' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'active' THEN
    {_body(_wish_change(dialect, "OLD", -1))};
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status = 'active' THEN
    {_body(_wish_change(dialect, "NEW", 1))};
  END IF;
{_postgresql_cross_wish() if cross else ""}  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql{PLAN_SETTINGS}"""
    district_function = f"""
CREATE OR REPLACE FUNCTION stat_wish_district_change() RETURNS trigger AS $$
BEGIN
  IF current_setting('{BULK_SETTING}', true) = 'on' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND {_counted("OLD")} THEN
    {_body(_district_move(dialect, "OLD", "OLD.district_id", "0"))};
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND {_counted("NEW")} THEN
    {_body(_district_move(dialect, "NEW", "0", "NEW.district_id"))};
  END IF;
{_postgresql_cross_district() if cross else ""}  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql{PLAN_SETTINGS}"""
    return [
        *drop_trigger_statements(dialect),
        wish_function,
        district_function,
        "CREATE TRIGGER stat_wish_change BEFORE INSERT OR UPDATE OR DELETE ON wishes"
        " FOR EACH ROW EXECUTE FUNCTION stat_wish_change()",
        "CREATE TRIGGER stat_wish_district_change BEFORE INSERT OR UPDATE OR DELETE"
        " ON wish_districts FOR EACH ROW EXECUTE FUNCTION stat_wish_district_change()",
    ]


def drop_trigger_statements(dialect: str) -> list[str]:
    """The statements that remove the statistics triggers (bulk loads, downgrade)."""
    if dialect == "sqlite":
        names = TRIGGERS + DISTRICT_TRIGGERS + CROSS_TRIGGERS
        return [f"DROP TRIGGER IF EXISTS {name}" for name in names]
    return [
        "DROP TRIGGER IF EXISTS stat_wish_change ON wishes",
        "DROP TRIGGER IF EXISTS stat_wish_district_change ON wish_districts",
    ]


def install_triggers(connection: Connection) -> None:
    """Install (or reinstall) the statistics triggers on this connection's database."""
    for statement in trigger_statements(connection.dialect.name):
        connection.execute(text(statement))


@event.listens_for(Base.metadata, "after_create")
def _after_create(target: MetaData, connection: Connection, **_kw: object) -> None:
    # create_all (tests, bench, first start) installs the triggers once every table exists.
    if "wishes" in target.tables and "wish_districts" in target.tables:
        install_triggers(connection)
