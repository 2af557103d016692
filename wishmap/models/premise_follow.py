from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishmap.db import Base
from wishmap.models._types import UTCDateTime, utcnow
from wishmap.models.premise import Premise


class PremiseFollow(Base):
    """A resident follows a premise: they hear by e-mail when it is let or its report changes.

    `scope` names the campaign the follow belongs to; "" is the whole site, the one campaign
    there is today, so a per-campaign follow later is a value here, not a new table.
    """

    __tablename__ = "premise_follows"
    __table_args__ = (
        UniqueConstraint("user_id", "premise_id", "scope", name="uq_premise_follows_user_id"),
        # Followers of a premise are read each time it has news.
        Index("ix_premise_follows_premise_id", "premise_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    premise_id: Mapped[int] = mapped_column(ForeignKey("premises.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The newest premise_news id this follower has been e-mailed (or that predates the follow):
    # news above it is still to send, so a mail server that is down only delays it.
    told_news_id: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    premise: Mapped[Premise] = relationship()

    def __repr__(self) -> str:
        return f"<PremiseFollow user={self.user_id} premise={self.premise_id}>"
