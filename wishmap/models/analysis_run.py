from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wishmap.db import Base
from wishmap.models._types import UTCDateTime, utcnow


class AnalysisRun(Base):
    """One run of the full analysis: when, with which parameters, over how much data."""

    __tablename__ = "analysis_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seconds: Mapped[float | None] = mapped_column(Float)
    # Every parameter, the reference figures and the stage timings, as JSON.
    params: Mapped[str] = mapped_column(Text, default="{}")
    wishes: Mapped[int] = mapped_column(Integer, default=0)
    premises: Mapped[int] = mapped_column(Integer, default=0)
    hotspots: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="running")

    def __repr__(self) -> str:
        return f"<AnalysisRun {self.id} {self.status}>"
