from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from wishmap.db import Base


class PremiseGap(Base):
    """Demand against supply for one shop type around one premise, from one analysis run."""

    __tablename__ = "premise_gaps"
    __table_args__ = (
        # The portfolio reads each premise's best score and ranks premises for one type: both
        # are index ranges with these (bench.portfolio: one type's count 28 ms → 2 ms).
        Index("ix_premise_gaps_run_premise_gap", "run_id", "premise_id", "gap", "shop_type_id"),
        Index("ix_premise_gaps_run_type_gap", "run_id", "shop_type_id", "gap", "premise_id"),
    )

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
