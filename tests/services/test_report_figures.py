"""The report's live figures, counted in SQL and read from the aggregates, equal the scan they
replaced (every active wish around the premise read into Python) on random planted data."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import datetime, timedelta

import pytest
from factories import make_premise, shop_type
from sqlalchemy import select
from sqlalchemy.orm import Session

from wishmap.geo import metric_scale
from wishmap.models import Premise, User, Wish, WishFrequency, WishStatus
from wishmap.models._types import utcnow
from wishmap.services import aggregates
from wishmap.services.demand import Cell, _cell_degrees
from wishmap.services.report_nearby import box_around
from wishmap.services.report_surroundings import (
    _FREQUENCY_ORDER,
    MAP_MARGIN_M,
    REASONS_PER_TYPE,
    TREND_DAYS,
    TypeFigures,
    read_wishes,
)

LAT0, CELL_M, RADIUS_M = 48.88, 100.0, 400.0
CODES = ("bakery", "pharmacy", "books", "florist")
# Texts that differ only in spacing are one reason: many of them make the newest dozen raw
# texts name fewer than three reasons, so every one is read.
REASONS = (
    None,
    "",
    "   ",
    "Près de chez moi",
    "Près  de chez\nmoi",
    "Pas de boulangerie",
    *(f"Enfin{' ' * n}" for n in range(16)),
)


def scanned(
    session: Session,
    premise: Premise,
    radius_m: float,
    type_ids: list[int] | None,
    map_type_ids: list[int],
    now: datetime,
) -> tuple[dict[int, TypeFigures], dict[int, list[Cell]]]:
    """The report's former read_wishes: every active wish of the map's reach, in Python."""
    dlat, dlon = _cell_degrees(CELL_M, LAT0)
    reach = box_around(premise.lat, premise.lon, radius_m + MAP_MARGIN_M)
    south = math.floor((reach.south + 90) / dlat) * dlat - 90
    north = math.ceil((reach.north + 90) / dlat) * dlat - 90
    west = math.floor((reach.west + 180) / dlon) * dlon - 180
    east = math.ceil((reach.east + 180) / dlon) * dlon - 180
    query = select(
        Wish.shop_type_id, Wish.lat, Wish.lon, Wish.user_id, Wish.id, Wish.created_at,
        Wish.frequency, Wish.reason,
    ).where(
        Wish.status == WishStatus.ACTIVE.value,
        Wish.lat.between(south, north),
        Wish.lon.between(west, east),
    )  # fmt: skip
    if type_ids is not None:
        query = query.where(Wish.shop_type_id.in_(type_ids))
    sx, sy = (float(scale) for scale in metric_scale(premise.lat))
    rank = {str(how): index for index, how in enumerate(_FREQUENCY_ORDER)}
    best: dict[tuple[int, int], int] = {}
    recent: dict[int, set[int]] = defaultdict(set)
    previous: dict[int, set[int]] = defaultdict(set)
    said: dict[int, list] = defaultdict(list)
    counts: dict[int, dict] = {type_id: {} for type_id in map_type_ids}
    for type_id, lat, lon, user_id, wish_id, created_at, how, reason in session.execute(query):
        if type_id in map_type_ids:
            cell = (math.floor((lat + 90) / dlat), math.floor((lon + 180) / dlon))
            counts[type_id][cell] = counts[type_id].get(cell, 0) + 1
        if math.hypot((lon - premise.lon) * sx, (lat - premise.lat) * sy) > radius_m:
            continue
        resident = user_id if user_id is not None else -wish_id
        best[type_id, resident] = min(best.get((type_id, resident), 3), rank.get(how or "", 3))
        if now - timedelta(days=TREND_DAYS) < created_at <= now:
            recent[type_id].add(resident)
        elif now - timedelta(days=2 * TREND_DAYS) < created_at <= now - timedelta(days=TREND_DAYS):
            previous[type_id].add(resident)
        if reason and type_id in map_type_ids:
            said[type_id].append((created_at, wish_id, reason))
    figures: dict[int, TypeFigures] = defaultdict(TypeFigures)
    for (type_id, _resident), how in best.items():
        figures[type_id].residents += 1
        if how < 3:
            name = str(_FREQUENCY_ORDER[how])
            figures[type_id].frequency[name] = figures[type_id].frequency.get(name, 0) + 1
    for type_id, line in figures.items():
        line.recent, line.previous = len(recent[type_id]), len(previous[type_id])
        for _created, _id, reason in sorted(said[type_id], reverse=True):
            text = " ".join(reason.split())
            if text and text not in line.reasons:
                line.reasons.append(text)
                if len(line.reasons) == REASONS_PER_TYPE:
                    break
    cells = {
        type_id: [
            Cell((row + 0.5) * dlat - 90, (col + 0.5) * dlon - 180, count)
            for (row, col), count in sorted(per_cell.items())
        ]
        for type_id, per_cell in counts.items()
    }
    return dict(figures), cells


def plant(session: Session, seed: int, now: datetime) -> Premise:
    """A premise amid random wishes: repeat wishers, kept wishes of deleted accounts, every
    status, frequency and age, reasons repeated or differing only in spacing, some far off."""
    rng = random.Random(seed)
    premise = make_premise(session, lat=LAT0, lon=2.38)
    types = [shop_type(session, code).id for code in CODES]
    long_ago = now - timedelta(days=400)
    users = [
        User(
            email=f"figures-{seed}-{n}@example.org",
            display_name=f"R{n}",
            role="resident",
            created_at=long_ago,
            email_verified_at=long_ago,
        )
        for n in range(60)
    ]
    session.add_all(users)
    session.flush()
    m_lat = 1 / 111_195
    m_lon = m_lat / math.cos(math.radians(LAT0))
    statuses = [WishStatus.ACTIVE.value] * 6 + [status.value for status in WishStatus]
    frequencies = [None, *(str(how) for how in WishFrequency)]
    # A few identical instants, so that the newest-first order falls back on the wish id.
    instants = [now - timedelta(days=rng.uniform(0, 200)) for _ in range(40)]
    for _ in range(500):
        user = rng.choice(users)
        distance, angle = rng.uniform(0, 700), rng.uniform(0, 2 * math.pi)
        session.add(
            Wish(
                user_id=None if rng.random() < 0.1 else user.id,
                shop_type_id=rng.choice(types),
                lat=premise.lat + distance * math.sin(angle) * m_lat,
                lon=premise.lon + distance * math.cos(angle) * m_lon,
                status=rng.choice(statuses),
                frequency=rng.choice(frequencies),
                reason=rng.choice(REASONS[: 6 if rng.random() < 0.5 else None]),
                created_at=rng.choice([*instants, now + timedelta(days=1)]),
            )
        )
    # The newest wishes of the first type all give one reason, spaced a dozen ways.
    for n in range(14):
        session.add(
            Wish(
                user_id=users[n].id,
                shop_type_id=types[0],
                lat=premise.lat + 50 * m_lat,
                lon=premise.lon,
                reason=f"Enfin{' ' * n}",
                created_at=now - timedelta(seconds=n),
            )
        )
    session.commit()
    return premise


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_figures_and_cells_equal_the_full_scan(session: Session, seed: int) -> None:
    now = utcnow()
    premise = plant(session, seed, now)
    types = [shop_type(session, code).id for code in CODES]
    planted = scanned(session, premise, RADIUS_M, types, types[:3], now)
    # The planted data exercises every figure.
    assert all(line.residents and line.recent and line.previous for line in planted[0].values())
    assert all(len(planted[0][type_id].reasons) == 3 for type_id in types[:3])
    assert all(planted[0][type_id].frequency.get("weekly") for type_id in types)
    assert all(planted[1][type_id] for type_id in types[:3])
    for type_ids, mapped in ((types, types[:3]), (types[1:3], types[1:2]), (None, [])):
        expected = scanned(session, premise, RADIUS_M, type_ids, mapped, now)
        # The public map's grid is not kept yet: the cells are counted by a scan in SQL.
        assert read_wishes(session, premise, RADIUS_M, type_ids, mapped, (LAT0, CELL_M), now) == (
            expected
        )
        aggregates.rebuild(session, LAT0, CELL_M)
        assert read_wishes(session, premise, RADIUS_M, type_ids, mapped, (LAT0, CELL_M), now) == (
            expected
        )
        # Another grid: the next round counts its cells by a scan again.
        aggregates.rebuild(session, LAT0, 2 * CELL_M)
