"""Planted data for the statistics tests: two streets, two districts, known residents."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from factories import make_street, make_user, make_wish
from sqlalchemy.orm import Session

from wishmap.models import Street, User
from wishmap.services.districts import import_districts
from wishmap.services.importing import Record

# Street A runs along 48.880 in the west square, street B along 48.890 in the east square.
A_LINE = [[2.3700, 48.8800], [2.3750, 48.8800]]
B_LINE = [[2.3850, 48.8900], [2.3900, 48.8900]]
MARCH = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
REASON = "Il manque vraiment une boulangerie ici, signé Zébulon"


def square(west: float, south: float, east: float, north: float) -> dict:
    """Return a GeoJSON Polygon of a lon/lat rectangle."""
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def district_records() -> list[Record]:
    """Return two districts: West (around street A) and East (around street B)."""
    return [
        Record("feature 1", {"ref": "W", "name": "West"}, square(2.36, 48.87, 2.38, 48.895)),
        Record("feature 2", {"ref": "E", "name": "East"}, square(2.38, 48.87, 2.40, 48.895)),
    ]


@dataclass
class Planted:
    a: Street
    b: Street
    residents: list[User] = field(default_factory=list)


def plant(session: Session, districts: bool = True) -> Planted:
    """5 residents wish for a bakery on street A in March, 2 on street B: B is suppressed."""
    a = make_street(session, name="Rue Alpha", coordinates=A_LINE)
    b = make_street(session, name="Rue Bravo", coordinates=B_LINE)
    planted = Planted(a, b)
    for index in range(7):
        user = make_user(
            session, email=f"secret.person{index}@example.org", display_name=f"Zébulon {index}"
        )
        planted.residents.append(user)
        street = a if index < 5 else b
        lon, lat = json.loads(street.geometry)["coordinates"][0]
        make_wish(
            session,
            user=user,
            lat=lat + 0.0001 * index,
            lon=lon + 0.0003,
            street_id=street.id,
            created_at=MARCH,
            reason=REASON,
        )
    if districts:
        import_districts(session, district_records(), level="quartier")
    return planted
