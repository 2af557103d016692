from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from wishmap.db import Base


class WishDistrict(Base):
    """The district of one level a wish's point falls in (a wish has one per level at most).

    A table rather than a column on wishes: districts nest (a quartier lies in an
    arrondissement), so one wish belongs to one district of every level imported.
    """

    __tablename__ = "wish_districts"
    __table_args__ = (Index("ix_wish_districts_level_district", "level", "district_id"),)

    wish_id: Mapped[int] = mapped_column(
        ForeignKey("wishes.id", ondelete="CASCADE"), primary_key=True
    )
    # Copied from the district so that statistics pick a level without another join.
    level: Mapped[str] = mapped_column(String(40), primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
