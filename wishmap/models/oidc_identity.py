from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wishmap.db import Base
from wishmap.models._types import UTCDateTime, utcnow


class OidcIdentity(Base):
    """An account's identity at an OpenID Connect provider: the provider's issuer and the
    person's stable `sub` there (never the e-mail address, which people change)."""

    __tablename__ = "oidc_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_oidc_identities_issuer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # OpenID Connect Core 1.0 §2: `iss` is an https URL, `sub` at most 255 ASCII characters.
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<OidcIdentity {self.id} user={self.user_id}>"
