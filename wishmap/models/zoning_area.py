from __future__ import annotations

from sqlalchemy import Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wishmap.db import Base


class ZoningArea(Base):
    """One protected frontage or area of a zoning layer, with one protection class.

    A source feature that carries several classes (Paris flags PCA, PRCA and PPA on the same
    segment) becomes one row per class, so a premise's classes are a plain join.
    """

    __tablename__ = "zoning_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The feature's id in its source and the class ("261/PCA"): re-imports update by it.
    ref: Mapped[str] = mapped_column(String(80), unique=True)
    class_code: Mapped[str] = mapped_column(String(40), index=True)
    street_name: Mapped[str | None] = mapped_column(String(200))
    # House numbers the frontage covers, as printed ("23–29"), when the layer gives them.
    numbers: Mapped[str | None] = mapped_column(String(40))
    # "even" or "odd" when the protection holds on one side of the street only.
    side: Mapped[str | None] = mapped_column(String(8))
    # GeoJSON geometry (lines or polygons, WGS84) as text, like streets: portable across databases.
    geometry: Mapped[str] = mapped_column(Text)
    min_lat: Mapped[float] = mapped_column(Float)
    min_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)

    def __repr__(self) -> str:
        return f"<ZoningArea {self.ref}>"
