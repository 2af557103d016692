"""`flask export`: the same protected table as the officers' download, for scheduled jobs."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import geojson
from flask.testing import FlaskCliRunner
from openpyxl import load_workbook
from sqlalchemy.orm import Session
from statistics_data import plant


def test_export_csv_in_french_with_the_published_protection(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    plant(session)  # 5 residents on Rue Alpha, 2 on Rue Bravo: both under the default floor
    target = tmp_path / "stats.csv"
    result = runner.invoke(args=["export", "--by", "street", "--lang", "fr", "-o", str(target)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Code de la rue", "Rue", "Souhaits"]
    assert {row[1]: (row[2], row[4]) for row in rows[1:]} == {
        "Rue Alpha": ("", "oui"),
        "Rue Bravo": ("", "oui"),
    }


def test_export_xlsx_and_geojson(runner: FlaskCliRunner, session: Session, tmp_path: Path) -> None:
    plant(session)
    book = tmp_path / "stats.xlsx"
    result = runner.invoke(args=["export", "--format", "xlsx", "--by", "type", "-o", str(book)])
    assert result.exit_code == 0, result.output
    assert load_workbook(book).sheetnames == ["Statistics", "About"]
    shapes = tmp_path / "stats.geojson"
    result = runner.invoke(
        args=["export", "--format", "geojson", "--by", "district", "-o", str(shapes)]
    )
    assert result.exit_code == 0, result.output
    assert geojson.loads(shapes.read_text()).is_valid


def test_export_refuses_a_bad_query(runner: FlaskCliRunner, session: Session) -> None:
    result = runner.invoke(args=["export", "--by", "colour"])
    assert result.exit_code == 2 and "Group by one of" in result.output
    result = runner.invoke(args=["export", "--format", "geojson", "--by", "month"])
    assert result.exit_code == 2 and "GeoJSON needs a grouping" in result.output
