"""How districts of two levels share wishes: per pair of districts, the wishes in both.

Statistics grouped by the districts of one level and filtered on a district D of another are
read from the first level's aggregates for every district whose wishes all lie in D
(services/statistics/nesting.py); this table tells which, in a few rows instead of a join of
wish_districts with itself over D's wishes (2.5 s of CPU at 1,000,000 wishes).

One row per (level, district, other level, other district): how many wishes (of every status,
so that a held wish on a border can only send a district to the scan) lie in the district and,
at the other level, in the other district (0: in none of that level). Rows are kept for the
levels of agg_stat_levels only, in both directions, and only with a district on the first side;
the triggers below keep them in the same transaction as every change to wish_districts, and
services/statistics_aggregates.py rebuilds them with the statistics aggregates. As there,
PostgreSQL's row triggers run BEFORE the change, so that each sees the rows changed before its
own only; SQLite's run after it.
"""

from __future__ import annotations

from sqlalchemy import Connection, Integer, MetaData, String, event, text
from sqlalchemy.orm import Mapped, mapped_column

from wishmap.db import Base
from wishmap.models.statistics_aggregates import SCOPE


class DistrictPair(Base):
    """Wishes lying in a district of one level and, at another level, in another (or none)."""

    __tablename__ = "agg_district_pairs"

    scope: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(40), primary_key=True)
    district_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    other_level: Mapped[str] = mapped_column(String(40), primary_key=True)
    other_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0: in none of its level
    wishes: Mapped[int] = mapped_column(Integer)


COLUMNS = "scope, level, district_id, other_level, other_id, wishes"
UPSERT = (
    "ON CONFLICT (scope, level, district_id, other_level, other_id)"
    " DO UPDATE SET wishes = agg_district_pairs.wishes + excluded.wishes"
)
KEPT = f"SELECT level FROM agg_stat_levels WHERE scope = {SCOPE}"


def _change(rec: str, sign: int, hidden: str = "") -> list[str]:
    """Statements adding (+1) or removing (-1) the wish_districts row `rec` from the pairs.

    `hidden` excludes a row the table holds but the change must not see (an UPDATE's other
    side). The row itself pairs with the wish's district at every other kept level (0 if
    none); each of those moves between pairing with 0 and with the row's district.
    """
    others = f"o.wish_id = {rec}.wish_id AND o.level <> {rec}.level{hidden}"
    return [
        f"INSERT INTO agg_district_pairs ({COLUMNS})"
        f" SELECT {SCOPE}, {rec}.level, {rec}.district_id, l.level,"
        f" coalesce((SELECT o.district_id FROM wish_districts o WHERE {others}"
        f" AND o.level = l.level), 0), {sign}"
        f" FROM agg_stat_levels l WHERE l.scope = {SCOPE} AND l.level <> {rec}.level"
        f" AND {rec}.level IN ({KEPT}) {UPSERT}",
        f"INSERT INTO agg_district_pairs ({COLUMNS})"
        f" SELECT {SCOPE}, o.level, o.district_id, {rec}.level, part.other, part.sign"
        f" FROM wish_districts o, (SELECT 0 AS other, {-sign} AS sign"
        f" UNION ALL SELECT {rec}.district_id, {sign}) part"
        f" WHERE {others} AND o.level IN ({KEPT}) AND {rec}.level IN ({KEPT}) {UPSERT}",
    ]


TRIGGERS = ("nest_wd_insert", "nest_wd_update", "nest_wd_delete")
# Set (transaction-local) by services/statistics_aggregates.reassign_districts on PostgreSQL,
# which rewrites every wish's districts and rebuilds the pairs at its end: the triggers then
# leave the pairs to it. A setting of its own: a bulk load (statistics_rebuild.bulk_load) turns
# the statistics triggers off but counts the pairs of its wishes' districts through these.
BULK_SETTING = "wishmap.district_pairs_bulk"


def trigger_statements(dialect: str) -> list[str]:
    """The statements that install the district pairs' triggers (idempotent)."""
    body = lambda statements: ";\n".join(statements)  # noqa: E731
    if dialect == "sqlite":
        # After an UPDATE the table holds NEW: the removal of OLD must not see it.
        hidden = " AND NOT (o.wish_id = NEW.wish_id AND o.level = NEW.level)"
        return [
            *drop_trigger_statements(dialect),
            "CREATE TRIGGER nest_wd_insert AFTER INSERT ON wish_districts BEGIN"
            f" {body(_change('NEW', 1))}; END",
            "CREATE TRIGGER nest_wd_delete AFTER DELETE ON wish_districts BEGIN"
            f" {body(_change('OLD', -1))}; END",
            "CREATE TRIGGER nest_wd_update AFTER UPDATE ON wish_districts BEGIN"
            f" {body(_change('OLD', -1, hidden) + _change('NEW', 1))}; END",
        ]
    # Before an UPDATE the table still holds OLD: the addition of NEW must not see it.
    hidden = " AND NOT (o.wish_id = OLD.wish_id AND o.level = OLD.level)"
    function = f"""
CREATE OR REPLACE FUNCTION nest_wish_district_change() RETURNS trigger AS $$
BEGIN
  IF current_setting('{BULK_SETTING}', true) = 'on' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    {body(_change("OLD", -1))};
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    {body(_change("OLD", -1) + _change("NEW", 1, hidden))};
    RETURN NEW;
  END IF;
  {body(_change("NEW", 1))};
  RETURN NEW;
END $$ LANGUAGE plpgsql"""
    return [
        *drop_trigger_statements(dialect),
        function,
        "CREATE TRIGGER nest_wish_district_change BEFORE INSERT OR UPDATE OR DELETE"
        " ON wish_districts FOR EACH ROW EXECUTE FUNCTION nest_wish_district_change()",
    ]


def drop_trigger_statements(dialect: str) -> list[str]:
    """The statements that remove the district pairs' triggers (bulk loads, downgrade)."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS]
    return ["DROP TRIGGER IF EXISTS nest_wish_district_change ON wish_districts"]


def install_triggers(connection: Connection) -> None:
    """Install (or reinstall) the district pairs' triggers on this connection's database."""
    for statement in trigger_statements(connection.dialect.name):
        connection.execute(text(statement))


REBUILD = (
    f"INSERT INTO agg_district_pairs ({COLUMNS})"
    f" SELECT {SCOPE}, a.level, a.district_id, l.level, coalesce(b.district_id, 0), count(*)"
    " FROM wish_districts a"
    f" JOIN agg_stat_levels l ON l.scope = {SCOPE} AND l.level <> a.level"
    " LEFT JOIN wish_districts b ON b.wish_id = a.wish_id AND b.level = l.level"
    f" WHERE a.level IN ({KEPT})"
    " GROUP BY a.level, a.district_id, l.level, coalesce(b.district_id, 0)"
)


def rebuild_statements() -> list[str]:
    """The statements that recompute every row from wish_districts (after agg_stat_levels)."""
    return ["DELETE FROM agg_district_pairs", REBUILD]


@event.listens_for(Base.metadata, "after_create")
def _after_create(target: MetaData, connection: Connection, **_kw: object) -> None:
    if "agg_district_pairs" in target.tables and "wish_districts" in target.tables:
        install_triggers(connection)
