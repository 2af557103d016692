"""Names from imported files reach the officers' maps as text, never as HTML."""

from __future__ import annotations

from types import SimpleNamespace

import folium

from wishmap.maps import add_count_layer, add_hotspot_layer

EVIL = '<img src=x onerror="alert(1)">'


def test_tooltip_names_are_escaped() -> None:
    fmap = folium.Map(location=[48.88, 2.38], tiles=None)
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[2.38, 48.88], [2.39, 48.88]]},
                "properties": {"name": f"Rue {EVIL}", "residents": "<3", "colour": "#ccc"},
            }
        ],
    }
    add_count_layer(fmap, collection, "street", True, ["name", "residents"])
    spot = SimpleNamespace(lat=48.88, lon=2.38, radius_m=50.0)
    add_hotspot_layer(fmap, [spot], lambda _spot: f"Bakery near {EVIL}")
    page = fmap.get_root().render()
    # Before: the street name and the hotspot label went into the tooltips as markup.
    assert "<img" not in page
    # folium writes "&" as \u0026 inside its JSON.
    assert "Rue \\u0026lt;img src=x onerror=\\u0026quot;alert(1)\\u0026quot;\\u0026gt;" in page
    assert "\\u0026lt;3" in page and "Bakery near \\u0026lt;img" in page
    # The caller's collection is left as it was.
    assert collection["features"][0]["properties"]["name"] == f"Rue {EVIL}"
