from __future__ import annotations

from sqlalchemy import Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wishmap.db import Base


class Street(Base):
    __tablename__ = "streets"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The source's stable id (Paris N_SQ_VO, an OSM way id…): re-imports update by it.
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    # GeoJSON geometry (LineString or MultiLineString, WGS84) as text: portable across databases.
    geometry: Mapped[str] = mapped_column(Text)
    length_m: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    min_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)

    def __repr__(self) -> str:
        return f"<Street {self.ref} {self.name!r}>"
