"""The zoning and nomenclature commands: progress, a summary, exit 1 and nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from factories import make_premise, make_street
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap.models import ActivityCode, PremiseZone, ZoningArea

AXIS = [[2.3800, 48.8800], [2.3900, 48.8800]]


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def layer(path: Path, *flags: str) -> Path:
    features = [
        {
            "type": "Feature",
            "properties": {"N_SQ_PCA": n, "PCA": "O", "PPA": flag, "NOM_VOIE": "Rue de Test"},
            "geometry": {"type": "LineString", "coordinates": AXIS},
        }
        for n, flag in enumerate(flags, start=1)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_import_zoning_links_premises_and_refuses_a_bad_file(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    make_street(session, "Rue de Test", AXIS)
    make_premise(session, address="12 Rue de Test", lat=48.8801, lon=2.385)
    result = runner.invoke(args=["import-zoning", str(layer(tmp_path / "ok.geojson", "O"))])
    assert result.exit_code == 0, result.output
    assert "zoning: 2 created, 0 updated, 0 unchanged" in result.output
    assert "rows checked" in result.output  # progress on stderr
    assert count(session, PremiseZone) == 2

    bad = layer(tmp_path / "bad.geojson", "N", "perhaps")
    result = runner.invoke(args=["import-zoning", str(bad)])
    assert result.exit_code == 1
    assert "feature 2: PPA is 'perhaps'" in result.output and "nothing imported" in result.output
    session.expire_all()
    assert (count(session, ZoningArea), count(session, PremiseZone)) == (2, 2)

    result = runner.invoke(args=["import-zoning", str(bad), "--where", "c_ar=19"])
    assert result.exit_code == 1 and "--where needs --within" in result.output
    help_text = runner.invoke(args=["import-zoning", "--help"]).output
    assert "--class-field" in help_text and "--within" in help_text


def test_link_zoning_relinks_premises_made_later(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    make_street(session, "Rue de Test", AXIS)
    runner.invoke(args=["import-zoning", str(layer(tmp_path / "ok.geojson", "O"))])
    make_premise(session, address="14 Rue de Test", lat=48.8801, lon=2.386)
    result = runner.invoke(args=["link-zoning"])
    assert result.exit_code == 0 and "2 premise–zone links written" in result.output


@pytest.mark.realdata
def test_import_nomenclature_reports_mapped_and_unmapped(
    runner: FlaskCliRunner, session: Session, paris_data: Path, tmp_path: Path
) -> None:
    path = paris_data / "nomenclature_commerces.csv"
    result = runner.invoke(args=["import-nomenclature", str(path), "--scheme", "paris"])
    assert result.exit_code == 0, result.output
    assert "94 of 220 codes mapped onto shop types; 126 unmapped: AA101" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("libact,codact\nBoulangerie,CA103\nPain,\n")
    result = runner.invoke(args=["import-nomenclature", str(bad), "--scheme", "paris"])
    assert result.exit_code == 1 and "line 3: has no code" in result.output
    session.expire_all()
    assert count(session, ActivityCode) == 220


@pytest.mark.realdata
@pytest.mark.sqlite_only
def test_import_zoning_within_one_arrondissement(
    runner: FlaskCliRunner, session: Session, paris_data: Path
) -> None:
    result = runner.invoke(
        args=[
            "import-zoning",
            str(paris_data / "plu_protection_commerciale.geojson"),
            "--within",
            str(paris_data / "arrondissements.geojson"),
            "--where",
            "c_ar=19",
        ]
    )
    assert result.exit_code == 0, result.output
    # The segments touching the 19th: 253 frontages, 318 with their classes.
    assert "zoning: 318 created, 0 updated, 0 unchanged; 4614 skipped (outside the area)" in (
        result.output
    )
    assert count(session, ZoningArea) == 318
