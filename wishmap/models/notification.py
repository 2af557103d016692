from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishmap.db import Base
from wishmap.models._types import UTCDateTime, enum_check, utcnow
from wishmap.models.premise import Premise, PremiseStatus
from wishmap.models.shop_type import ShopType


class Notification(Base):
    """News for one resident about a premise they wished on: it was let or opened.

    Stores facts, not text, so the page and the e-mail speak the resident's language.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        enum_check("outcome", PremiseStatus, "outcome"),
        Index("ix_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    premise_id: Mapped[int] = mapped_column(ForeignKey("premises.id", ondelete="CASCADE"))
    # "let" or "opened": what happened to the premise.
    outcome: Mapped[str] = mapped_column(String(16))
    shop_type_id: Mapped[int | None] = mapped_column(ForeignKey("shop_types.id"))
    # True when one of the resident's wishes there named the shop type that came.
    came_true: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # None until the e-mail went out; `flask send-notifications` retries those still None.
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    premise: Mapped[Premise] = relationship()
    shop_type: Mapped[ShopType | None] = relationship()

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.outcome}>"
