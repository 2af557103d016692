"""flask import-osm on a real OpenStreetMap extract (central Helsinki, tests/data/osm/)."""

from __future__ import annotations

import json
from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap.models import Premise, Shop, Street

EXTRACT = Path(__file__).resolve().parents[1] / "data" / "osm" / "helsinki.osm.pbf"


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_import_osm_reports_merged_streets_shops_and_premises(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(args=["import-osm", str(EXTRACT)])
    assert result.exit_code == 0, result.output
    assert "streets: 101 streets merged from 807 named ways; 101 created" in result.output
    assert "shops: 789 created" in result.output
    assert "premises: 9 vacant premises found; 9 created" in result.output
    assert "994, 789 mapped to a type, 200 skipped on purpose, 5 unmapped" in result.output
    assert "99.5 % mapped or skipped on purpose" in result.output
    assert "1744 left out: unnamed way" in result.output
    assert "158 skipped (no Wishmap shop type): shop=jewelry (25)" in result.output
    assert "osm: 6,013 objects with street or shop tags" in result.output  # progress on stderr
    assert (count(session, Street), count(session, Shop), count(session, Premise)) == (
        101,
        789,
        9,
    )
    again = runner.invoke(args=["import-osm", str(EXTRACT)])
    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated, 101 unchanged" in again.output
    session.expire_all()
    assert (count(session, Street), count(session, Shop), count(session, Premise)) == (
        101,
        789,
        9,
    )


def test_import_osm_options_choose_what_is_imported(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    # Streets only, one street per way: what the importers did before merging by name.
    result = runner.invoke(
        args=["import-osm", str(EXTRACT), "--no-shops", "--no-premises", "--no-merge"]
    )
    assert result.exit_code == 0, result.output
    assert count(session, Street) == 807 and count(session, Shop) == 0
    assert session.scalar(select(Street.ref).where(Street.ref == "osm:way/4243036"))

    # --within a small square around the station: only the shops inside it.
    area = tmp_path / "area.geojson"
    ring = [
        [24.938, 60.169],
        [24.944, 60.169],
        [24.944, 60.172],
        [24.938, 60.172],
        [24.938, 60.169],
    ]
    area.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "station"},
                        "geometry": {"type": "Polygon", "coordinates": [ring]},
                    }
                ],
            }
        )
    )
    result = runner.invoke(
        args=[
            "import-osm",
            str(EXTRACT),
            "--no-streets",
            "--within",
            str(area),
            "--where",
            "code=station",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "left out: outside the area" in result.output
    inside = count(session, Shop)
    assert 0 < inside < 789
    lats = session.scalars(select(Shop.lat)).all()
    assert all(60.169 <= lat <= 60.172 for lat in lats)


def test_import_osm_bad_file_changes_nothing(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    bad = tmp_path / "city.osm.pbf"
    bad.write_bytes(b"\x00\x00\x00\x0dnot a pbf at all")
    result = runner.invoke(args=["import-osm", str(bad)])
    assert result.exit_code == 1
    assert "not an OpenStreetMap file" in result.output and "nothing imported" in result.output
    assert count(session, Street) == 0
    result = runner.invoke(args=["import-osm", str(EXTRACT), "--where", "c_ar=19"])
    assert result.exit_code == 1 and "--where needs --within" in result.output
    assert count(session, Street) == 0


def test_import_osm_help(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["import-osm", "--help"])
    assert result.exit_code == 0
    assert "--merge-by-name / --no-merge" in result.output and "--within" in result.output
