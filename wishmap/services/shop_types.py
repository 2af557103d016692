"""The shop-type taxonomy in the database: seeding from wishmap.taxonomy and lookups."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from wishmap.models import ShopType
from wishmap.taxonomy import SHOP_TYPES


def seed_shop_types(session: Session) -> int:
    """Create or update every taxonomy entry; return how many were created. Does not commit."""
    existing = {shop_type.code: shop_type for shop_type in session.scalars(select(ShopType))}
    created = 0
    for spec in SHOP_TYPES:
        row = existing.get(spec.code)
        if row is None:
            row = ShopType(code=spec.code)
            session.add(row)
            created += 1
        row.osm_tag, row.group, row.icon = spec.osm, spec.group, spec.icon
        row.label_en, row.label_fr, row.label_nl = spec.en, spec.fr, spec.nl
    session.flush()
    return created


def ids_by_code(session: Session) -> dict[str, int]:
    """Return shop-type ids by code, seeding the taxonomy first if the table is empty."""
    rows = dict(session.execute(select(ShopType.code, ShopType.id)).all())
    if not rows:
        seed_shop_types(session)
        rows = dict(session.execute(select(ShopType.code, ShopType.id)).all())
    return rows


def list_shop_types(session: Session) -> list[ShopType]:
    """Return every shop type ordered by group and code."""
    return list(session.scalars(select(ShopType).order_by(ShopType.group, ShopType.code)))


def shop_type_by_code(session: Session, code: str | None) -> ShopType | None:
    """Return the shop type with this code, or None."""
    if not code:
        return None
    return session.scalar(select(ShopType).where(ShopType.code == code))


# Asked by every wish: built once, and only the id is read (no ORM object).
_ID_BY_CODE = select(ShopType.id).where(ShopType.code == bindparam("code"))


def shop_type_id_by_code(session: Session, code: str | None) -> int | None:
    """Return the id of the shop type with this code, or None."""
    if not code:
        return None
    return session.connection().execute(_ID_BY_CODE, {"code": code}).scalar()
