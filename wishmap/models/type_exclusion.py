from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from wishmap.db import Base
from wishmap.models._types import UTCDateTime, utcnow


class TypeExclusion(Base):
    """A shop type a manager (owner or agency) will not let to; no manager: excluded everywhere.

    The type is still shown on its premises' reports, never recommended for them.
    """

    __tablename__ = "type_exclusions"
    __table_args__ = (
        UniqueConstraint("manager_id", "shop_type_id", name="manager_type"),
        # NULLs never collide in a unique constraint: one city-wide exclusion per type.
        Index(
            "uq_type_exclusions_everywhere",
            "shop_type_id",
            unique=True,
            sqlite_where=text("manager_id IS NULL"),
            postgresql_where=text("manager_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    shop_type_id: Mapped[int] = mapped_column(ForeignKey("shop_types.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
