from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wishmap.db import Base
from wishmap.models._types import UTCDateTime, utcnow

# The texts a deployer writes, and the languages they write them in.
SITE_TEXT_KEYS = ("district_name", "introduction", "privacy_notice")
SITE_TEXT_LANGUAGES = ("en", "fr", "nl")


class SiteText(Base):
    """One text a deployer wrote for the site (the district's name, the map's introduction, the
    privacy notice) in one language, stored as plain text and always shown escaped.

    A text belongs to the whole site today; a campaign column (nullable, NULL = the whole site)
    would join the unique key later, so one deployment can run several districts' campaigns.
    """

    __tablename__ = "site_texts"
    __table_args__ = (
        UniqueConstraint("key", "language", name="uq_site_texts_key"),
        CheckConstraint(
            "key IN ('district_name', 'introduction', 'privacy_notice')", name="key_known"
        ),
        CheckConstraint("language IN ('en', 'fr', 'nl')", name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    def __repr__(self) -> str:
        return f"<SiteText {self.key} {self.language}>"
