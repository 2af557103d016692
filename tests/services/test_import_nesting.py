"""GeoJSON nested beyond any real file is refused with a reason, not a RecursionError."""

from __future__ import annotations

import json

import pytest

from wishmap.services.importing import MAX_NESTING, ImportFailed, geojson_records


def _collection(geometry: object, properties: object = None) -> str:
    feature = {"type": "Feature", "geometry": geometry, "properties": properties or {"name": "a"}}
    return json.dumps({"type": "FeatureCollection", "features": [feature]})


@pytest.mark.parametrize("depth", [100_000, 3_000, MAX_NESTING + 1])
def test_deep_nesting_is_refused_with_a_reason(depth: int) -> None:
    text = '{"type": "FeatureCollection", "features": [' + "[" * depth + "]" * depth + "]}"
    with pytest.raises(ImportFailed) as refused:
        geojson_records(text, "deep.geojson")
    # Before: a RecursionError traceback for the deepest ones.
    assert f"nested deeper than {MAX_NESTING} levels" in str(refused.value)


def test_deep_properties_are_refused_too() -> None:
    nested: object = "x"
    for _ in range(MAX_NESTING + 5):
        nested = {"a": nested}
    with pytest.raises(ImportFailed, match="nested deeper"):
        geojson_records(_collection({"type": "Point", "coordinates": [2.38, 48.88]}, nested))


def test_real_multipolygons_still_read() -> None:
    ring = [[2.38, 48.88], [2.39, 48.88], [2.39, 48.89], [2.38, 48.88]]
    long_ring = [[2.38 + i / 1e4, 48.88] for i in range(200)] + [[2.38, 48.88]]
    geometry = {"type": "MultiPolygon", "coordinates": [[ring], [long_ring]]}
    records = geojson_records(_collection(geometry, {"name": "zone", "tags": {"a": [1, 2]}}))
    assert len(records) == 1 and records[0].problem is None
    assert records[0].geometry == geometry
