"""Plain factory functions: make_user(session, role="owner"), make_premise(...), make_wish(...)."""

from __future__ import annotations

import itertools
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wishmap.geo import bounds, line_length_m
from wishmap.models import Premise, Role, Shop, ShopType, Street, User, Wish
from wishmap.models._types import utcnow
from wishmap.services.shop_types import seed_shop_types

_counter = itertools.count(1)


def shop_type(session: Session, code: str = "bakery") -> ShopType:
    """Return the shop type with this code, seeding the taxonomy if needed."""
    found = session.scalar(select(ShopType).where(ShopType.code == code))
    if found is None:
        seed_shop_types(session)
        session.commit()
        found = session.scalar(select(ShopType).where(ShopType.code == code))
    assert found is not None, f"no shop type {code}"
    return found


def make_user(session: Session, role: Role | str = Role.RESIDENT, **fields: Any) -> User:
    number = next(_counter)
    values = {
        "email_verified_at": utcnow(),
        "email": f"user{number}@example.org",
        "display_name": f"User {number}",
        "password_hash": None,
        "role": Role(role).value,
        **fields,
    }
    user = User(**values)
    session.add(user)
    session.commit()
    return user


def make_street(
    session: Session,
    name: str = "Rue de Test",
    coordinates: list[list[float]] | None = None,
    **fields: Any,
) -> Street:
    geometry = {
        "type": "LineString",
        "coordinates": coordinates or [[2.3800, 48.8800], [2.3900, 48.8800]],
    }
    min_lat, min_lon, max_lat, max_lon = bounds(geometry)
    street = Street(
        ref=f"street-{next(_counter)}",
        name=name,
        geometry=json.dumps(geometry),
        length_m=line_length_m(geometry),
        min_lat=min_lat,
        min_lon=min_lon,
        max_lat=max_lat,
        max_lon=max_lon,
    )
    for key, value in fields.items():
        setattr(street, key, value)
    session.add(street)
    session.commit()
    return street


def make_premise(session: Session, **fields: Any) -> Premise:
    number = next(_counter)
    values = {
        "ref": f"P-{number}",
        "address": f"{number} Rue de Test",
        "street_name": "Rue de Test",
        "lat": 48.8801,
        "lon": 2.3850,
        "surface_m2": 60.0,
        "rent_eur_month": 1500,
        "status": "vacant",
        **fields,
    }
    premise = Premise(**values)
    session.add(premise)
    session.commit()
    return premise


def make_shop(session: Session, code: str = "bakery", **fields: Any) -> Shop:
    values = {
        "ref": f"node/{next(_counter)}",
        "name": "Shop",
        "lat": 48.8801,
        "lon": 2.3850,
        "shop_type_id": shop_type(session, code).id,
        **fields,
    }
    shop = Shop(**values)
    session.add(shop)
    session.commit()
    return shop


def make_wish(
    session: Session,
    user: User | None = None,
    premise: Premise | None = None,
    code: str = "bakery",
    **fields: Any,
) -> Wish:
    user = user or make_user(session)
    values: dict[str, Any] = {"user_id": user.id, "shop_type_id": shop_type(session, code).id}
    if premise is not None:
        values.update(
            premise_id=premise.id, lat=premise.lat, lon=premise.lon, street_id=premise.street_id
        )
    else:
        values.update(lat=48.8805, lon=2.3850)
    values.update(fields)
    wish = Wish(**values)
    session.add(wish)
    session.commit()
    return wish
