"""Cut the demo district's extract out of the Paris open data; the command that made paris19/.

    python -m wishmap.demo.extract ../shared/data/paris wishmap/demo/paris19

The demo area is a part of the 19th arrondissement around Avenue Secrétan, Rue de Meaux and
Rue de Belleville (about 1.6 km²). Streets and quartiers that touch it are kept whole, with
their own ids and properties, exactly as the city publishes them (a street crossing the border
stays one MultiLineString, as `import-streets --within` keeps it); shops are those inside it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from shapely.geometry import box, mapping, shape
from shapely.ops import unary_union

# West, south, east, north of the box the demo covers; within the box, the 19th arrondissement
# plus a margin, so that both sides of its border streets (Rue de Belleville, Boulevard de la
# Villette) count as the district.
BOX = (2.3700, 48.8720, 2.3860, 48.8855)
BORDER_MARGIN_DEG = 0.0004  # about 30 m
ARRONDISSEMENT = 19
FILES = ("streets.geojson", "shops.geojson", "quartiers.geojson", "area.geojson")


def _features(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def _write(path: Path, features: list[dict]) -> None:
    collection = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n")


def extract(source: Path, target: Path) -> dict[str, int]:
    """Write the demo extract from the Paris files in source to target; return feature counts."""
    arrondissement = unary_union(
        [
            shape(feature["geometry"])
            for feature in _features(source / "arrondissements.geojson")
            if feature["properties"]["c_ar"] == ARRONDISSEMENT
        ]
    )
    area = box(*BOX).intersection(arrondissement.buffer(BORDER_MARGIN_DEG))
    streets = [
        f for f in _features(source / "voies.geojson") if area.intersects(shape(f["geometry"]))
    ]
    shops = [
        f
        for f in _features(source / "commerces.geojson")
        if f.get("geometry") and area.contains(shape(f["geometry"]))
    ]
    quartiers = [
        f for f in _features(source / "quartiers.geojson") if area.intersects(shape(f["geometry"]))
    ]
    target.mkdir(parents=True, exist_ok=True)
    _write(target / "streets.geojson", streets)
    _write(target / "shops.geojson", shops)
    _write(target / "quartiers.geojson", quartiers)
    _write(
        target / "area.geojson",
        [
            {
                "type": "Feature",
                "properties": {"name": "Wishmap demo area (part of Paris 19e)"},
                "geometry": mapping(area.simplify(0.00002)),
            }
        ],
    )
    return {"streets": len(streets), "shops": len(shops), "quartiers": len(quartiers)}


if __name__ == "__main__":
    source, target = (Path(arg) for arg in sys.argv[1:3])
    print(extract(source, target))
