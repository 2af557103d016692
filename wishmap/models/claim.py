from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishmap.db import Base
from wishmap.models._types import UTCDateTime, enum_check, utcnow
from wishmap.models.premise import Premise
from wishmap.models.user import User


class ClaimStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Claim(Base):
    """An owner's or agency's request to manage a premise; an admin or its agency decides."""

    __tablename__ = "claims"
    __table_args__ = (
        enum_check("status", ClaimStatus, "status"),
        # One open request per claimant and premise.
        Index(
            "uq_claims_one_pending",
            "premise_id",
            "claimant_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    premise_id: Mapped[int] = mapped_column(
        ForeignKey("premises.id", ondelete="CASCADE"), index=True
    )
    claimant_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ClaimStatus.PENDING.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    premise: Mapped[Premise] = relationship()
    claimant: Mapped[User] = relationship(foreign_keys=[claimant_id])

    def __repr__(self) -> str:
        return f"<Claim {self.id} {self.status}>"
