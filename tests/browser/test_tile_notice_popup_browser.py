"""Tiles that fail while a popup is open: the notice waits, and never covers the popup."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from browser_support import demo_app
from playwright.sync_api import Browser, Route, expect
from web import serving

from wishmap.services.demo import DemoSize


@pytest.fixture(scope="module")
def slow_tiles_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A small demo whose tiles come from a host the test answers (or fails) by hand."""
    folder = tmp_path_factory.mktemp("slow-tiles")
    app = demo_app(
        folder,
        seed=5,
        size=DemoSize(premises=60, shops=20, residents=100, wishes=300),
        TILE_URL="http://tiles.example/{z}/{x}/{y}.png",
    )
    with serving(app) as url:
        yield url


def test_tiles_failing_under_an_open_popup(browser: Browser, slow_tiles_server: str) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    held: list[Route] = []
    context.route(re.compile(r"^http://tiles\.example/"), lambda route: held.append(route))
    page = context.new_page()
    page.goto(slow_tiles_server + "/", wait_until="domcontentloaded")
    page.locator(".leaflet-marker-icon.pin").first.click()
    popup = page.locator(".leaflet-popup")
    expect(popup.locator(".popup-title")).to_be_visible()
    for route in held:  # the tile server gives up only now, with the popup open
        route.abort()
    notice = page.locator("[data-tile-notice]")
    expect(page.locator(".folium-map.tiles-failed")).to_be_attached()
    # Before, the notice came up over the popup's title and caught the clicks on its close button.
    expect(notice).to_be_hidden()
    popup.locator(".leaflet-popup-close-button").click(timeout=5000)
    expect(notice).to_be_visible()
    context.close()
