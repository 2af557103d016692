"""Static files: compressed, cached for a year under versioned URLs; shop-type icons as SVG."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
from factories import make_premise, make_user, make_wish
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web import log_in
from werkzeug.test import TestResponse

from wishmap import ROOT
from wishmap.assets import compressed_copy, static_version
from wishmap.taxonomy import SHOP_TYPES
from wishmap.type_icons import FALLBACK, ICONS, icon_path

# Emoji and pictographs (the taxonomy's former icons among them), and the variation selector.
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\ufe0f]")


ICON = re.compile(r'<img class="type-icon" src="/static/[0-9a-f]{12}/vendor/maki/library\.svg"')


def _fetch(client: FlaskClient, url: str, encoding: str = "identity") -> TestResponse:
    """Return the answer with its body read and its file closed (WhiteNoise streams files)."""
    answer = client.get(url, headers={"Accept-Encoding": encoding})
    answer.get_data()
    answer.close()
    return answer


def _static_urls(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', page)


def test_static_files_go_out_compressed_and_cacheable_for_good(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    urls = _static_urls(page)
    leaflet = next(url for url in urls if url.endswith("/vendor/leaflet/leaflet.js"))
    assert re.fullmatch(r"/static/[0-9a-f]{12}/vendor/leaflet/leaflet\.js", leaflet)
    raw = (ROOT / "static/vendor/leaflet/leaflet.js").read_bytes()
    zipped = _fetch(client, leaflet, "gzip")
    assert zipped.status_code == 200
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == raw and len(zipped.data) < len(raw) / 3
    assert zipped.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert zipped.headers["X-Content-Type-Options"] == "nosniff"
    assert zipped.mimetype == "text/javascript"
    smaller = _fetch(client, leaflet, "gzip, br")
    assert smaller.headers["Content-Encoding"] == "br" and brotli.decompress(smaller.data) == raw
    # A client that takes no compression gets the file as it is.
    plain = _fetch(client, leaflet)
    assert "Content-Encoding" not in plain.headers and plain.data == raw
    # Every asset the map page names is served, under the same version.
    for url in urls:
        assert _fetch(client, url).status_code == 200, url
    assert len({url.split("/")[2] for url in urls}) == 1


def test_unversioned_urls_still_work_but_are_cached_briefly(client: FlaskClient) -> None:
    answer = _fetch(client, "/static/css/wishmap.css", "gzip")
    assert answer.status_code == 200 and answer.headers["Content-Encoding"] == "gzip"
    assert answer.headers["Cache-Control"] == "max-age=60, public"
    assert _fetch(client, "/static/no-such-file.js").status_code == 404


def test_the_version_changes_with_any_file(tmp_path: Path) -> None:
    root = tmp_path / "static"
    (root / "js").mkdir(parents=True)
    (root / "js" / "a.js").write_text("var a = 1;" * 50)
    (root / "b.png").write_bytes(b"\x89PNG")
    first = static_version(root)
    assert static_version(root) == first and len(first) == 12
    (root / "js" / "a.js").write_text("var a = 2;" * 50)
    second = static_version(root)
    assert second != first
    build = compressed_copy(root, tmp_path / "build" / second)
    assert (build / "js" / "a.js.gz").is_file() and (build / "js" / "a.js.br").is_file()
    assert not (build / "b.png.gz").exists()  # images are compressed already
    assert compressed_copy(root, build) == build  # built once per version


def test_every_shop_type_has_a_vendored_svg_icon(app: Flask) -> None:
    assert {spec.code for spec in SHOP_TYPES} <= set(ICONS)
    assert icon_path("not-a-type") == f"vendor/maki/{FALLBACK}.svg"
    for code in [*ICONS, None]:
        svg = ROOT / "static" / icon_path(code)
        assert svg.is_file(), svg
        assert svg.read_text().lstrip().startswith("<?xml") and "<svg" in svg.read_text()
    assert (ROOT / "static/vendor/maki/LICENSE").read_text().startswith("CC0 1.0 Universal")
    with app.test_request_context():
        assert url_for("static", filename=icon_path("books")).endswith("/vendor/maki/library.svg")


def test_resident_pages_draw_type_icons_as_svg_not_emoji(
    client: FlaskClient, session: Session
) -> None:
    premise = make_premise(session)
    user = make_user(session)
    make_wish(session, user=user, premise=premise, code="books")
    log_in(client, user)
    for path in ["/", f"/premises/{premise.id}", "/me/", f"/wishes/new?premise={premise.id}"]:
        page = client.get(path).get_data(as_text=True)
        assert not EMOJI.search(page), (path, EMOJI.findall(page))
        if path != "/":  # the map draws its icons from the GeoJSON, in map.js
            assert ICON.search(page), path
    summary = client.get(f"/api/premises/{premise.id}").get_json()
    assert summary["types"][0]["icon"] == "library"
