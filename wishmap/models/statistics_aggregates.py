"""Live statistics aggregates: active wishes and distinct residents per group and day.

Distinct residents cannot be summed across days or groups, so each group ("kind": which of
street, district, shop type or type group it splits by) keeps two tables, both summable:

- agg_stat_days: per group and day, the wishes and the residents who wished there that day;
- agg_stat_day_pairs: per group, how many residents have two consecutive wish days (a, b) in it.

A resident's wish days in a group inside a date range form one run of their sorted days, so
"days in range minus consecutive pairs in range" is 1 for a resident who wished in the range
and 0 otherwise: the distinct residents of any date range (or month) are the sum of the day
rows in it minus the sum of the pair rows inside it. The same identity carries Σu and Σu² of
the residents' ids (u = id mod MODULUS), from which services/disclosure.py's cell keys follow
for any secret, and Σ/Σ² of the wish ids give the wish counts' keys.

wishmap/models/statistics_triggers.py keeps these tables in the same transaction as every
change to wishes or wish_districts; wishmap/services/statistics_aggregates.py rebuilds and
reads them.

A district kind keeps one level's districts apart, which answers a table grouped by the
districts of level A and filtered on a district D of level B only for the districts of A
nesting in D (services/statistics/nesting.py); distinct residents cannot be split between the
part of a district inside D and the part outside. So, for every pair of kept levels, the cross
tables (agg_stat_cross_days / _day_pairs) hold the same rows keyed by a district of each
(0: none of that level), for the district kinds only: the wishes of a district of A inside D
form a group of their own, with the same day / pair identity, for any date range. One row per
pair serves both directions (level < other_level).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from wishmap.db import Base

STREET, DISTRICT, TYPE, GROUP = 1, 2, 4, 8
# Every group a query can need: any of street and district, with the shop type, its group or
# neither. A month is a range of days, so it needs no kind of its own.
KINDS = tuple(k for k in range(16) if not (k & TYPE and k & GROUP))
KEY_COLUMNS = ("scope", "kind", "street_id", "level", "district_id", "shop_type_id", "grp")
# Cross rows: a district of `level` and one of `other_level` (level < other_level), both kept.
CROSS_KINDS = tuple(k for k in KINDS if k & DISTRICT)
CROSS_KEY_COLUMNS = (
    *KEY_COLUMNS[:5], "other_level", "other_id", *KEY_COLUMNS[5:]
)  # fmt: skip
# One deployment, one city today; a campaign column would take this place (0 = the only one).
SCOPE = 0


class _PairSums:
    """The summable figures of a pair row, the last columns of its table."""

    residents: Mapped[int] = mapped_column(Integer, sort_order=1)
    r1: Mapped[int] = mapped_column(BigInteger, sort_order=1)  # Σ resident id mod MODULUS
    r2: Mapped[int] = mapped_column(BigInteger, sort_order=1)  # Σ (resident id mod MODULUS)²


class _DaySums(_PairSums):
    """The summable figures of a day row: its residents' as a pair row's, then its wishes'."""

    wishes: Mapped[int] = mapped_column(Integer, sort_order=2)
    w1: Mapped[int] = mapped_column(BigInteger, sort_order=2)  # Σ wish id mod MODULUS
    w2: Mapped[int] = mapped_column(BigInteger, sort_order=2)  # Σ (wish id mod MODULUS)²


class StatDay(_DaySums, Base):
    """Active wishes and distinct residents of one group on one UTC day (yyyymmdd)."""

    __tablename__ = "agg_stat_days"

    scope: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    # 0 where the kind does not split by it, and for "no street" / "outside every district".
    street_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(40), primary_key=True)
    district_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_type_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grp: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)


class StatDayPair(_PairSums, Base):
    """Residents whose consecutive wish days in one group are (day, next_day)."""

    __tablename__ = "agg_stat_day_pairs"

    scope: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    street_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(40), primary_key=True)
    district_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_type_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grp: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    next_day: Mapped[int] = mapped_column(Integer, primary_key=True)


class StatCrossDay(_DaySums, Base):
    """As StatDay, for the wishes lying in a district of one level and one of another.

    Kept for every pair of kept levels (level < other_level, 0: in none of that level), for
    the district kinds only, so that a table grouped by the districts of one level and filtered
    on a district of another is read, not scanned, when the levels do not nest.
    """

    __tablename__ = "agg_stat_cross_days"

    scope: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    street_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(40), primary_key=True)
    district_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    other_level: Mapped[str] = mapped_column(String(40), primary_key=True)
    other_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_type_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grp: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)


class StatCrossDayPair(_PairSums, Base):
    """As StatDayPair, for the cross rows of StatCrossDay."""

    __tablename__ = "agg_stat_cross_day_pairs"

    scope: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    street_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(40), primary_key=True)
    district_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    other_level: Mapped[str] = mapped_column(String(40), primary_key=True)
    other_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_type_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grp: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    next_day: Mapped[int] = mapped_column(Integer, primary_key=True)


class StatLevel(Base):
    """A district level the district kinds are kept for (a new level needs a rebuild)."""

    __tablename__ = "agg_stat_levels"

    scope: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(40), primary_key=True)
