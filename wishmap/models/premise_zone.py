from __future__ import annotations

from sqlalchemy import Float, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from wishmap.db import Base


class PremiseZone(Base):
    """A premise lies on a zoning area: written when zoning or premises are imported.

    Stored rather than computed per request, so that the forbidden uses of 5,000 premises are
    one indexed query, not 5,000 geometry tests.
    """

    __tablename__ = "premise_zones"

    premise_id: Mapped[int] = mapped_column(
        ForeignKey("premises.id", ondelete="CASCADE"), primary_key=True
    )
    zoning_area_id: Mapped[int] = mapped_column(
        ForeignKey("zoning_areas.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    distance_m: Mapped[float] = mapped_column(Float)
