"""import-streets --merge-by-name (the default) / --no-merge on a GeoJSON street network."""

from __future__ import annotations

import json
from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from wishmap.models import Street

M = 1 / 111_195  # degrees of latitude per metre


def segment(ref: str, name: str, x0: float, x1: float, y: float = 0.0) -> dict:
    """A street piece along a parallel near 48.88 N 2.38 E, x and y in metres."""
    lon = M / 0.6578  # cos(48.88°)
    return {
        "type": "Feature",
        "properties": {"N_SQ_VO": ref, "L_LONGMIN": name},
        "geometry": {
            "type": "LineString",
            "coordinates": [[2.38 + x0 * lon, 48.88 + y * M], [2.38 + x1 * lon, 48.88 + y * M]],
        },
    }


def network(tmp_path: Path) -> Path:
    path = tmp_path / "voies.geojson"
    features = [
        segment("300", "Rue de Crimée", 0, 100),
        segment("120", "Rue de Crimée", 100, 250),  # shares an end with 300
        segment("130", "RUE DE CRIMEE", 252, 400),  # 2 m gap, other spelling
        segment("900", "Rue de Crimée", 3000, 3100),  # 2.6 km away: another street
        segment("500", "Rue de l'Ourcq", 0, 100, y=200),
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_import_streets_merges_connected_pieces_of_one_name(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    path = network(tmp_path)
    result = runner.invoke(args=["import-streets", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 created" in result.output
    assert "2 pieces joined to another piece of their street" in result.output
    streets = {street.ref: street for street in session.scalars(select(Street))}
    assert set(streets) == {"120", "900", "500"}
    crimee = streets["120"]
    assert crimee.name == "Rue de Crimée"
    assert 395 < crimee.length_m < 405
    assert json.loads(crimee.geometry)["type"] == "MultiLineString"  # the 2 m gap stays
    # Re-importing merges the same way: nothing new, nothing changed.
    again = runner.invoke(args=["import-streets", str(path)])
    assert "0 created, 0 updated, 3 unchanged" in again.output


def test_import_streets_no_merge_keeps_every_piece(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    result = runner.invoke(args=["import-streets", str(network(tmp_path)), "--no-merge"])
    assert result.exit_code == 0, result.output
    assert "5 created" in result.output
    assert len(session.scalars(select(Street)).all()) == 5


def test_osm_geojson_ways_merge_under_their_smallest_way_id(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    """An overpass export: ids in @id, the road number in ref (shared by the whole road)."""
    features = []
    for way, x0 in (("way/100", 0), ("way/99", 100), ("way/1000", 200)):
        feature = segment("", "Avenue Jean Jaurès", x0, x0 + 100)
        feature["properties"] = {
            "@id": way,
            "highway": "primary",
            "name": "Avenue Jean Jaurès",
            "ref": "D 932",
        }
        features.append(feature)
    path = tmp_path / "export.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    result = runner.invoke(args=["import-streets", str(path)])
    assert result.exit_code == 0, result.output
    [street] = session.scalars(select(Street)).all()
    assert street.ref == "way/99" and json.loads(street.geometry)["type"] == "LineString"
    assert 295 < street.length_m < 305
