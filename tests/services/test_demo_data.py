"""The demo district: real streets and shops of Paris 19th, synthetic premises and wishes."""

from __future__ import annotations

import csv
import filecmp
import json
import re
from pathlib import Path

import pytest
from shapely.geometry import Point, shape

from wishmap.demo.extract import extract
from wishmap.demo_data import EXTRACT, HOTSPOT_GAP_M, DemoSize, build_demo_files
from wishmap.geo import haversine_m
from wishmap.taxonomy import code_for

SMALL = DemoSize(premises=150, residents=200, wishes=800)


def _features(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def test_same_seed_same_district(tmp_path: Path) -> None:
    first = build_demo_files(tmp_path / "a", seed=5, size=SMALL)
    again = build_demo_files(tmp_path / "b", seed=5, size=SMALL)
    other = build_demo_files(tmp_path / "c", seed=6, size=SMALL)
    assert all(filecmp.cmp(first[name], again[name], shallow=False) for name in first)
    assert not filecmp.cmp(first["premises.csv"], other["premises.csv"], shallow=False)


def test_premises_stand_on_the_real_street_their_address_names(tmp_path: Path) -> None:
    paths = build_demo_files(tmp_path, seed=1, size=SMALL)
    streets = {}
    for feature in _features(paths["streets.geojson"]):
        streets[feature["properties"]["L_LONGMIN"]] = shape(feature["geometry"])
    # The streets go to the importer exactly as the city's file has them.
    assert filecmp.cmp(paths["streets.geojson"], EXTRACT / "streets.geojson", shallow=False)
    area = shape(_features(EXTRACT / "area.geojson")[0]["geometry"])
    premises = list(csv.DictReader(paths["premises.csv"].read_text(encoding="utf-8").splitlines()))
    assert len(premises) == 150
    assert {"vacant", "let"} == {row["status"] for row in premises}
    assert {"owner@demo.wishmap.example", "agency@demo.wishmap.example"} < {
        row["manager"] for row in premises
    }
    for row in premises:
        number, street = re.fullmatch(r"(\d+) (.+)", row["address"]).groups()
        assert 1 <= int(number) < 400, row
        assert street == row["street"] and street in streets, row
        point = Point(float(row["lon"]), float(row["lat"]))
        assert area.contains(point), row
        nearest = streets[street].interpolate(streets[street].project(point))
        # About 9 m off the centre line, on the pavement of its own street.
        assert haversine_m(point.y, point.x, nearest.y, nearest.x) < 25, row
    addresses = [row["address"] for row in premises]
    assert len(set(addresses)) == len(addresses)
    assert any(row["street"] == "Avenue Secrétan" for row in premises)


def test_shops_are_the_real_ones_and_wishes_gather_where_a_type_is_missing(
    tmp_path: Path,
) -> None:
    paths = build_demo_files(tmp_path, seed=2, size=SMALL)
    assert _features(paths["shops.geojson"]) == _features(EXTRACT / "shops.geojson")
    shops = [
        (code_for(f["properties"]["type_de_commerce"]), *f["geometry"]["coordinates"])
        for f in _features(paths["shops.geojson"])
    ]
    wishes = list(csv.DictReader(paths["wishes.csv"].read_text(encoding="utf-8").splitlines()))
    free = [row for row in wishes if row["lat"]]
    assert 500 < len(wishes) < 900 and free
    # The most wished type has no real shop near the middle of its free wishes.
    counts: dict[str, int] = {}
    for row in wishes:
        counts[row["shop_type"]] = counts.get(row["shop_type"], 0) + 1
    top = max(counts, key=counts.get)
    points = [(float(r["lat"]), float(r["lon"])) for r in free if r["shop_type"] == top]
    lat = sorted(p[0] for p in points)[len(points) // 2]
    lon = sorted(p[1] for p in points)[len(points) // 2]
    same = [haversine_m(lat, lon, y, x) for code, x, y in shops if code == top]
    assert all(distance > HOTSPOT_GAP_M / 2 for distance in same), (top, same)


def test_extract_is_small_attributed_and_made_by_its_command(
    tmp_path: Path, paris_data: Path
) -> None:
    size = sum(path.stat().st_size for path in EXTRACT.iterdir())
    assert size < 300_000
    readme = (EXTRACT / "README.md").read_text(encoding="utf-8")
    assert "Ville de Paris – opendata.paris.fr" in readme and "ODbL" in readme
    counts = extract(paris_data, tmp_path)
    assert counts == {"streets": 157, "shops": 35, "quartiers": 6}
    for path in EXTRACT.glob("*.geojson"):
        assert filecmp.cmp(path, tmp_path / path.name, shallow=False), path.name


@pytest.mark.parametrize("name", ["streets.geojson", "shops.geojson", "quartiers.geojson"])
def test_extract_keeps_the_city_ids(name: str, paris_data: Path) -> None:
    source = {"streets.geojson": "voies", "shops.geojson": "commerces"}.get(name, "quartiers")
    original = {json.dumps(f, sort_keys=True) for f in _features(paris_data / f"{source}.geojson")}
    for feature in _features(EXTRACT / name):
        assert json.dumps(feature, sort_keys=True) in original
