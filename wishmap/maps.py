"""folium (Leaflet) base maps, with every front-end asset served from static/.

folium draws the base map only; static/js/map.js fetches premises and demand for the visible
area as GeoJSON, so the page stays the same size however many wishes the database holds.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

import folium
from branca.element import MacroElement
from jinja2 import Template

from wishmap.geo import bounds, feature_collection, point_feature, shape_features

# folium's header forbids pinch-zoom (user-scalable=no): people with low vision need it, and
# our page has its own viewport tag.
_FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')


class _MetricScale(MacroElement):
    """Leaflet's scale bar in metres only: folium's adds feet, which nobody here reads."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )


def base_map(
    center: tuple[float, float],
    zoom: int,
    tile_url: str,
    attribution: str,
    static_url: Callable[[str], str],
) -> folium.Map:
    """Return an empty map whose Leaflet comes from our static folder, not a CDN."""
    fmap = folium.Map(location=list(center), zoom_start=zoom, tiles=None)
    _MetricScale().add_to(fmap)
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


# Five light-to-dark blues (ColorBrewer "Blues"): ordered for colour-blind readers too.
COUNT_COLOURS = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
SUPPRESSED_COLOUR = "#9e9e9e"


def count_bins(values: list[int]) -> list[tuple[int, int, str]]:
    """Return (low, high, colour) classes splitting the counts into at most five quantiles."""
    ordered = sorted(set(values))
    if not ordered:
        return []
    classes = min(len(COUNT_COLOURS), len(ordered))
    edges = [ordered[round(i * (len(ordered) - 1) / classes)] for i in range(classes + 1)]
    bins, low = [], ordered[0]
    for index in range(classes):
        high = edges[index + 1]
        if high < low:
            continue
        colour = COUNT_COLOURS[round(index * (len(COUNT_COLOURS) - 1) / max(classes - 1, 1))]
        bins.append((low, high, colour))
        low = high + 1
    return bins


def count_colour(value: int | None, bins: list[tuple[int, int, str]]) -> str:
    """Return the colour of a count (grey when it is suppressed)."""
    if value is None:
        return SUPPRESSED_COLOUR
    for low, high, colour in bins:
        if low <= value <= high:
            return colour
    return COUNT_COLOURS[-1]


def add_count_layer(
    fmap: folium.Map, collection: dict, name: str, lines: bool, tooltip_fields: list[str]
) -> None:
    """Add features coloured by their `colour` property: street lines or district areas."""

    def style(feature: dict) -> dict:
        colour = feature["properties"]["colour"]
        suppressed = colour == SUPPRESSED_COLOUR
        if lines:
            return {"color": colour, "weight": 3 if suppressed else 6, "opacity": 0.9}
        return {
            "color": "#444",
            "weight": 1,
            "fillColor": colour,
            "fillOpacity": 0.25 if suppressed else 0.6,
        }

    folium.GeoJson(
        escaped_fields(collection, tooltip_fields),
        name=name,
        style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=tooltip_fields, labels=False),
    ).add_to(fmap)


def escaped_fields(collection: dict, fields: list[str]) -> dict:
    """Return collection with these properties HTML-escaped: folium's tooltips and popups put
    them into the page as HTML, and street or premise names come from imported files."""
    features = [
        {
            **feature,
            "properties": {
                **feature["properties"],
                **{
                    name: html.escape(str(feature["properties"][name]))
                    for name in fields
                    if feature["properties"].get(name) is not None
                },
            },
        }
        for feature in collection["features"]
    ]
    return {**collection, "features": features}


def add_statistics_layers(fmap: folium.Map, layers: list[Any], min_residents: int) -> list[Any]:
    """Draw statistics layers (districts under streets) and fit the map; return the legends.

    layers: services.statistics.MapLayer objects. Each legend is (layer, colour classes).
    """
    legends = []
    for layer in reversed(layers):
        bins = count_bins([row.residents for row in layer.table.shown])
        features = shape_features(
            (
                layer.shapes[row.keys[0]],
                {
                    "name": row.labels[0],
                    "residents": f"<{min_residents}" if row.suppressed else str(row.residents),
                    "colour": count_colour(row.residents, bins),
                },
            )
            for row in layer.table.rows
            if row.keys[0] in layer.shapes
        )
        if features["features"]:
            lines = layer.dimension == "street"
            add_count_layer(fmap, features, layer.dimension, lines, ["name", "residents"])
        legends.insert(0, (layer, bins))
    every = [shape for layer in layers for shape in layer.shapes.values()]
    if every:
        boxes = [bounds(json.loads(text)) for text in every]
        fmap.fit_bounds(
            [
                [min(b[0] for b in boxes), min(b[1] for b in boxes)],
                [max(b[2] for b in boxes), max(b[3] for b in boxes)],
            ]
        )
    return legends


HOTSPOT_COLOUR = "#6a1b9a"


def add_hotspot_layer(fmap: folium.Map, hotspots: list[Any], label: Callable[[Any], str]) -> None:
    """Draw analysis hotspots as circles of their radius, labelled with type and residents."""
    if not hotspots:
        return
    # One GeoJSON layer, not a folium.Circle and its Tooltip per hotspot: folium compiles a
    # template for each object it draws (372 hotspots at 1,000,000 wishes: 763 compilations,
    # some 250 ms of the statistics map's CPU).
    features = [
        # A hotspot of one cell still deserves a visible ring.
        point_feature(
            spot.lat, spot.lon, {"label": label(spot), "radius": max(spot.radius_m, 30.0)}
        )
        for spot in hotspots
    ]
    folium.GeoJson(
        # folium's tooltip inserts the label as HTML.
        escaped_fields(feature_collection(features), ["label"]),
        name="hotspots",
        marker=folium.Circle(
            radius=30.0,
            color=HOTSPOT_COLOUR,
            weight=2,
            dash_array="6 4",
            fill=True,
            fill_opacity=0.08,
        ),
        style_function=lambda feature: {"radius": feature["properties"]["radius"]},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(fmap)
