"""Where the city's data lies: the map opens on it, so a city needs no WISHMAP_MAP_CENTER."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap.models import Premise, Street
from wishmap.services.caching import cached_per_database

# With no data at all the map shows the world, zoomed out: there is nothing to centre on yet.
WORLD_CENTER = (20.0, 0.0)
WORLD_ZOOM = 2
# A district of a few premises, or of one, must not open at the tiles' last zoom level.
MAX_FIT_ZOOM = 17


@dataclass(frozen=True)
class Extent:
    """A bounding box in degrees."""

    south: float
    west: float
    north: float
    east: float

    @property
    def center(self) -> tuple[float, float]:
        return (self.south + self.north) / 2, (self.west + self.east) / 2

    def corners(self) -> list[list[float]]:
        """Return [[south, west], [north, east]], as Leaflet's fitBounds takes them."""
        return [[self.south, self.west], [self.north, self.east]]


def _newest_rows(session: Session) -> Any:
    # Two primary-key lookups: an import adds rows (a new highest id), and a database emptied
    # and filled again reuses ids but not places. 0.9 ms where the extent itself takes 45 ms
    # over 50,000 premises on SQLite (min/max of unindexed columns scan the table).
    premise = session.execute(
        select(Premise.id, Premise.lat, Premise.lon).order_by(Premise.id.desc()).limit(1)
    ).first()
    street = session.execute(
        select(Street.id, Street.min_lat, Street.min_lon).order_by(Street.id.desc()).limit(1)
    ).first()
    return tuple(premise or ()), tuple(street or ())


def data_extent(session: Session) -> Extent | None:
    """Return the bounds of the premises, else of the streets, else None (an empty database).

    Kept per process and database, computed again once premises or streets were added or
    replaced, from this process or another (a CLI import beside the running server).
    """
    return cached_per_database(session, "extent", _newest_rows, _compute_extent)


def _compute_extent(session: Session) -> Extent | None:
    south, west, north, east = session.execute(
        select(
            func.min(Premise.lat),
            func.min(Premise.lon),
            func.max(Premise.lat),
            func.max(Premise.lon),
        )
    ).one()
    if south is None:
        south, west, north, east = session.execute(
            select(
                func.min(Street.min_lat),
                func.min(Street.min_lon),
                func.max(Street.max_lat),
                func.max(Street.max_lon),
            )
        ).one()
    if south is None:
        return None
    return Extent(float(south), float(west), float(north), float(east))


def grid_latitude(session: Session, configured_center: tuple[float, ...]) -> float:
    """Return the latitude that fixes the public demand grid's cell width.

    The configured centre's, or else the data's rounded to a whole degree: the grid must not
    move with every import (two overlapping grids would narrow down where a single free wish
    stands), and a degree is well within the margin the grid allows (services/demand.py).
    """
    if configured_center:
        return configured_center[0]
    extent = data_extent(session)
    return float(round(extent.center[0])) if extent else WORLD_CENTER[0]
