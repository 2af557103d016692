"""Portfolio downloads show the city's official activity codes beside each shop type."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from flask import Flask
from portfolio_data import plant
from sqlalchemy.orm import Session
from web import log_in

from wishmap.services.activity_codes import import_nomenclature, read_nomenclature


def rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_exports_carry_the_official_codes(app: Flask, session: Session, tmp_path: Path) -> None:
    town = plant(session)
    codes = tmp_path / "codes.csv"
    codes.write_text(
        "libact,codact\nBoulangerie - Boulangerie Pâtisserie,CA103\nLibrairie,CE101\n"
        "Commerce de gros alimentaire,AB101\n",
        encoding="utf-8",
    )
    import_nomenclature(session, read_nomenclature(codes), scheme="paris")
    client = log_in(app.test_client(), town["agency"])

    portfolio = rows(client.get("/portfolio/export.csv").data)
    bread = next(row for row in portfolio if row["address"] == "12 Rue du Pain")
    assert (bread["type_1_code"], bread["type_1_official"]) == ("bakery", "CA103")
    north = next(row for row in portfolio if row["address"] == "10 Rue Nord")
    assert (north["type_1_code"], north["type_1_official"]) == ("books", "CE101")

    ranking = rows(client.get("/portfolio/where.csv?type=bakery").data)
    assert ranking and {row["shop_type_official"] for row in ranking} == {"CA103"}
    cafes = rows(client.get("/portfolio/where.csv?type=cafe").data)
    assert cafes and {row["shop_type_official"] for row in cafes} == {""}
