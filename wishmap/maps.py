"""FeatureCollections → folium (Leaflet) maps, with every front-end asset served from static/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import folium
import geojson

VACANT_COLOUR = "#d9480f"
OTHER_COLOUR = "#868e96"
STREET_COLOUR = "#495057"


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
    fmap.default_js = [("leaflet", static_url("vendor/leaflet/leaflet.js"))]
    fmap.default_css = [("leaflet_css", static_url("vendor/leaflet/leaflet.css"))]
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=attribution, name="base", max_zoom=19).add_to(fmap)
    return fmap


def premises_map(
    premises: geojson.FeatureCollection,
    streets: geojson.FeatureCollection,
    **base: Any,
) -> folium.Map:
    """Return a map of premises: vacant ones large and coloured by demand, others small and grey."""
    fmap = base_map(**base)
    if streets["features"]:
        folium.GeoJson(
            streets,
            name="streets",
            style_function=lambda _feature: {"color": STREET_COLOUR, "weight": 3, "opacity": 0.35},
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ).add_to(fmap)
    folium.GeoJson(
        premises,
        name="premises",
        marker=folium.CircleMarker(radius=6, fill=True, fill_opacity=0.9, weight=1),
        style_function=_premise_style,
        popup=folium.GeoJsonPopup(
            fields=["address", "surface_m2", "status", "wishes"],
            aliases=["Address", "Surface (m²)", "Status", "Wishes"],
        ),
    ).add_to(fmap)
    if premises["features"]:
        lons = [feature["geometry"]["coordinates"][0] for feature in premises["features"]]
        lats = [feature["geometry"]["coordinates"][1] for feature in premises["features"]]
        fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]])
    return fmap


def _premise_style(feature: dict[str, Any]) -> dict[str, Any]:
    props = feature["properties"]
    if props["status"] != "vacant":
        return {"radius": 3, "color": OTHER_COLOUR, "fillColor": OTHER_COLOUR, "fillOpacity": 0.5}
    # Marker size grows with the square root of demand, so hotspots stand out without covering.
    radius = 6 + min(props["wishes"], 400) ** 0.5
    return {"radius": radius, "color": "#ffffff", "fillColor": VACANT_COLOUR, "fillOpacity": 0.9}


def render_parts(fmap: folium.Map, nonce: str) -> dict[str, str]:
    """Return the map's head (assets), body (its div) and script, to embed in our own page.

    folium writes inline <script> tags into the head; each gets the response's CSP nonce.
    """
    root = fmap.get_root()
    root.render()
    return {
        "header": root.header.render().replace("<script>", f'<script nonce="{nonce}">'),
        "html": root.html.render(),
        "script": root.script.render(),
    }
