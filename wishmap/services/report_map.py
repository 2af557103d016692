"""The premise report's map, twice: folium layers for the page, a static SVG for print and PDF.

Both draw the same things from a report's Surroundings: the premise and its walking radius,
aggregated demand for the top types (the public map's grid cells, never a single wish), the
competing shops of those types, and the analysis hotspots. WeasyPrint runs no JavaScript, so
the printed map is drawn here from coordinates, with the nearby streets underneath.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from typing import Any

import folium
from branca.element import MacroElement
from jinja2 import Template
from markupsafe import Markup, escape

from wishmap.geo import metric_scale
from wishmap.maps import HOTSPOT_COLOUR
from wishmap.services.report_surroundings import Surroundings

# One colour per mapped type (ColorBrewer Dark2: tells three apart, also in greyscale print).
TYPE_COLOURS = ("#d95f02", "#1b9e77", "#7570b3")
PREMISE_COLOUR = "#c62828"
SVG_SIZE = 560


def type_colours(type_ids: Sequence[int]) -> dict[int, str]:
    """Return the map colour of each mapped type, in the report's order."""
    return {type_id: TYPE_COLOURS[i % len(TYPE_COLOURS)] for i, type_id in enumerate(type_ids)}


class _ReportLayer(MacroElement):
    """All the report's shapes in one Leaflet layer: one script instead of one folium element
    (and template render) per shape, which kept a report page from answering in time."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.geoJSON({{ this.data }}, {
            style: function (feature) { return feature.properties.style; },
            pointToLayer: function (feature, latlng) {
                var p = feature.properties;
                var layer = p.metres ? L.circle(latlng, p.style) : L.circleMarker(latlng, p.style);
                if (p.label) {
                    // Text, never HTML: shop names come from imported data.
                    var text = document.createElement("span");
                    text.textContent = p.label;
                    layer.bindTooltip(text);
                }
                return layer;
            }
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, features: list[dict[str, Any]]) -> None:
        super().__init__()
        self._name = "ReportLayer"
        collection = {"type": "FeatureCollection", "features": features}
        # Safe inside a <script>: no "</script>" can close it early.
        self.data = json.dumps(collection).replace("</", "<\\/")


def _point(lat: float, lon: float, style: dict[str, Any], label: str, metres: bool = False) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": {"style": style, "label": label, "metres": metres},
    }


def add_report_layers(
    fmap: folium.Map,
    around: Surroundings,
    type_ids: Sequence[int],
    label: Callable[[int], str],
    texts: dict[str, str],
) -> None:
    """Draw the report's surroundings on a folium map and fit it to them.

    label: shop type id → its name in the reader's language; texts: translated tooltips
    ("premise", "radius", "hotspot" with %(type)s/%(n)s, "cell" with %(type)s/%(n)s,
    "competitor" with %(type)s/%(name)s).
    """
    colours = type_colours(type_ids)
    # The streets, drawn under everything: the base map's tiles may be missing or not match.
    street_style = {"color": "#9e9e9e", "weight": 3, "opacity": 0.6, "interactive": False}
    features: list[dict[str, Any]] = [
        {"type": "Feature", "geometry": line.geometry, "properties": {"style": street_style}}
        for line in around.streets
    ]
    features += [
        _point(
            around.lat,
            around.lon,
            {
                "radius": around.radius_m,
                "color": "#37474f",
                "weight": 1.5,
                "dashArray": "4 6",
                "fill": False,
            },
            texts["radius"],
            metres=True,
        )
    ]
    for spot in around.hotspots:
        features.append(
            _point(
                spot.lat,
                spot.lon,
                # A hotspot of one cell still deserves a visible ring.
                {
                    "radius": max(spot.radius_m, 30.0),
                    "color": HOTSPOT_COLOUR,
                    "weight": 2,
                    "dashArray": "6 4",
                    "fillOpacity": 0.08,
                },
                texts["hotspot"] % {"type": label(spot.shop_type_id), "n": spot.residents},
                metres=True,
            )
        )
    biggest = max((cell.count for cells in around.cells.values() for cell in cells), default=1)
    for type_id, cells in around.cells.items():
        for cell in cells:
            features.append(
                _point(
                    cell.lat,
                    cell.lon,
                    {
                        "radius": round(4 + 14 * math.sqrt(cell.count / biggest), 1),
                        "color": colours.get(type_id, "#555"),
                        "weight": 1,
                        "fillOpacity": 0.45,
                    },
                    texts["cell"] % {"type": label(type_id), "n": cell.count},
                )
            )
    for shop in around.competitors:
        features.append(
            _point(
                shop.lat,
                shop.lon,
                {
                    "radius": 6,
                    "color": colours.get(shop.shop_type_id, "#555"),
                    "weight": 3,
                    "fillColor": "#ffffff",
                    "fillOpacity": 1,
                },
                texts["competitor"] % {"type": label(shop.shop_type_id), "name": shop.name or "—"},
            )
        )
    features.append(
        _point(
            around.lat,
            around.lon,
            {
                "radius": 9,
                "color": "#ffffff",
                "weight": 3,
                "fillColor": PREMISE_COLOUR,
                "fillOpacity": 1,
            },
            texts["premise"],
        )
    )
    _ReportLayer(features).add_to(fmap)
    reach = around.reach_m
    dlat, dlon = (reach / scale for scale in reversed(metric_scale(around.lat)))
    fmap.fit_bounds(
        [[around.lat - dlat, around.lon - dlon], [around.lat + dlat, around.lon + dlon]]
    )


def _projector(around: Surroundings) -> Callable[[float, float], tuple[float, float]]:
    """Return (lat, lon) → SVG (x, y), the premise in the middle, north up."""
    sx, sy = (float(scale) for scale in metric_scale(around.lat))
    per_m = SVG_SIZE / (2 * around.reach_m)
    half = SVG_SIZE / 2

    def project(lat: float, lon: float) -> tuple[float, float]:
        return (
            round(half + (lon - around.lon) * sx * per_m, 1),
            round(half - (lat - around.lat) * sy * per_m, 1),
        )

    return project


def _lines(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry.get("type") == "LineString":
        return [geometry["coordinates"]]
    if geometry.get("type") == "MultiLineString":
        return list(geometry["coordinates"])
    return []


def svg_map(around: Surroundings, type_ids: Sequence[int], title: str) -> Markup:
    """Return the report's map as an inline SVG (streets, radius, demand, shops, hotspots)."""
    project = _projector(around)
    per_m = SVG_SIZE / (2 * around.reach_m)
    colours = type_colours(type_ids)
    half = SVG_SIZE / 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-map-svg" role="img" '
        f'viewBox="0 0 {SVG_SIZE} {SVG_SIZE}" width="{SVG_SIZE}" height="{SVG_SIZE}">',
        f"<title>{escape(title)}</title>",
        '<defs><clipPath id="frame"><rect width="100%" height="100%"/></clipPath></defs>',
        '<rect width="100%" height="100%" fill="#f4f1ea"/>',
        '<g clip-path="url(#frame)">',
    ]
    # Every street in one path (drawn twice: a casing, then the road): a PDF lays out each
    # element on its own, and a city block holds hundreds of street pieces.
    moves = []
    for street in around.streets:
        for line in _lines(street.geometry):
            points = [project(lat, lon) for lon, lat in line]
            if len(points) > 1:
                moves.append("M" + " L".join(f"{x} {y}" for x, y in points))
    if moves:
        d = " ".join(moves)
        parts.append(
            f'<g fill="none" stroke-linecap="round" stroke-linejoin="round">'
            f'<path d="{d}" stroke="#c9c2b4" stroke-width="9"/>'
            f'<path d="{d}" stroke="#ffffff" stroke-width="6"/></g>'
        )
    parts.append(
        f'<circle cx="{half}" cy="{half}" r="{round(around.radius_m * per_m, 1)}" fill="none" '
        'stroke="#37474f" stroke-width="1.5" stroke-dasharray="4 6"/>'
    )
    for spot in around.hotspots:
        x, y = project(spot.lat, spot.lon)
        radius = round(max(spot.radius_m, 30.0) * per_m, 1)
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="{radius}" fill="{HOTSPOT_COLOUR}" fill-opacity="0.08" '
            f'stroke="{HOTSPOT_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>'
        )
    biggest = max((cell.count for cells in around.cells.values() for cell in cells), default=1)
    for type_id, cells in around.cells.items():
        for cell in cells:
            x, y = project(cell.lat, cell.lon)
            radius = round((3 + 0.45 * around.cell_m * per_m * math.sqrt(cell.count / biggest)), 1)
            parts.append(
                f'<circle cx="{x}" cy="{y}" r="{radius}" fill="{colours.get(type_id, "#555")}" '
                'fill-opacity="0.5" stroke="#ffffff" stroke-width="0.8"/>'
            )
    for shop in around.competitors:
        x, y = project(shop.lat, shop.lon)
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="5.5" fill="#ffffff" '
            f'stroke="{colours.get(shop.shop_type_id, "#555")}" stroke-width="3"/>'
        )
    parts.append(
        f'<circle cx="{half}" cy="{half}" r="9" fill="{PREMISE_COLOUR}" stroke="#ffffff" '
        'stroke-width="3"/>'
    )
    parts.append("</g>")
    # A 100 m scale bar and a north arrow: a printed map must be readable on its own.
    bar = round(100 * per_m, 1)
    parts.append(
        f'<g font-family="sans-serif" font-size="13" fill="#212529">'
        f'<rect x="16" y="{SVG_SIZE - 26}" width="{bar}" height="5" fill="#212529"/>'
        f'<text x="16" y="{SVG_SIZE - 32}">100 m</text>'
        f'<text x="{SVG_SIZE - 24}" y="28" font-weight="bold">N</text>'
        f'<path d="M{SVG_SIZE - 19} 34 l-6 14 h12 z" fill="#212529"/></g>'
    )
    parts.append(
        f'<rect width="{SVG_SIZE}" height="{SVG_SIZE}" fill="none" stroke="#adb5bd"/></svg>'
    )
    return Markup("".join(parts))


def svg_scores(bars: Sequence[tuple[str, int, bool]], title: str) -> Markup:
    """Return horizontal bars of gap scores (label, score 0–100, is_headline) as inline SVG."""
    # 182 px of label: a 20-character label in DejaVu Sans 15 px (WeasyPrint's sans-serif here)
    # measures up to ~170 px ('Instruments de musi…'); at 150 the PDF cut 'Vélociste et répara…'.
    row, label_w, bar_w = 26, 190, 180
    height = row * len(bars) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" role="img" '
        f'viewBox="0 0 {label_w + bar_w + 60} {height}" width="{label_w + bar_w + 60}" '
        f'height="{height}"><title>{escape(title)}</title>'
        '<g font-family="sans-serif" font-size="15" fill="#212529">'
    ]
    for index, (label, score, first) in enumerate(bars):
        y = 4 + index * row
        width = round(bar_w * max(min(score, 100), 0) / 100, 1)
        colour = "#1b5e20" if first else "#4f7cac"
        short = label if len(label) <= 20 else label[:19] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="16" fill="#e9ecef"/>'
            f'<rect x="{label_w}" y="{y + 4}" width="{width}" height="16" fill="{colour}"/>'
            f'<text x="{label_w + bar_w + 8}" y="{y + 17}">{score}</text>'
        )
    parts.append("</g></svg>")
    return Markup("".join(parts))
