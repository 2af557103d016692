from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishmap.db import Base
from wishmap.models._types import UTCDateTime, enum_check, utcnow
from wishmap.models.application import Application, ApplicationStatus


class Candidacy(Base):
    """A manager's decision on one application for one premise (shortlisted, rejected, accepted).

    Kept per premise because an application for a street or district stands for every vacant
    premise there: one landlord turning it down leaves it open to the others.
    """

    __tablename__ = "candidacies"
    __table_args__ = (enum_check("status", ApplicationStatus, "status"),)

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    premise_id: Mapped[int] = mapped_column(
        ForeignKey("premises.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    application: Mapped[Application] = relationship()

    def __repr__(self) -> str:
        return f"<Candidacy {self.application_id}@{self.premise_id} {self.status}>"
