"""A streets GeoJSON exported from OpenStreetMap (overpass, QGIS) imports as it is."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from wishmap.models import Street
from wishmap.services.importing import read_records
from wishmap.services.streets import import_streets


def way(osm_id: str, coordinates: list, **tags: str) -> dict:
    return {
        "type": "Feature",
        "properties": {"@id": osm_id, "highway": "residential", **tags},
        "geometry": {"type": "LineString", "coordinates": coordinates},
    }


def test_osm_ids_not_road_numbers_and_unnamed_ways_skipped(
    session: Session, tmp_path: Path
) -> None:
    features = [
        # Two ways of one road: `ref` is its road number, shared by both.
        way("way/10", [[2.380, 48.885], [2.381, 48.885]], name="Rue de Crimée", ref="D 932"),
        way("way/11", [[2.381, 48.885], [2.382, 48.885]], name="Rue de Crimée", ref="D 932"),
        way("way/12", [[2.380, 48.886], [2.381, 48.886]], highway="service"),
        {
            "type": "Feature",
            "properties": {"@id": "node/5", "highway": "crossing"},
            "geometry": {"type": "Point", "coordinates": [2.3805, 48.885]},
        },
    ]
    path = tmp_path / "overpass.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    report = import_streets(session, read_records(path))
    assert report.skipped == {"unnamed way": 1, "not a street line (Point)": 1}
    assert report.examples["unnamed way"] == ["feature 3"]
    streets = {street.ref: street.name for street in session.scalars(select(Street))}
    # Without merging each way is a street of its own, known by its OSM id.
    assert streets == {"way/10": "Rue de Crimée", "way/11": "Rue de Crimée"}
    merged = import_streets(session, read_records(path), merge_by_name=True)
    assert merged.skipped == report.skipped
    assert "way/10" in {street.ref for street in session.scalars(select(Street))}
