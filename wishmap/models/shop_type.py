from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from wishmap.db import Base


class ShopType(Base):
    __tablename__ = "shop_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    osm_tag: Mapped[str] = mapped_column(String(80))
    group: Mapped[str] = mapped_column(String(20))
    label_en: Mapped[str] = mapped_column(String(80))
    label_fr: Mapped[str] = mapped_column(String(80))
    label_nl: Mapped[str] = mapped_column(String(80))
    icon: Mapped[str] = mapped_column(String(16))

    def label(self, locale: str = "en") -> str:
        """Return the label in locale (en, fr or nl), English otherwise."""
        return getattr(self, f"label_{locale}", None) or self.label_en

    def __repr__(self) -> str:
        return f"<ShopType {self.code}>"
