"""Premises: importing them and reading them for the map."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap.models import Premise, ShopType, Street, User, Wish, WishStatus
from wishmap.services.importing import (
    ImportReport,
    ProgressFn,
    Record,
    RowOutcome,
    check_rows,
    first,
    upsert_by_ref,
)
from wishmap.services.streets import cached_street_locator
from wishmap.taxonomy import normalise

STATUS_ALIASES = {
    "vide": "vacant",
    "vacant": "vacant",
    "leeg": "vacant",
    "leegstand": "vacant",
    "let": "let",
    "loue": "let",
    "verhuurd": "let",
    "opened": "opened",
    "ouvert": "opened",
    "open": "opened",
    "geopend": "opened",
}


def _float(value: Any) -> float:
    """Return value as a float, accepting decimal commas and thin-space thousands ("1 250,5")."""
    if isinstance(value, int | float):
        return float(value)
    return float(str(value).replace(",", ".").replace(" ", "").replace("\u202f", ""))


def _number(value: Any, what: str, *, positive: bool = False) -> tuple[float | None, str]:
    if value in (None, ""):
        return None, ""
    try:
        number = _float(value)
    except ValueError:
        return None, f"{what} {value!r} is not a number"
    if not math.isfinite(number):
        return None, f"{what} {value!r} is not a finite number"
    if positive and number <= 0:
        return None, f"{what} must be greater than 0, got {value!r}"
    if number < 0:
        return None, f"{what} must not be negative, got {value!r}"
    return number, ""


def _date(value: Any, what: str) -> tuple[date | None, str]:
    if value in (None, ""):
        return None, ""
    try:
        return date.fromisoformat(str(value)[:10]), ""
    except ValueError:
        return None, f"{what} {value!r} is not a date (YYYY-MM-DD)"


def _point(record: Record) -> tuple[tuple[float, float] | None, str]:
    if record.geometry is not None:
        if record.geometry["type"] != "Point":
            return None, f"geometry is a {record.geometry['type']}, expected a Point"
        lon, lat = record.geometry["coordinates"][:2]
    else:
        raw_lat = first(record.props, "lat", "latitude", "y")
        raw_lon = first(record.props, "lon", "lng", "longitude", "x")
        if raw_lat is None or raw_lon is None:
            return None, "has no position (lat/lon columns or a Point geometry)"
        try:
            lat, lon = _float(raw_lat), _float(raw_lon)
        except ValueError:
            return None, f"position {raw_lat!r}, {raw_lon!r} is not a pair of numbers"
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, f"position {lat}, {lon} is not a WGS84 latitude/longitude"
    return (lat, lon), ""


def _premise_row(record: Record, managers: dict[str, int]) -> RowOutcome:
    problems: list[str] = []
    props = record.props
    ref = first(props, "ref", "id", "reference", "external_id", "identifiant")
    if ref is None:
        problems.append("has no ref/id")
    address = first(props, "address", "adresse", "adres")
    if not address:
        problems.append("has no address")
    point, error = _point(record)
    if error:
        problems.append(error)
    surface, error = _number(
        first(props, "surface_m2", "surface", "oppervlakte_m2", "m2"), "surface", positive=True
    )
    if error:
        problems.append(error)
    rent, error = _number(first(props, "rent_eur_month", "rent", "loyer", "huur"), "rent")
    if error:
        problems.append(error)
    raw_status = str(first(props, "status", "statut") or "vacant").strip().lower()
    status = STATUS_ALIASES.get(raw_status)
    if status is None:
        problems.append(f"status {raw_status!r} is not one of vacant, let, opened")
    vacant_since, error = _date(first(props, "vacant_since", "vacant_depuis"), "vacant_since")
    if error:
        problems.append(error)
    manager_email = first(props, "manager", "manager_email", "gestionnaire")
    manager_id = None
    if manager_email:
        manager_id = managers.get(str(manager_email).strip().lower())
        if manager_id is None:
            problems.append(f"manager {manager_email!r} has no account")
    if problems:
        return "; ".join(problems)
    street_name = first(props, "street", "street_name", "rue", "voie", "straat")
    if not street_name:
        # "12 Rue de Crimée" → "Rue de Crimée": house numbers lead in French and Dutch alike.
        street_name = str(address).lstrip("0123456789 ,-bisterBISTER").strip() or str(address)
    return {
        "ref": str(ref),
        "address": str(address).strip(),
        "street_name": str(street_name).strip(),
        "lat": point[0],
        "lon": point[1],
        "surface_m2": surface,
        "rent_eur_month": round(rent) if rent is not None else None,
        "status": status,
        "vacant_since": vacant_since,
        "manager_id": manager_id,
    }


def import_premises(
    session: Session, records: list[Record], progress: ProgressFn | None = None, source: str = ""
) -> ImportReport:
    """Create or update premises by their ref, linking each to its street; all or nothing."""
    managers = {
        email.lower(): user_id for email, user_id in session.execute(select(User.email, User.id))
    }
    report = ImportReport()
    rows = check_rows(
        records, lambda record: _premise_row(record, managers), report, progress, source
    )
    locator = cached_street_locator(session)
    for fields in rows:
        fields["street_id"] = locator.locate(fields["lat"], fields["lon"], fields["street_name"])
    upsert_by_ref(session, Premise, rows, report)
    session.commit()
    return report


def premises_with_demand(
    session: Session, status: str | None = None, search: str = ""
) -> list[tuple[Premise, int]]:
    """Return premises (optionally of one status, or matching an address search) with wish counts.

    The search ignores accents and case, so "crimee" finds "Rue de Crimée".
    """
    counts = (
        select(Wish.premise_id, func.count().label("wishes"))
        .where(Wish.status == WishStatus.ACTIVE.value, Wish.premise_id.is_not(None))
        .group_by(Wish.premise_id)
        .subquery()
    )
    query = (
        select(Premise, func.coalesce(counts.c.wishes, 0))
        .outerjoin(counts, counts.c.premise_id == Premise.id)
        .order_by(Premise.street_name, Premise.address)
    )
    if status:
        query = query.where(Premise.status == status)
    rows = [(premise, int(wishes)) for premise, wishes in session.execute(query)]
    if search:
        needle = normalise(search)
        rows = [row for row in rows if needle in normalise(row[0].address)]
    return rows


@dataclass
class Reason:
    name: str
    shop_type: ShopType
    text: str
    wish_id: int  # so that a reader can report the text to the moderators


@dataclass
class PremiseDemand:
    """What residents wish for one premise: counts per shop type, most wished first."""

    premise: Premise
    total: int = 0
    types: list[tuple[ShopType, int]] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)


def premise_demand(session: Session, premise_id: int, reasons: int = 3) -> PremiseDemand | None:
    """Return a premise with its active wishes counted per type and its latest reasons."""
    premise = session.get(Premise, premise_id)
    if premise is None:
        return None
    active = (Wish.premise_id == premise_id, Wish.status == WishStatus.ACTIVE.value)
    counts = session.execute(
        select(ShopType, func.count(Wish.id).label("n"))
        .join(Wish, Wish.shop_type_id == ShopType.id)
        .where(*active)
        .group_by(ShopType.id)
        .order_by(func.count(Wish.id).desc(), ShopType.code)
    ).all()
    latest = session.execute(
        select(User.display_name, ShopType, Wish.reason, Wish.id)
        .join(User, User.id == Wish.user_id)
        .join(ShopType, ShopType.id == Wish.shop_type_id)
        .where(*active, Wish.reason.is_not(None), Wish.reason != "")
        .order_by(Wish.created_at.desc(), Wish.id.desc())
        .limit(reasons)
    ).all()
    return PremiseDemand(
        premise=premise,
        total=sum(int(count) for _type, count in counts),
        types=[(shop_type, int(count)) for shop_type, count in counts],
        reasons=[Reason(*row) for row in latest],
    )


@dataclass(frozen=True)
class Place:
    label: str
    lat: float
    lon: float
    premise_id: int | None = None


def find_places(session: Session, query: str, limit: int = 8) -> list[Place]:
    """Return streets and premises of the district whose name or address matches, streets first.

    Accents and case are ignored. The district has hundreds of rows, not millions, so matching
    happens in Python where normalise() is the same on SQLite and PostgreSQL.
    """
    needle = normalise(query)
    if len(needle) < 2:
        return []
    places: list[Place] = []
    for street in session.execute(
        select(Street.name, Street.min_lat, Street.min_lon, Street.max_lat, Street.max_lon)
    ):
        if needle in normalise(street.name):
            lat = (street.min_lat + street.max_lat) / 2
            lon = (street.min_lon + street.max_lon) / 2
            places.append(Place(street.name, lat, lon))
    premises = session.execute(
        select(Premise.id, Premise.address, Premise.lat, Premise.lon).where(
            Premise.status == "vacant"
        )
    )
    for premise in premises:
        if needle in normalise(premise.address):
            places.append(Place(premise.address, premise.lat, premise.lon, premise.id))
    return places[:limit]
