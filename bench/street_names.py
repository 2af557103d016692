"""How many real Paris addresses find their street by name, before and after the address parser.

    .venv/bin/python -m bench.street_names

Premises are built from the addresses of the shops of the 19th arrondissement in the Paris
open data (`commerces.geojson`, postcode 75019) and matched against the streets touching the
19th (`voies.geojson`). "Before" is the old importer: the street taken with
`lstrip("0123456789 ,-bisterBISTER")` and compared by exact folded name; "after" is
`split_address` + `street_key`. It also prints the distance from each shop to the nearest
street centre line, which sets DEFAULT_MAX_STREET_DISTANCE_M. The last line is one JSON object.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from shapely.geometry import shape

from wishmap.services.imports.addresses import split_address
from wishmap.services.imports.street_match import StreetMatcher
from wishmap.taxonomy import normalise

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "paris"


def paris_19th() -> tuple[StreetMatcher, list[tuple[str, float, float]]]:
    """Return a matcher over the streets touching the 19th and its shops' (address, lat, lon)."""
    areas = json.loads((DATA / "arrondissements.geojson").read_text(encoding="utf-8"))
    area = next(
        shape(f["geometry"]) for f in areas["features"] if str(f["properties"]["c_ar"]) == "19"
    )
    voies = json.loads((DATA / "voies.geojson").read_text(encoding="utf-8"))["features"]
    streets = [
        (index, f["properties"]["L_LONGMIN"], f["geometry"])
        for index, f in enumerate(voies)
        if area.intersects(shape(f["geometry"]))
    ]
    shops = json.loads((DATA / "commerces.geojson").read_text(encoding="utf-8"))["features"]
    premises = [
        (
            f["properties"]["adresse"],
            f["geometry"]["coordinates"][1],
            f["geometry"]["coordinates"][0],
        )
        for f in shops
        if str(f["properties"].get("code_postal")) == "75019" and f["properties"].get("adresse")
    ]
    return StreetMatcher(streets), premises


def old_street(address: str) -> str:
    """The street name as the importer took it before the address parser."""
    return address.lstrip("0123456789 ,-bisterBISTER").strip() or address


def main() -> None:
    matcher, premises = paris_19th()
    exact = {normalise(name) for name in matcher.names}
    figures: dict[str, object] = {"streets": len(matcher), "premises": len(premises)}
    for label, sample in (("first_40", premises[:40]), ("all", premises)):
        before = sum(normalise(old_street(address)) in exact for address, _lat, _lon in sample)
        after = sum(
            matcher.match(lat, lon, split_address(address).street).how == "name"
            for address, lat, lon in sample
        )
        figures[f"{label}_by_name_before"] = before
        figures[f"{label}_by_name_after"] = after
        print(
            f"{label} ({len(sample)} premises): matched by name {before} before, {after} after",
            file=sys.stderr,
        )
    unmatched = [
        address
        for address, lat, lon in premises
        if matcher.match(lat, lon, split_address(address).street).how != "name"
    ]
    print(f"not matched by name: {unmatched}", file=sys.stderr)
    distances = np.array(
        [
            matcher.match(lat, lon, None, max_distance_m=10_000).distance_m
            for _a, lat, lon in premises
        ]
    )
    for quantile in (0.5, 0.9, 0.98, 1.0):
        value = float(np.quantile(distances, quantile))
        figures[f"distance_m_q{int(quantile * 100)}"] = round(value, 1)
        print(
            f"distance to nearest street, {quantile:.0%} of shops within {value:.1f} m",
            file=sys.stderr,
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
