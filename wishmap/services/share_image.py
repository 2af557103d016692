"""A premise's share preview image (Open Graph og:image): a 1200 × 630 PNG drawn here.

Messaging apps fetch the image without running JavaScript or loading tiles, so it is drawn
with Pillow from what the database holds: the streets around the premise, a marker on it, its
address and the most wished types, and the attribution of the street data. The ETag is a hash
of everything drawn, so a crawler asking again gets 304 and a changed premise a new image.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from flask_babel import force_locale, ngettext
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy.orm import Session

from wishmap.geo import metric_scale
from wishmap.services.premises import premise_demand
from wishmap.services.report_surroundings import nearby_streets

WIDTH, HEIGHT = 1200, 630  # what Facebook, LinkedIn, Mastodon and X all crop well
METRES_PER_PIXEL = 0.8
MARKER_X, MARKER_Y = 860, 300  # the premise sits right of the text panel
FONTS = Path("/usr/share/fonts/truetype/dejavu")
BACKGROUND = (236, 231, 223)
STREET_CASING = (196, 188, 176)
STREET_FILL = (255, 255, 255)
MARKER = (198, 40, 40)
INK = (33, 33, 33)
_CACHE: OrderedDict[str, bytes] = OrderedDict()
_CACHE_SIZE = 64  # about 60 kB each


@dataclass(frozen=True)
class Preview:
    """Everything the image shows; `etag` changes whenever any of it does."""

    lat: float
    lon: float
    address: str
    wishes_line: str
    type_lines: tuple[str, ...]
    streets: tuple[tuple[tuple[float, float], ...], ...]
    attribution: str
    etag: str


def plain_attribution(text: str) -> str:
    """Return an HTML attribution (as Leaflet takes it) as plain text: tags out, entities read."""
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def premise_preview(
    session: Session, premise_id: int, locale: str, attribution: str
) -> Preview | None:
    """Return what the premise's preview shows, in locale, or None for an unknown premise."""
    demand = premise_demand(session, premise_id, reasons=0)
    if demand is None:
        return None
    premise = demand.premise
    reach_m = max(WIDTH, HEIGHT) * METRES_PER_PIXEL
    lines: list[tuple[tuple[float, float], ...]] = []
    for street in nearby_streets(session, premise, reach_m):
        geometry = street.geometry
        parts = (
            geometry["coordinates"]
            if geometry.get("type") == "MultiLineString"
            else [geometry.get("coordinates", [])]
        )
        lines.extend(tuple((float(x), float(y)) for x, y, *_z in part) for part in parts)
    lines.sort()  # the database's order is not the hash's business
    with force_locale(locale):
        wishes_line = ngettext("%(num)d wish", "%(num)d wishes", demand.total)
    type_lines = tuple(f"{t.label(locale)} · {count}" for t, count in demand.types[:3])
    drawn = [premise.lat, premise.lon, premise.address, wishes_line, type_lines, lines, attribution]
    etag = hashlib.sha256(json.dumps(drawn).encode()).hexdigest()[:32]
    return Preview(
        premise.lat,
        premise.lon,
        premise.address,
        wishes_line,
        type_lines,
        tuple(lines),
        attribution,
        etag,
    )


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)  # Pillow's own font, where DejaVu is not installed


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: object, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:  # type: ignore[arg-type]
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines[:3]


def render_png(preview: Preview) -> bytes:
    """Return the preview as PNG bytes (kept for the last images asked, by ETag)."""
    if preview.etag in _CACHE:
        _CACHE.move_to_end(preview.etag)
        return _CACHE[preview.etag]
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image, "RGBA")
    scale_x, scale_y = metric_scale(preview.lat) / METRES_PER_PIXEL

    def at(lon: float, lat: float) -> tuple[float, float]:
        return (
            MARKER_X + (lon - preview.lon) * scale_x,
            MARKER_Y - (lat - preview.lat) * scale_y,
        )

    for width, colour in ((13, STREET_CASING), (9, STREET_FILL)):
        for line in preview.streets:
            points = [at(lon, lat) for lon, lat in line]
            if len(points) > 1:
                draw.line(points, fill=colour, width=width)
    draw.ellipse((MARKER_X - 30, MARKER_Y - 30, MARKER_X + 30, MARKER_Y + 30), fill=(0, 0, 0, 50))
    draw.ellipse(
        (MARKER_X - 24, MARKER_Y - 24, MARKER_X + 24, MARKER_Y + 24),
        fill=MARKER,
        outline=(255, 255, 255),
        width=6,
    )
    draw.rounded_rectangle((36, 36, 560, 594), radius=18, fill=(255, 255, 255, 235))
    title = _font(44, bold=True)
    y = 64
    for line in _wrap(draw, preview.address, title, 470):
        draw.text((64, y), line, font=title, fill=INK)
        y += 54
    y += 14
    draw.text((64, y), preview.wishes_line, font=_font(34, bold=True), fill=MARKER)
    y += 56
    body = _font(30)
    for line in preview.type_lines:
        draw.text((64, y), line[:30], font=body, fill=INK)
        y += 44
    draw.text((64, 536), "Wishmap", font=_font(30, bold=True), fill=INK)
    small = _font(18)
    note = preview.attribution
    box = draw.textbbox((0, 0), note, font=small)
    left = WIDTH - (box[2] - box[0]) - 24
    draw.rectangle((left - 8, HEIGHT - 36, WIDTH, HEIGHT), fill=(255, 255, 255, 220))
    draw.text((left, HEIGHT - 31), note, font=small, fill=(60, 60, 60))
    out = BytesIO()
    image.save(out, format="PNG")
    png = out.getvalue()
    _CACHE[preview.etag] = png
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return png
