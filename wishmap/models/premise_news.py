from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishmap.db import Base
from wishmap.models._types import UTCDateTime, enum_check, utcnow
from wishmap.models.premise import Premise
from wishmap.models.shop_type import ShopType


class PremiseNewsKind(enum.StrEnum):
    LET = "let"
    OPENED = "opened"
    REPORT = "report"  # the premise's most wished types changed at an analysis run


class PremiseNews(Base):
    """Something that happened to a premise, dated: what followers are e-mailed and what a
    resident's page shows beside each wish. Facts, not text, so each reader gets their language.
    """

    __tablename__ = "premise_news"
    __table_args__ = (
        enum_check("kind", PremiseNewsKind, "kind"),
        Index("ix_premise_news_premise_id", "premise_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    premise_id: Mapped[int] = mapped_column(ForeignKey("premises.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    happened_on: Mapped[date] = mapped_column(Date)
    # let / opened: the shop type it went to, when known.
    shop_type_id: Mapped[int | None] = mapped_column(ForeignKey("shop_types.id"))
    # report: the most wished types' codes, comma-separated, first the most wished; the next
    # run compares its own with the newest of these.
    top_types: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    premise: Mapped[Premise] = relationship()
    shop_type: Mapped[ShopType | None] = relationship()

    @property
    def type_codes(self) -> list[str]:
        """Return the report's top type codes, most wished first."""
        return [code for code in (self.top_types or "").split(",") if code]

    def __repr__(self) -> str:
        return f"<PremiseNews {self.id} {self.kind} premise={self.premise_id}>"
