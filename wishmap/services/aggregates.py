"""Live aggregates of active wishes: rebuild them from the wishes, read the rows in view.

The counts themselves change only through the triggers in wishmap/models/aggregates.py, in the
same transaction as the wish (create, support, withdraw, hold, release, hide, delete, import): a
new wish shows on the map at once and the counts are exact. This module is the only Python that
writes them: a full rebuild (`flask rebuild-aggregates`, or the first map request after the grid
changed), which gives the same rows as the triggers (tests/services/test_aggregates.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from wishmap.geo import M_PER_DEG_LAT
from wishmap.models import WishStatus
from wishmap.models.aggregates import (
    ALL_TYPES,
    LEVELS,
    DemandCellCount,
    DemandGrid,
    PremiseTypeCount,
    base_col,
    base_row,
)

GRID_ID = 1


@dataclass(frozen=True)
class CellCount:
    row: int
    col: int
    count: int


def grid_degrees(base_m: float, lat0: float) -> tuple[float, float]:
    """The level-0 cell in degrees; the same rule as services/demand.py's grid."""
    dlat = base_m / M_PER_DEG_LAT
    dlon = base_m / (M_PER_DEG_LAT * math.cos(math.radians(min(abs(lat0) + 5, 85))))
    return dlat, dlon


def current_grid(session: Session) -> DemandGrid | None:
    return session.get(DemandGrid, GRID_ID)


def matches(grid: DemandGrid | None, lat0: float, base_m: float) -> bool:
    return grid is not None and grid.lat0 == lat0 and grid.base_m == base_m


def rebuild(
    session: Session, lat0: float, base_m: float, progress: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Recompute every aggregate from the wishes for the grid (lat0, base_m); commit.

    Return how many rows each table holds. The whole rebuild is one transaction: the map reads
    the old counts until it commits.
    """
    say = progress or (lambda _message: None)
    dialect = session.get_bind().dialect.name
    active = WishStatus.ACTIVE.value
    session.execute(delete(PremiseTypeCount))
    say("premise counts")
    session.execute(
        text(
            "INSERT INTO agg_premise_types (premise_id, shop_type_id, wishes)"
            " SELECT premise_id, shop_type_id, count(*) FROM wishes"
            " WHERE status = :active AND premise_id IS NOT NULL GROUP BY premise_id, shop_type_id"
        ),
        {"active": active},
    )
    session.execute(delete(DemandCellCount))
    session.execute(delete(DemandGrid))
    dlat, dlon = grid_degrees(base_m, lat0)
    session.add(DemandGrid(id=GRID_ID, lat0=lat0, base_m=base_m, dlat=dlat, dlon=dlon))
    session.flush()
    say("cells, level 0")
    row = base_row(dialect, "w.lat", "g.dlat")
    col = base_col(dialect, "w.lon", "g.dlon")
    session.execute(
        text(
            "INSERT INTO agg_demand_cells (level, cell_row, cell_col, shop_type_id, wishes)"
            " SELECT 0, r, c, shop_type_id, count(*) FROM"
            f" (SELECT {row} AS r, {col} AS c, w.shop_type_id FROM wishes w, agg_demand_grid g"
            "  WHERE w.status = :active) cells"
            " GROUP BY r, c, shop_type_id"
        ),
        {"active": active},
    )
    for level in LEVELS[1:]:
        say(f"cells, level {level}")
        factor = 2**level
        session.execute(
            text(
                "INSERT INTO agg_demand_cells (level, cell_row, cell_col, shop_type_id, wishes)"
                f" SELECT {level}, cell_row / {factor}, cell_col / {factor}, shop_type_id,"
                " sum(wishes) FROM agg_demand_cells WHERE level = 0"
                f" GROUP BY cell_row / {factor}, cell_col / {factor}, shop_type_id"
            )
        )
    say("cells, all types")
    session.execute(
        text(
            "INSERT INTO agg_demand_cells (level, cell_row, cell_col, shop_type_id, wishes)"
            f" SELECT level, cell_row, cell_col, {ALL_TYPES}, sum(wishes) FROM agg_demand_cells"
            " GROUP BY level, cell_row, cell_col"
        )
    )
    counts = {
        "premise rows": session.scalar(select(func.count()).select_from(PremiseTypeCount)) or 0,
        "cell rows": session.scalar(select(func.count()).select_from(DemandCellCount)) or 0,
    }
    session.commit()
    return counts


def ensure_grid(session: Session, lat0: float, base_m: float) -> bool:
    """Make the cell counts be for this grid, rebuilding them if it changed; True when they are.

    A configuration change (centre, cell size) or a fresh database rebuilds once. Two requests
    rebuilding at once: the one that loses answers from the scan this time.
    """
    if matches(current_grid(session), lat0, base_m):
        return True
    try:
        rebuild(session, lat0, base_m)
    except DBAPIError:
        session.rollback()
        return False
    return True


def cell_counts(
    session: Session,
    level: int,
    rows: tuple[int, int],
    cols: tuple[int, int],
    shop_type_ids: list[int],
) -> list[CellCount]:
    """Active wishes per cell of a level over rows × cols (inclusive), from the stored levels.

    A level between two stored ones sums 2 × 2 cells of the finer one: integer division of a
    level-0 index by 2**k is the level-k index, so the sums are exact.
    """
    stored = max(k for k in LEVELS if k <= level)
    factor = 2 ** (level - stored)
    r = DemandCellCount.cell_row // factor if factor > 1 else DemandCellCount.cell_row
    c = DemandCellCount.cell_col // factor if factor > 1 else DemandCellCount.cell_col
    query = select(r, c, func.sum(DemandCellCount.wishes)).where(
        DemandCellCount.level == stored,
        DemandCellCount.cell_row.between(rows[0] * factor, (rows[1] + 1) * factor - 1),
        DemandCellCount.cell_col.between(cols[0] * factor, (cols[1] + 1) * factor - 1),
    )
    if shop_type_ids:
        query = query.where(DemandCellCount.shop_type_id.in_(shop_type_ids))
    else:
        query = query.where(DemandCellCount.shop_type_id == ALL_TYPES)
    query = query.group_by(r, c)
    return [CellCount(int(a), int(b), int(n)) for a, b, n in session.execute(query)]


def premise_type_counts(session: Session, premise_ids: list[int]) -> list[tuple[int, int, int]]:
    """(premise, type, active wishes) for the premises given, from the live counts."""
    found: list[tuple[int, int, int]] = []
    # Chunked IN lists stay under every driver's parameter limit.
    for start in range(0, len(premise_ids), 500):
        found.extend(
            (int(p), int(t), int(n))
            for p, t, n in session.execute(
                select(
                    PremiseTypeCount.premise_id,
                    PremiseTypeCount.shop_type_id,
                    PremiseTypeCount.wishes,
                ).where(PremiseTypeCount.premise_id.in_(premise_ids[start : start + 500]))
            )
        )
    return found


def snapshot(session: Session) -> tuple[set[tuple], set[tuple]]:
    """Every aggregate row (for tests and checks): (cells, premise counts)."""
    cells = {tuple(row) for row in session.execute(select(DemandCellCount.__table__))}
    premises = {tuple(row) for row in session.execute(select(PremiseTypeCount.__table__))}
    return cells, premises
