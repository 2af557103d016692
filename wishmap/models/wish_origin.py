from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from wishmap.db import Base
from wishmap.models._types import UTCDateTime, utcnow


class WishOrigin(Base):
    """Where a wish came from, for the burst rule: a keyed hash of the address, kept 48 hours."""

    __tablename__ = "wish_origins"

    wish_id: Mapped[int] = mapped_column(
        ForeignKey("wishes.id", ondelete="CASCADE"), primary_key=True
    )
    # HMAC-SHA256 of the client address under the app's secret key: comparable, not reversible.
    network: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<WishOrigin {self.wish_id}>"
