from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishmap.db import Base
from wishmap.models._types import UTCDateTime, enum_check, utcnow
from wishmap.models.premise import Premise
from wishmap.models.shop_type import ShopType
from wishmap.models.user import User


class WishStatus(enum.StrEnum):
    """Only ACTIVE wishes count anywhere (maps, reports, statistics, analysis)."""

    ACTIVE = "active"
    PENDING = "pending"  # its resident has not verified their e-mail address yet
    HELD = "held"  # held for review by the anti-ballot-stuffing rule until an admin releases it
    WITHDRAWN = "withdrawn"
    HIDDEN = "hidden"  # hidden by a moderator


# A voice is taken while a wish may still count: the one-voice rule spans these states.
VOICE_STATUSES = (WishStatus.ACTIVE, WishStatus.PENDING, WishStatus.HELD)
_VOICE_SQL = "status IN ('active', 'pending', 'held')"


class WishFrequency(enum.StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    OCCASIONALLY = "occasionally"


class Wish(Base):
    """One resident's wish for a shop type, on a premise or at a free point."""

    __tablename__ = "wishes"
    __table_args__ = (
        enum_check("status", WishStatus, "status"),
        enum_check("frequency", WishFrequency, "frequency"),
        # A free wish needs its point; a premise wish copies the premise's point for analysis.
        CheckConstraint("lat IS NOT NULL AND lon IS NOT NULL", name="has_point"),
        CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="lat_lon"),
        # One person, one voice: one live wish per resident, premise and shop type.
        Index(
            "uq_wishes_one_active_voice",
            "user_id",
            "premise_id",
            "shop_type_id",
            unique=True,
            sqlite_where=text(_VOICE_SQL),
            postgresql_where=text(_VOICE_SQL),
        ),
        Index("ix_wishes_premise_type", "premise_id", "shop_type_id"),
        Index("ix_wishes_street_type", "street_id", "shop_type_id"),
        # The public map counts active wishes per premise and per grid cell of the view; these
        # covering indexes let both counts read the index alone (100,000 wishes in ~0.1 s).
        Index("ix_wishes_status_lat_lon", "status", "lat", "lon", "shop_type_id"),
        Index("ix_wishes_premise_status_type", "premise_id", "status", "shop_type_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    shop_type_id: Mapped[int] = mapped_column(ForeignKey("shop_types.id"))
    premise_id: Mapped[int | None] = mapped_column(ForeignKey("premises.id", ondelete="CASCADE"))
    street_id: Mapped[int | None] = mapped_column(ForeignKey("streets.id", ondelete="SET NULL"))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(String(500))
    frequency: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=WishStatus.ACTIVE.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    user: Mapped[User | None] = relationship()
    shop_type: Mapped[ShopType] = relationship()
    premise: Mapped[Premise | None] = relationship()

    @property
    def is_free(self) -> bool:
        return self.premise_id is None

    def __repr__(self) -> str:
        return f"<Wish {self.id} {self.status}>"
