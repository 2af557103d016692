from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishmap.db import Base
from wishmap.models._types import UTCDateTime, enum_check, utcnow
from wishmap.models.wish import Wish


class ReportStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"  # a moderator acted on the wish (hid it)
    DISMISSED = "dismissed"  # a moderator found nothing wrong


class Report(Base):
    """A resident's report that a wish's reason text is abusive, waiting in the moderation queue."""

    __tablename__ = "reports"
    __table_args__ = (enum_check("status", ReportStatus, "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wish_id: Mapped[int] = mapped_column(ForeignKey("wishes.id", ondelete="CASCADE"), index=True)
    # A reporter who deletes their account takes their reports with them.
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.OPEN.value, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    wish: Mapped[Wish] = relationship()

    def __repr__(self) -> str:
        return f"<Report {self.id} {self.status}>"
