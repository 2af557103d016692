"""Every folium map's scale bar reads in metres only."""

from __future__ import annotations

from wishmap.maps import base_map, render_parts


def test_scale_bar_is_metric_only() -> None:
    fmap = base_map((48.88, 2.38), 15, "", "", lambda name: "/static/" + name)
    script = render_parts(fmap, "nonce")["script"]
    # Leaflet's default scale also showed "1000 ft" under the metres on French and Dutch pages.
    assert script.count("L.control.scale(") == 1
    assert "L.control.scale({imperial: false})" in script
