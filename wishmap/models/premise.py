from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishmap.db import Base
from wishmap.models._types import UTCDateTime, enum_check, utcnow
from wishmap.models.shop_type import ShopType
from wishmap.models.street import Street
from wishmap.models.user import User


class PremiseStatus(enum.StrEnum):
    VACANT = "vacant"
    LET = "let"
    OPENED = "opened"


class Premise(Base):
    """A shop premise; residents wish on the vacant ones."""

    __tablename__ = "premises"
    __table_args__ = (
        enum_check("status", PremiseStatus, "status"),
        CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="lat_lon"),
        CheckConstraint("surface_m2 IS NULL OR surface_m2 > 0", name="surface_positive"),
        CheckConstraint("rent_eur_month IS NULL OR rent_eur_month >= 0", name="rent_not_negative"),
        # The map's premises in view: vacant ones within a box, read from the index alone.
        Index("ix_premises_status_lat_lon", "status", "lat", "lon"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[str] = mapped_column(String(300))
    street_name: Mapped[str] = mapped_column(String(200))
    street_id: Mapped[int | None] = mapped_column(
        ForeignKey("streets.id", ondelete="SET NULL"), index=True
    )
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    surface_m2: Mapped[float | None] = mapped_column(Float)
    rent_eur_month: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=PremiseStatus.VACANT.value, index=True)
    vacant_since: Mapped[date | None] = mapped_column(Date)
    let_on: Mapped[date | None] = mapped_column(Date)
    opened_on: Mapped[date | None] = mapped_column(Date)
    opened_shop_type_id: Mapped[int | None] = mapped_column(ForeignKey("shop_types.id"))
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    street: Mapped[Street | None] = relationship()
    manager: Mapped[User | None] = relationship()
    opened_shop_type: Mapped[ShopType | None] = relationship()

    @property
    def is_vacant(self) -> bool:
        return self.status == PremiseStatus.VACANT

    def __repr__(self) -> str:
        return f"<Premise {self.ref} {self.status}>"
