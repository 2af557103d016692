"""A small planted district for portfolio tests: who manages what, and where residents wish.

Three parallel east-west streets 600 m apart around 48.88 N 2.38 E. Forty residents wish for a
bakery within 60 m of "bread" (12 Rue du Pain); fifteen wish for a bookshop near "north";
ten for a café near "south". An agency manages five premises, an owner one, nobody the last.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from factories import make_premise, make_street, make_user, make_wish
from sqlalchemy.orm import Session

from wishmap.services.analysis import run_analysis

M_LAT = 1 / 111_195
M_LON = 1 / (111_195 * np.cos(np.radians(48.88)))
TODAY = date(2026, 11, 1)


def line(y_m: float) -> list[list[float]]:
    return [[2.38 - 600 * M_LON, 48.88 + y_m * M_LAT], [2.38 + 600 * M_LON, 48.88 + y_m * M_LAT]]


def point(x_m: float, y_m: float) -> dict[str, float]:
    return {"lat": 48.88 + y_m * M_LAT, "lon": 2.38 + x_m * M_LON}


def plant(session: Session, analyse: bool = True) -> dict:
    """Create the district (and run the analysis unless told not to); return its objects."""
    agency = make_user(session, role="agency")
    owner = make_user(session, role="owner")
    streets = {
        name: make_street(session, name, line(y))
        for name, y in (("Rue Nord", 600), ("Rue du Pain", 0), ("Rue Sud", -600))
    }
    spec = {
        # key: (address, street, x, y, manager, vacant since, status)
        "bread": ("12 Rue du Pain", "Rue du Pain", 0, 8, agency, date(2026, 9, 1), "vacant"),
        "pain2": ("30 Rue du Pain", "Rue du Pain", 250, 8, agency, date(2026, 3, 1), "vacant"),
        "north": ("10 Rue Nord", "Rue Nord", 0, 608, agency, date(2025, 11, 1), "vacant"),
        "north2": ("2 Rue Nord", "Rue Nord", -200, 608, agency, date(2026, 5, 1), "vacant"),
        "south": ("4 Rue Sud", "Rue Sud", 200, -592, agency, None, "let"),
        "owned": ("7 Rue Sud", "Rue Sud", -200, -592, owner, date(2026, 1, 1), "vacant"),
        "nobody": ("9 Rue du Pain", "Rue du Pain", 400, 8, None, date(2026, 1, 1), "vacant"),
    }
    premises = {}
    for key, (address, street, x, y, manager, since, status) in spec.items():
        premises[key] = make_premise(
            session,
            address=address,
            street_name=street,
            street_id=streets[street].id,
            manager_id=manager.id if manager else None,
            vacant_since=since,
            status=status,
            let_on=date(2026, 10, 1) if status == "let" else None,
            **point(x, y),
        )
    rng = np.random.default_rng(8)
    for code, (cx, cy), residents, spread in (
        ("bakery", (0, 0), 40, 40),
        ("books", (0, 600), 15, 60),
        ("cafe", (200, -600), 10, 60),
    ):
        for _ in range(residents):
            make_wish(
                session,
                make_user(session),
                code=code,
                **point(cx + rng.uniform(-spread, spread), cy + rng.normal(0, 5)),
            )
    if analyse:
        run_analysis(session, premise_statuses=("vacant", "let"))
    return {"agency": agency, "owner": owner, "streets": streets, "premises": premises}
