"""The statistics map's hotspots: one circle of its own radius each, in a single layer."""

from __future__ import annotations

import re
from types import SimpleNamespace

import folium

from wishmap.maps import HOTSPOT_COLOUR, add_hotspot_layer


def test_each_hotspot_is_a_dashed_circle_of_its_radius_with_its_label() -> None:
    fmap = folium.Map(location=[48.88, 2.38], tiles=None)
    spots = [
        SimpleNamespace(lat=48.88, lon=2.38, radius_m=120.0, name="Bakery: 12 residents"),
        # A hotspot of one cell is drawn 30 m wide all the same.
        SimpleNamespace(lat=48.881, lon=2.381, radius_m=10.0, name="Books: 11 residents"),
    ]
    add_hotspot_layer(fmap, spots, lambda spot: spot.name)
    page = fmap.get_root().render()
    assert "Bakery: 12 residents" in page and "Books: 11 residents" in page
    assert "[2.38, 48.88]" in page and "[2.381, 48.881]" in page
    # Circles in metres (L.circle), each given its own radius, dashed in the hotspot colour.
    assert "new L.circle(latlng, opts)" in page
    styles = re.findall(r'return \{"radius": ([0-9.]+)\}', page)
    assert sorted(float(radius) for radius in styles) == [30.0, 120.0]
    assert '"dashArray": "6 4"' in page and HOTSPOT_COLOUR in page
    # One layer for every hotspot: folium compiles a template per object it draws.
    assert page.count("pointToLayer(feature, latlng)") == 1


def test_no_hotspots_no_layer() -> None:
    fmap = folium.Map(location=[48.88, 2.38], tiles=None)
    add_hotspot_layer(fmap, [], lambda spot: "")
    assert "pointToLayer" not in fmap.get_root().render()
