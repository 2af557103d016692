"""A premise on a street where 40 residents wish for a bakery, with shops around it, run through
the analysis: the ground the tenant-application tests stand on."""

from __future__ import annotations

from typing import Any

import numpy as np
from factories import make_premise, make_shop, make_street, make_user, make_wish
from sqlalchemy.orm import Session

from wishmap.models import Premise, Role
from wishmap.services.analysis import run_analysis

M_LAT = 1 / 111_195
M_LON = 1 / (111_195 * np.cos(np.radians(48.88)))

FORM = {
    "business_name": "Fournil du Marché",
    "shop_type": "bakery",
    "min_surface_m2": "50",
    "max_surface_m2": "100",
    "max_rent": "2000",
    "opening_hours": "Tue–Sun 7:00–20:00",
    "pitch": "Sourdough bread baked on the spot, pastries at weekends.",
    "contact_name": "Camille Martin",
    "contact_email": "camille@example.org",
    "contact_phone": "+33 6 12 34 56 78",
}


def line(y_m: float) -> list[list[float]]:
    return [[2.38 - 600 * M_LON, 48.88 + y_m * M_LAT], [2.38 + 600 * M_LON, 48.88 + y_m * M_LAT]]


def plant(session: Session, analyse: bool = True, **premise_fields: Any) -> dict[str, Any]:
    """Return the street, the premise (managed by an owner), a second premise and the shops."""
    street = make_street(session, "Rue du Pain", line(0))
    owner = make_user(session, role=Role.OWNER)
    fields = {
        "street_id": street.id,
        "street_name": street.name,
        "lat": 48.88 + 8 * M_LAT,
        "lon": 2.38,
        "surface_m2": 70,
        "rent_eur_month": 1800,
        "manager_id": owner.id,
        **premise_fields,
    }
    premise = make_premise(session, **fields)
    other = make_premise(
        session, street_id=street.id, street_name=street.name, lat=48.88, lon=2.38 + 500 * M_LON
    )
    rng = np.random.default_rng(8)
    residents = []
    for index in range(40):
        user = make_user(session)
        residents.append(user)
        x = rng.uniform(-150, 150)
        make_wish(
            session,
            user,
            code="bakery",
            lat=48.88 + rng.normal(0, 5) * M_LAT,
            lon=2.38 + x * M_LON,
            street_id=street.id,
        )
        if index % 5 == 0:
            make_wish(session, user, premise, code="bakery")
    # A few residents want books, far fewer than bread.
    for _ in range(4):
        make_wish(
            session,
            make_user(session),
            code="books",
            lat=48.88,
            lon=2.38 + 20 * M_LON,
            street_id=street.id,
        )
    # Bakeries: the nearest one 250 m east, another 320 m west; a bookshop 60 m away.
    shops = {
        "near": make_shop(
            session, "bakery", name="Au Pain Doré", lat=48.88, lon=2.38 + 250 * M_LON
        ),
        "far": make_shop(
            session, "bakery", name="Maison Lefèvre", lat=48.88, lon=2.38 - 320 * M_LON
        ),
        "books": make_shop(
            session, "books", name="Librairie des Lilas", lat=48.88, lon=2.38 + 60 * M_LON
        ),
    }
    if analyse:
        run_analysis(session)
    return {
        "street": street,
        "owner": owner,
        "premise": premise,
        "other": other,
        "shops": shops,
        "residents": residents,
    }


def premise_of(session: Session, data: dict[str, Any]) -> Premise:
    premise = session.get(Premise, data["premise"].id)
    assert premise is not None
    return premise
