from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishmap.db import Base
from wishmap.models.shop_type import ShopType


class ActivityCode(Base):
    """A code of a city's official activity nomenclature (Paris BDCOM "CA103"), and its type.

    Codes that name no shop type of the taxonomy (wholesale, hotels…) are kept with no type,
    so that the import report and a re-import can list them.
    """

    __tablename__ = "activity_codes"
    __table_args__ = (UniqueConstraint("scheme", "code", name="scheme_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Which nomenclature the code belongs to ("paris"), so two cities' codes never collide.
    scheme: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(300))
    shop_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("shop_types.id", ondelete="SET NULL"), index=True
    )

    shop_type: Mapped[ShopType | None] = relationship()

    def __repr__(self) -> str:
        return f"<ActivityCode {self.scheme}:{self.code}>"
