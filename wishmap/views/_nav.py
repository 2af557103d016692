"""Small helpers shared by the views: safe redirects, JSON errors, numbers, the base map."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import current_app, jsonify, request, url_for
from werkzeug.wrappers import Response

from wishmap import db
from wishmap.services.extent import MAX_FIT_ZOOM, WORLD_CENTER, WORLD_ZOOM, data_extent

if TYPE_CHECKING:
    import folium


def safe_path(target: str | None, fallback: str) -> str:
    """Return target if it is a path on this site, else fallback: no open redirects."""
    if target:
        parts = urlsplit(target)
        # "//host", "////host" and "/\\host" are other sites to a browser, which also drops
        # tabs and newlines from URLs ("/\t/host"): only one slash and no control character.
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
            and all(ord(char) >= 0x20 and char != "\x7f" for char in target)
        ):
            return target
    return fallback


# The largest id or page a database holds: PostgreSQL's integer columns are 32-bit, and a
# larger number bound against one is an error there, not "not found".
MAX_WHOLE = 2**31 - 1


def whole_number(value: str | None) -> int | None:
    """Return value as a whole number from 0 to MAX_WHOLE, or None if it is not one."""
    raw = (value or "").strip()
    if not raw.isdigit() or len(raw) > 16:
        return None
    number = int(raw)
    return number if number <= MAX_WHOLE else None


def wants_json() -> bool:
    """Return True when the client asked for JSON (the map's fetch calls) rather than a page."""
    return request.accept_mimetypes.best == "application/json"


def json_error(message: str, status: int = 400) -> tuple[Response, int]:
    """Return a JSON error body {"error": message} with status."""
    return jsonify({"error": message}), status


def configured_base_map() -> folium.Map:
    """Return an empty map set up from the app's config: tiles, local Leaflet, and the view.

    The view is WISHMAP_MAP_CENTER and MAP_ZOOM when set, or else fits the imported data.
    """
    # folium (and the requests it pulls in) is imported by the pages that draw a map, not at
    # start-up: every process, `flask analyse` included, paid ~0.3 s of CPU for it.
    from wishmap.maps import base_map

    config = current_app.config
    center, zoom = config["MAP_CENTER"], config["MAP_ZOOM"]
    extent = None if center else data_extent(db.session())
    if not center:
        center, zoom = (extent.center, zoom) if extent else (WORLD_CENTER, WORLD_ZOOM)
    fmap = base_map(
        center=center,
        zoom=zoom,
        tile_url=config["TILE_URL"],
        attribution=config["TILE_ATTRIBUTION"],
        static_url=lambda path: url_for("static", filename=path),
    )
    if extent is not None:
        fmap.fit_bounds(extent.corners(), padding=(12, 12), max_zoom=MAX_FIT_ZOOM)
    return fmap
