"""What lies within walking distance of a premise, read live for its report.

The gap scores come from the stored analysis; these are the figures a report adds around them:
how often the residents who count for the premise would shop there, whether their number is
rising, what they said, which competitors stand nearest, and aggregated demand for its map.
Every query is a bounding box on wishes(status, lat, lon) (index ix_wishes_status_lat_lon)
narrowed to the few types shown and cut to the exact radius in SQL, which returns counts, not
wishes; the map's cells come from the live aggregates. Nothing names a resident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import (
    CTE,
    ColumnElement,
    Select,
    and_,
    case,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from wishmap.geo import metric_scale
from wishmap.models import Hotspot, Premise, Wish, WishFrequency, WishStatus
from wishmap.services.demand import Cell, demand_cells
from wishmap.services.report_nearby import (
    NearShop,
    StreetLine,
    box_around,
    nearby_hotspots,
    nearby_shops,
    nearby_streets,
)

TREND_DAYS = 90
# Newest reasons quoted per shop type.
REASONS_PER_TYPE = 3
# How far around the premise the map reaches, beyond the radius.
MAP_MARGIN_M = 150.0
# A resident counts once per type, at the most frequent answer they gave.
_FREQUENCY_ORDER = (WishFrequency.WEEKLY, WishFrequency.MONTHLY, WishFrequency.OCCASIONALLY)


@dataclass
class TypeFigures:
    """Live figures for one shop type within the radius."""

    residents: int = 0
    frequency: dict[str, int] = field(default_factory=dict)  # weekly/monthly/occasionally
    recent: int = 0  # distinct residents who wished in the last TREND_DAYS
    previous: int = 0  # ... in the TREND_DAYS before those
    reasons: list[str] = field(default_factory=list)


@dataclass
class Surroundings:
    """Everything a report shows around one premise, besides the stored gap scores."""

    lat: float
    lon: float
    radius_m: float
    figures: dict[int, TypeFigures]
    competitors: list[NearShop]  # shops of the shown types within the map's reach, nearest first
    nearest: dict[int, NearShop]  # nearest shop per shown type (within NAMED_COMPETITOR_M)
    hotspots: list[Hotspot]
    cells: dict[int, list[Cell]]  # aggregated demand per top type (cells of the public map)
    cell_m: float
    streets: list[StreetLine]

    @property
    def reach_m(self) -> float:
        return self.radius_m + MAP_MARGIN_M


def _resident() -> ColumnElement[int]:
    # A wish kept from a deleted account counts as its own anonymous resident.
    return func.coalesce(Wish.user_id, -Wish.id)


def _within(premise: Premise, radius_m: float, type_ids: list[int] | None) -> list:
    """SQL conditions: active wishes of these types within radius_m of the premise.

    The bounding box narrows the index scan (ix_wishes_status_lat_lon); the circle is cut in
    SQL with the metric scale of the Python distance (squared, so no sqrt is needed).
    """
    box = box_around(premise.lat, premise.lon, radius_m)
    sx, sy = (float(scale) for scale in metric_scale(premise.lat))
    east = (Wish.lon - premise.lon) * sx
    north = (Wish.lat - premise.lat) * sy
    conditions = [
        Wish.status == WishStatus.ACTIVE.value,
        Wish.lat.between(box.south, box.north),
        Wish.lon.between(box.west, box.east),
        east * east + north * north <= radius_m * radius_m,
    ]
    if type_ids is not None:
        conditions.append(Wish.shop_type_id.in_(type_ids))
    return conditions


def _around(within: list, now: datetime) -> CTE:
    # The wishes within the radius, each read once (a table lookup apiece on SQLite) for both
    # the figures and the reasons; a CTE used twice is materialized by both databases.
    recent_from = now - timedelta(days=TREND_DAYS)
    previous_from = now - timedelta(days=2 * TREND_DAYS)
    rank = case(
        *((Wish.frequency == str(how), index) for index, how in enumerate(_FREQUENCY_ORDER)),
        else_=len(_FREQUENCY_ORDER),
    )
    recent = case((and_(Wish.created_at > recent_from, Wish.created_at <= now), 1), else_=0)
    previous = case(
        (and_(Wish.created_at > previous_from, Wish.created_at <= recent_from), 1), else_=0
    )
    return (
        select(
            Wish.shop_type_id.label("type_id"),
            _resident().label("resident"),
            rank.label("rank"),
            recent.label("recent"),
            previous.label("previous"),
            Wish.reason.label("reason"),
            Wish.created_at.label("created_at"),
            Wish.id.label("id"),
        )
        .where(*within)
        .cte("around")
    )


def _figures(around: CTE) -> Select:
    # One row per type: per resident first (best frequency, whether they wished in each 90-day
    # window), then residents per type. Only active wishes are read: held, hidden and pending
    # ones have not passed moderation.
    per_resident = (
        select(
            around.c.type_id,
            func.min(around.c.rank).label("best"),
            func.max(around.c.recent).label("recent"),
            func.max(around.c.previous).label("previous"),
        )
        .group_by(around.c.type_id, around.c.resident)
        .subquery()
    )
    best = per_resident.c.best
    return select(
        literal("figures").label("kind"),
        per_resident.c.type_id,
        func.count().label("residents"),
        *(
            func.sum(case((best == index, 1), else_=0)).label(f"rank{index}")
            for index in range(len(_FREQUENCY_ORDER))
        ),
        func.sum(per_resident.c.recent).label("recent"),
        func.sum(per_resident.c.previous).label("previous"),
        null().label("reason"),
        null().label("nth"),
    ).group_by(per_resident.c.type_id)


def _reasons(around: CTE, type_ids: list[int], limit: int | None) -> Select:
    # The newest distinct texts per type, as if reading every wish newest first: each raw text
    # once, at its newest wish (where that walk meets it first), then newest first per type.
    texts = (
        select(
            around.c.type_id,
            around.c.reason,
            around.c.created_at,
            around.c.id,
            func.row_number()
            .over(
                partition_by=(around.c.type_id, around.c.reason),
                order_by=(around.c.created_at.desc(), around.c.id.desc()),
            )
            .label("copy"),
        )
        .where(around.c.type_id.in_(type_ids), around.c.reason.is_not(None))
        .subquery()
    )
    ranked = (
        select(
            texts.c.type_id,
            texts.c.reason,
            func.row_number()
            .over(
                partition_by=texts.c.type_id,
                order_by=(texts.c.created_at.desc(), texts.c.id.desc()),
            )
            .label("nth"),
        )
        .where(texts.c.copy == 1)
        .subquery()
    )
    figures = (null(),) * (len(_FREQUENCY_ORDER) + 3)
    query = select(literal("reasons"), ranked.c.type_id, *figures, ranked.c.reason, ranked.c.nth)
    return query if limit is None else query.where(ranked.c.nth <= limit)


def _quote(said: list[str], reason: str) -> None:
    text = " ".join(reason.split())
    if text and text not in said and len(said) < REASONS_PER_TYPE:
        said.append(text)


def _read(
    session: Session, within: list, mapped: list[int], now: datetime
) -> tuple[dict[int, TypeFigures], dict[int, list[str]]]:
    """Return the figures per type and the newest distinct reasons of the mapped types."""
    around = _around(within, now)
    # A few texts per type suffice unless several differ only in spacing: then read them all.
    limit = 4 * REASONS_PER_TYPE
    query = _figures(around)
    if mapped:
        query = union_all(query, _reasons(around, mapped, limit)).order_by("type_id", "nth")
    figures: dict[int, TypeFigures] = {}
    said: dict[int, list[str]] = {type_id: [] for type_id in mapped}
    read = dict.fromkeys(mapped, 0)
    for kind, type_id, residents, *counts, reason, _nth in session.execute(query):
        if kind == "reasons":
            read[type_id] += 1
            _quote(said[type_id], reason)
            continue
        *how_often, recent, previous = (int(count or 0) for count in counts)
        figures[int(type_id)] = TypeFigures(
            residents=int(residents),
            frequency={
                str(how): count
                for how, count in zip(_FREQUENCY_ORDER, how_often, strict=True)
                if count
            },
            recent=recent,
            previous=previous,
        )
    short = [t for t in mapped if len(said[t]) < REASONS_PER_TYPE and read[t] == limit]
    if short:
        everything = _reasons(_around(within, now), short, None).order_by("type_id", "nth")
        for type_id in short:
            said[type_id] = []
        for _kind, type_id, *_counts, reason, _nth in session.execute(everything):
            _quote(said[type_id], reason)
    return figures, said


def read_wishes(
    session: Session,
    premise: Premise,
    radius_m: float,
    type_ids: list[int] | None,
    map_type_ids: list[int],
    grid: tuple[float, float],
    now: datetime,
) -> tuple[dict[int, TypeFigures], dict[int, list[Cell]]]:
    """Return the live figures per type within radius_m, and the map's demand cells per type.

    Per type, the distinct residents within the radius, per frequency and per 90-day window,
    counted in SQL; the newest reasons (mapped types only); and wishes counted per cell of the
    public map's grid over the map's reach (mapped types only), from the live aggregates when
    they are kept for that grid (services/demand.demand_cells). type_ids None reads every type
    (no analysis yet). No wish row reaches Python: at 1,000,000 wishes the busiest premise has
    some 240,000 within the map's reach.
    """
    if type_ids is not None and not type_ids:
        return {}, {}
    figures, said = _read(session, _within(premise, radius_m, type_ids), map_type_ids, now)
    for type_id, reasons in said.items():
        if type_id in figures:
            figures[type_id].reasons = reasons
    lat0, cell_m = grid
    reach = box_around(premise.lat, premise.lon, radius_m + MAP_MARGIN_M)
    cells = {
        type_id: sorted(
            demand_cells(session, reach, cell_m, lat0, [type_id]),
            key=lambda cell: (cell.lat, cell.lon),
        )
        for type_id in map_type_ids
    }
    return figures, cells


def surroundings(
    session: Session,
    premise: Premise,
    radius_m: float,
    run_id: int | None,
    shown_type_ids: list[int] | None,
    map_type_ids: list[int],
    grid: tuple[float, float],
    now: datetime,
) -> Surroundings:
    """Return the live figures, competitors, hotspots, demand cells and streets of a report.

    shown_type_ids: the types the report lists (None: all, when there is no analysis run);
    map_type_ids: the few types drawn on the map; grid: (district latitude, cell size in m) of
    the public map's demand grid, so the report never shows a finer grid than the public map.
    """
    figures, cells = read_wishes(
        session, premise, radius_m, shown_type_ids, map_type_ids, grid, now
    )
    listed = shown_type_ids if shown_type_ids is not None else list(figures)
    reach = radius_m + MAP_MARGIN_M
    competitors, nearest = nearby_shops(session, premise, listed, reach)
    return Surroundings(
        lat=premise.lat,
        lon=premise.lon,
        radius_m=radius_m,
        figures=figures,
        competitors=[shop for shop in competitors if shop.shop_type_id in map_type_ids],
        nearest=nearest,
        hotspots=nearby_hotspots(session, run_id, premise, map_type_ids, reach),
        cells=cells,
        cell_m=grid[1],
        streets=nearby_streets(session, premise, reach),
    )
