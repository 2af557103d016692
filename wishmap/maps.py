"""folium (Leaflet) base maps, with every front-end asset served from static/.

folium draws the base map only; static/js/map.js fetches premises and demand for the visible
area as GeoJSON, so the page stays the same size however many wishes the database holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import folium

# folium's header forbids pinch-zoom (user-scalable=no): people with low vision need it, and
# our page has its own viewport tag.
_FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')


def base_map(
    center: tuple[float, float],
    zoom: int,
    tile_url: str,
    attribution: str,
    static_url: Callable[[str], str],
) -> folium.Map:
    """Return an empty map whose Leaflet comes from our static folder, not a CDN."""
    fmap = folium.Map(location=list(center), zoom_start=zoom, tiles=None, control_scale=True)
    # folium's defaults pull jQuery, Bootstrap and Font Awesome from CDNs; the map needs none.
    fmap.default_js = [
        ("leaflet", static_url("vendor/leaflet/leaflet.js")),
        ("leaflet_heat", static_url("vendor/leaflet-heat/leaflet-heat.js")),
    ]
    fmap.default_css = [("leaflet_css", static_url("vendor/leaflet/leaflet.css"))]
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=attribution, name="base", max_zoom=19).add_to(fmap)
    return fmap


def render_parts(fmap: folium.Map, nonce: str) -> dict[str, str]:
    """Return the map's head (assets), body (its div), script and JS variable name.

    folium writes inline <script> tags into the head; each gets the response's CSP nonce.
    """
    root = fmap.get_root()
    root.render()
    header = _FOLIUM_VIEWPORT.sub("", root.header.render())
    return {
        "header": header.replace("<script>", f'<script nonce="{nonce}">'),
        "html": root.html.render(),
        "script": root.script.render(),
        "name": fmap.get_name(),
    }
