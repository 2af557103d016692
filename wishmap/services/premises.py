"""Premises: reading them for the map (importing lives in services/imports/premises.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap.models import Premise, ShopType, Street, User, Wish, WishStatus

# The importer has its own module (addresses, statuses, streets); callers import it from here.
from wishmap.services.imports.premises import import_premises as import_premises
from wishmap.taxonomy import normalise


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


# Premises per page of the public list: a few streets' worth, quick to read out and to send.
PAGE_SIZE = 100


@dataclass
class PremisePage:
    """One page of the vacant-premises list: rows (premise, active wishes) and where it sits."""

    rows: list[tuple[Premise, int]]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first(self) -> int:
        """Position (from 1) of the page's first row in the whole list; 0 when empty."""
        return (self.page - 1) * self.page_size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def premises_page(
    session: Session,
    status: str = "vacant",
    search: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> PremisePage:
    """Return one page of premises of a status, by street then address, with active wish counts.

    Without a search the database counts and cuts the page. A search ignores accents and case
    like premises_with_demand; it matches addresses in Python (normalise() is the same on both
    databases) over ids and addresses only, and loads whole rows for the page alone.
    """
    order = (Premise.street_name, Premise.address, Premise.id)
    offset = (page - 1) * page_size
    if search:
        needle = normalise(search)
        matches = [
            premise_id
            for premise_id, address in session.execute(
                select(Premise.id, Premise.address).where(Premise.status == status).order_by(*order)
            )
            if needle in normalise(address)
        ]
        total = len(matches)
        ids = matches[offset : offset + page_size]
    else:
        total = (
            session.scalar(
                select(func.count()).select_from(Premise).where(Premise.status == status)
            )
            or 0
        )
        ids = list(
            session.scalars(
                select(Premise.id)
                .where(Premise.status == status)
                .order_by(*order)
                .offset(offset)
                .limit(page_size)
            )
        )
    rows: list[tuple[Premise, int]] = []
    if ids:
        counts = dict(
            session.execute(
                select(Wish.premise_id, func.count())
                .where(Wish.status == WishStatus.ACTIVE.value, Wish.premise_id.in_(ids))
                .group_by(Wish.premise_id)
            ).all()
        )
        premises = {p.id: p for p in session.scalars(select(Premise).where(Premise.id.in_(ids)))}
        rows = [(premises[i], int(counts.get(i, 0))) for i in ids]
    return PremisePage(rows=rows, total=total, page=page, page_size=page_size)


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
