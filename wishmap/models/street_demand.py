from __future__ import annotations

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from wishmap.db import Base


class StreetDemand(Base):
    """Wishes for one shop type on one street, as summed by one analysis run."""

    __tablename__ = "street_demand"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("analysis_runs.id", ondelete="CASCADE"), primary_key=True
    )
    street_id: Mapped[int] = mapped_column(
        ForeignKey("streets.id", ondelete="CASCADE"), primary_key=True
    )
    shop_type_id: Mapped[int] = mapped_column(ForeignKey("shop_types.id"), primary_key=True)
    wishes: Mapped[int] = mapped_column(Integer)
    residents: Mapped[int] = mapped_column(Integer)
    # Wishes in the last 90 days before the run and in the 90 days before those.
    recent: Mapped[int] = mapped_column(Integer)
    previous: Mapped[int] = mapped_column(Integer)
