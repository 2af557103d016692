"""The open API's premises, shop types and (for officers) vacancy facts, a page at a time.

Premises come as an RFC 7946 FeatureCollection (longitude before latitude, WGS 84) with the
page's position as foreign members; they carry no counts of wishes (the demand endpoints
publish those, protected). Vacancy facts (rent, dates) are for officers' tokens only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from wishmap.models import Premise, PremiseStatus, ShopType, Street
from wishmap.models._types import utcnow
from wishmap.services.api_params import ApiParamError, BBox, page_links
from wishmap.taxonomy import GROUPS
from wishmap.type_icons import icon_name

STATUSES = [status.value for status in PremiseStatus]
LANGUAGES = ["en", "fr", "nl"]


def _premises(session: Session, status: str | None, bbox: BBox | None, street: int | None) -> Any:
    """Return the filtered premises' select, checking that a named street exists."""
    query: Select[Any] = select(Premise)
    if status:
        query = query.where(Premise.status == status)
    if bbox is not None:
        query = query.where(
            Premise.lon.between(bbox.west, bbox.east), Premise.lat.between(bbox.south, bbox.north)
        )
    if street is not None:
        if session.get(Street, street) is None:
            raise ApiParamError("street", _("Unknown street."))
        query = query.where(Premise.street_id == street)
    return query


def _page(session: Session, query: Any, limit: int, offset: int) -> tuple[list[Premise], int]:
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(session.scalars(query.order_by(Premise.id).limit(limit).offset(offset)))
    return rows, int(total)


def premise_collection(
    session: Session,
    status: str | None,
    bbox: BBox | None,
    street: int | None,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """Return one page of premises as a GeoJSON FeatureCollection, with the page's members."""
    premises, total = _page(session, _premises(session, status, bbox, street), limit, offset)
    features = [
        {
            "type": "Feature",
            "id": premise.id,
            "geometry": {"type": "Point", "coordinates": [premise.lon, premise.lat]},
            "properties": {
                "ref": premise.ref,
                "address": premise.address,
                "street_id": premise.street_id,
                "street": premise.street_name,
                "status": premise.status,
                "surface_m2": premise.surface_m2,
            },
        }
        for premise in premises
    ]
    return {"type": "FeatureCollection", "features": features, **page_links(total, limit, offset)}


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def vacancy_page(
    session: Session, status: str | None, street: int | None, limit: int, offset: int
) -> dict[str, Any]:
    """Return one page of premises with their vacancy facts (rent, dates, days vacant)."""
    premises, total = _page(session, _premises(session, status, None, street), limit, offset)
    today = utcnow().date()
    types = {t.id: t.code for t in session.scalars(select(ShopType))}
    items = [
        {
            "id": premise.id,
            "ref": premise.ref,
            "address": premise.address,
            "street_id": premise.street_id,
            "status": premise.status,
            "surface_m2": premise.surface_m2,
            "rent_eur_month": premise.rent_eur_month,
            "vacant_since": _day(premise.vacant_since),
            "days_vacant": (
                max(0, (today - premise.vacant_since).days)
                if premise.is_vacant and premise.vacant_since
                else None
            ),
            "let_on": _day(premise.let_on),
            "opened_on": _day(premise.opened_on),
            "opened_type": types.get(premise.opened_shop_type_id or 0),
        }
        for premise in premises
    ]
    return {"items": items, **page_links(total, limit, offset)}


def shop_type_page(
    session: Session,
    language: str,
    group: str | None,
    limit: int,
    offset: int,
    icons_url: str = "",
) -> dict[str, Any]:
    """Return one page of shop types with their labels, groups in language, and icons.

    Each icon is the map's: a Maki name (CC0 SVG), and its file under icons_url, the URL of
    the icons' folder. The taxonomy's emoji were empty boxes without an emoji font.
    """
    query = select(ShopType).order_by(ShopType.code)
    if group:
        query = query.where(ShopType.group == group)
    found = list(session.scalars(query))
    items = [
        {
            "code": shop_type.code,
            "label": shop_type.label(language),
            "group": shop_type.group,
            "group_label": GROUPS.get(shop_type.group, {}).get(language) or shop_type.group,
            "icon": icon_name(shop_type.code),
            "icon_url": f"{icons_url}{icon_name(shop_type.code)}.svg",
        }
        for shop_type in found[offset : offset + limit]
    ]
    return {"language": language, "items": items, **page_links(len(found), limit, offset)}
