from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishmap.db import Base
from wishmap.models.shop_type import ShopType
from wishmap.models.street import Street


class Hotspot(Base):
    """A cluster of wishes for one shop type, as found by one analysis run.

    Only its centre and radius are kept: a hull would trace residents' own free-wish points.
    """

    __tablename__ = "hotspots"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("analysis_runs.id", ondelete="CASCADE"), index=True
    )
    shop_type_id: Mapped[int] = mapped_column(ForeignKey("shop_types.id"))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float)
    wishes: Mapped[int] = mapped_column(Integer)
    residents: Mapped[int] = mapped_column(Integer)
    street_id: Mapped[int | None] = mapped_column(ForeignKey("streets.id", ondelete="SET NULL"))

    shop_type: Mapped[ShopType] = relationship(lazy="joined")
    street: Mapped[Street | None] = relationship()
