from __future__ import annotations

from sqlalchemy import CheckConstraint, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishmap.db import Base
from wishmap.models.shop_type import ShopType


class Shop(Base):
    """An existing business: the supply side that demand is weighed against."""

    __tablename__ = "shops"
    __table_args__ = (
        CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="lat_lon"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    shop_type_id: Mapped[int] = mapped_column(ForeignKey("shop_types.id"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(300))
    street_id: Mapped[int | None] = mapped_column(ForeignKey("streets.id", ondelete="SET NULL"))

    shop_type: Mapped[ShopType] = relationship(lazy="joined")
