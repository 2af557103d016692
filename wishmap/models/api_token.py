from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from wishmap.db import Base
from wishmap.models._types import UTCDateTime, utcnow

# The scope every token has today: all that its account may read through the API. A campaign
# scope ("campaign:<id>") can be added later without a new column.
SCOPE_ALL = "all"


class ApiToken(Base):
    """A personal API token of an officer or admin; only the SHA-256 digest of its secret is
    stored, the secret is shown once when the token is made."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    # The secret's first characters, shown beside the name so its owner can tell tokens apart.
    hint: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(64), default=SCOPE_ALL)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_active(self) -> bool:
        """Return True while the token has not been revoked."""
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} user={self.user_id}>"
