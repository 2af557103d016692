from __future__ import annotations

from sqlalchemy import Float, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wishmap.db import Base


class District(Base):
    """An administrative area (arrondissement, quartier, wijk…) statistics are counted in."""

    __tablename__ = "districts"
    # Sources number each level on its own (Paris c_ar 19 and c_qu 19 both exist), so a ref
    # is unique within its level only.
    __table_args__ = (UniqueConstraint("level", "ref", name="level_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(40), index=True)
    # GeoJSON geometry (Polygon or MultiPolygon, WGS84) as text: portable across databases.
    geometry: Mapped[str] = mapped_column(Text)
    min_lat: Mapped[float] = mapped_column(Float)
    min_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)

    def __repr__(self) -> str:
        return f"<District {self.level} {self.ref} {self.name!r}>"
