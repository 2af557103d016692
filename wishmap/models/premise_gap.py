from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from wishmap.db import Base


class PremiseGap(Base):
    """Demand against supply for one shop type around one premise, from one analysis run."""

    __tablename__ = "premise_gaps"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("analysis_runs.id", ondelete="CASCADE"), primary_key=True
    )
    premise_id: Mapped[int] = mapped_column(
        ForeignKey("premises.id", ondelete="CASCADE"), primary_key=True
    )
    shop_type_id: Mapped[int] = mapped_column(ForeignKey("shop_types.id"), primary_key=True)
    gap: Mapped[float] = mapped_column(Float)  # 0–100: rises with demand, falls with supply
    demand: Mapped[float] = mapped_column(Float)  # distance-weighted distinct residents
    wishes: Mapped[int] = mapped_column(Integer)
    residents: Mapped[int] = mapped_column(Integer)
    competitors: Mapped[int] = mapped_column(Integer)
    nearest_competitor_m: Mapped[float | None] = mapped_column(Float)  # None: none in range
    # Distinct residents within 100, 200, 300 and 400 m.
    within_100: Mapped[int] = mapped_column(Integer)
    within_200: Mapped[int] = mapped_column(Integer)
    within_300: Mapped[int] = mapped_column(Integer)
    within_400: Mapped[int] = mapped_column(Integer)
