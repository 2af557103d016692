from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishmap.db import Base
from wishmap.models._types import UTCDateTime, enum_check, utcnow
from wishmap.models.district import District
from wishmap.models.premise import Premise
from wishmap.models.shop_type import ShopType
from wishmap.models.street import Street

PITCH_MAX = 1000


class ApplicationStatus(enum.StrEnum):
    UNVERIFIED = "unverified"  # saved, e-mail address not confirmed yet: nobody sees it
    SUBMITTED = "submitted"
    SHORTLISTED = "shortlisted"
    REJECTED = "rejected"
    ACCEPTED = "accepted"  # a premise was let to this candidate
    WITHDRAWN = "withdrawn"


class Application(Base):
    """An entrepreneur's application to open a shop: for one premise, or a street or district.

    An application for a street or district is a candidate for every vacant premise there;
    the decisions on it, premise by premise, are Candidacy rows. No account is needed: the
    contact address is confirmed by an e-mailed link whose SHA-256 digest alone is kept; the
    same link later withdraws the application.
    """

    __tablename__ = "applications"
    __table_args__ = (
        enum_check("status", ApplicationStatus, "status"),
        CheckConstraint(
            "(CASE WHEN premise_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN street_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN district_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
        CheckConstraint(
            "min_surface_m2 > 0 AND min_surface_m2 <= max_surface_m2", name="surface_range"
        ),
        CheckConstraint("max_rent >= 0", name="rent_not_negative"),
        CheckConstraint(f"length(pitch) <= {PITCH_MAX}", name="pitch_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Where the candidate wants to open: exactly one of the three.
    premise_id: Mapped[int | None] = mapped_column(
        ForeignKey("premises.id", ondelete="CASCADE"), index=True
    )
    street_id: Mapped[int | None] = mapped_column(
        ForeignKey("streets.id", ondelete="CASCADE"), index=True
    )
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("districts.id", ondelete="CASCADE"), index=True
    )
    business_name: Mapped[str] = mapped_column(String(120))
    shop_type_id: Mapped[int] = mapped_column(ForeignKey("shop_types.id"))
    min_surface_m2: Mapped[float] = mapped_column(Float)
    max_surface_m2: Mapped[float] = mapped_column(Float)
    max_rent: Mapped[int] = mapped_column(Integer)  # € per month
    opening_hours: Mapped[str | None] = mapped_column(String(120))
    pitch: Mapped[str] = mapped_column(Text)
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    # The language the candidate applied in: every e-mail to them speaks it.
    locale: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[str] = mapped_column(
        String(16), default=ApplicationStatus.UNVERIFIED.value, index=True
    )
    # SHA-256 of the e-mailed link's secret: the link confirms the application until
    # verify_expires_at, and afterwards lets the candidate withdraw it.
    link_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    verify_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    shop_type: Mapped[ShopType] = relationship(lazy="joined")
    premise: Mapped[Premise | None] = relationship()
    street: Mapped[Street | None] = relationship()
    district: Mapped[District | None] = relationship()

    @property
    def is_verified(self) -> bool:
        return self.status != ApplicationStatus.UNVERIFIED.value

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.status}>"
