"""What a statistics request asks for (grouping, filters) and what it returns (rows, table)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from wishmap.models._types import utcnow
from wishmap.taxonomy import GROUPS

DIMENSIONS = ("street", "district", "type", "group", "month")
GEOMETRY_DIMENSIONS = ("street", "district")
DEFAULT_MIN_RESIDENTS = 3


class StatisticsError(ValueError):
    """A statistics request was malformed; the message says why."""


@dataclass(frozen=True)
class StatsQuery:
    """What to count: the grouping (one or two dimensions) and the filters."""

    by: tuple[str, ...] = ("street",)
    level: str | None = None  # the district level when grouping by district
    since: date | None = None
    until: date | None = None
    type_code: str | None = None
    group: str | None = None
    district_id: int | None = None
    street_id: int | None = None

    def args(self) -> dict[str, str]:
        """Return the query as URL parameters (the same table in another format)."""
        values = {
            "by": self.by[0],
            "then": self.by[1] if len(self.by) > 1 else None,
            "level": self.level,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "type": self.type_code,
            "group": self.group,
            "district": self.district_id,
            "street": self.street_id,
        }
        return {key: str(value) for key, value in values.items() if value not in (None, "")}

    @property
    def has_geometry(self) -> bool:
        return sum(dimension in GEOMETRY_DIMENSIONS for dimension in self.by) == 1


@dataclass(frozen=True)
class StatRow:
    """One group: its key and label per dimension, and its counts (None when suppressed)."""

    keys: tuple[Any, ...]
    codes: tuple[str, ...]
    labels: tuple[str, ...]
    wishes: int | None
    residents: int | None

    @property
    def suppressed(self) -> bool:
        return self.residents is None


@dataclass
class StatsTable:
    query: StatsQuery
    rows: list[StatRow]
    min_residents: int
    level: str | None
    max_noise: int = 0
    generated_at: datetime = field(default_factory=utcnow)

    @property
    def shown(self) -> list[StatRow]:
        return [row for row in self.rows if not row.suppressed]


def _day(args: Mapping[str, str], name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise StatisticsError(_("%(name)s must be a date (YYYY-MM-DD).", name=name)) from None


def _number(args: Mapping[str, str], name: str) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise StatisticsError(_("%(name)s must be a number.", name=name))
    return int(raw)


def parse_query(args: Mapping[str, str]) -> StatsQuery:
    """Return the query named by URL parameters, or raise StatisticsError saying why."""
    by = [(args.get("by") or "street").strip(), (args.get("then") or "").strip()]
    by = [dimension for dimension in by if dimension]
    for dimension in by:
        if dimension not in DIMENSIONS:
            raise StatisticsError(_("Group by one of: %(choices)s.", choices=", ".join(DIMENSIONS)))
    if len(by) == 2 and by[0] == by[1]:
        raise StatisticsError(_("Group by two different things."))
    since, until = _day(args, "since"), _day(args, "until")
    if since and until and since > until:
        raise StatisticsError(_("The start date is after the end date."))
    group = (args.get("group") or "").strip() or None
    if group and group not in GROUPS:
        raise StatisticsError(_("Unknown shop-type group."))
    return StatsQuery(
        by=tuple(by),
        level=(args.get("level") or "").strip() or None,
        since=since,
        until=until,
        type_code=(args.get("type") or "").strip() or None,
        group=group,
        district_id=_number(args, "district"),
        street_id=_number(args, "street"),
    )
