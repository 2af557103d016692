"""What a visitor sees of the map, in headless Chromium."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect


def test_map_shows_premises_and_opens_a_popup(
    page: Page, live_server: str, artifacts: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(live_server + "/")
    markers = page.locator("path.leaflet-interactive")
    # 120 premises plus 15 streets, all drawn as SVG paths by Leaflet.
    expect(markers).to_have_count(135)
    intro = page.locator(".map-intro p").inner_text()
    vacant = int(intro.split(" of ")[0])
    assert 5 <= vacant <= 40
    # The biggest circles are the vacant premises with the most wishes; click the first one.
    page.locator("path.leaflet-interactive[fill='#d9480f']").first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Address")
    expect(popup).to_contain_text("Wishes")
    page.screenshot(path=str(artifacts / "map-desktop.png"))
    assert errors == []
    assert all(url.startswith(live_server) for url in requests), "every asset is served locally"


def test_map_fits_a_phone(browser: Browser, live_server: str, artifacts: Path) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    page.goto(live_server + "/")
    expect(page.locator("path.leaflet-interactive").first).to_be_visible()
    box = page.locator(".folium-map").bounding_box()
    assert box is not None and box["width"] <= 390 and box["height"] > 400
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no sideways scrolling on a phone"
    page.screenshot(path=str(artifacts / "map-phone.png"))
    context.close()
