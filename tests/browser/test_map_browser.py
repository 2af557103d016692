"""What a visitor sees of the map, in headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect


def test_map_loads_premises_and_demand_for_the_view(
    page: Page, live_server: str, artifacts: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(live_server + "/")
    markers = page.locator(".leaflet-marker-icon.pin")
    expect(markers.first).to_be_visible()
    expect(page.locator("[data-status]")).to_contain_text("vacant premises in view")
    assert 5 <= markers.count() <= 40  # the vacant ones only, about 15 % of 120
    assert any("/api/premises.geojson?bbox=" in url for url in requests)
    assert any("/api/demand.geojson?bbox=" in url for url in requests)
    # Every marker says how much demand it carries, for sighted and screen-reader users alike.
    label = markers.first.get_attribute("aria-label")
    assert re.search(r"— \d+ wishes$", label), label
    page.screenshot(path=str(artifacts / "map-desktop.png"))

    # Filtering the demand layer by a shop type asks for that type only.
    with page.expect_response(re.compile(r"/api/demand\.geojson\?.*type=bakery")) as answer:
        page.get_by_label("Shop type", exact=True).select_option("bakery")
    assert answer.value.ok and answer.value.json()["cell_m"] >= 100

    # The address search finds a street of the district and moves the map there.
    page.get_by_label("Find an address or a street").fill("secretan")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Avenue Secrétan", exact=True).click()
    expect(markers.first).to_be_visible()

    # A free wish: tap a point of the map, get a link to the wish form for that point.
    page.get_by_role("button", name="Wish at a point").click()
    page.locator(".folium-map").click(position={"x": 40, "y": 300})
    link = page.locator(".leaflet-popup-content a", has_text="Wish for a shop here")
    expect(link).to_have_attribute("href", re.compile(r"/wishes/new\?lat=[\d.]+&lon=[\d.]+"))
    assert errors == []
    assert all(url.startswith(live_server) for url in requests), "every asset is served locally"


def test_map_fits_a_phone(phone: Page, live_server: str, artifacts: Path) -> None:
    page = phone
    page.goto(live_server + "/")
    expect(page.locator(".leaflet-marker-icon.pin").first).to_be_visible()
    box = page.locator(".folium-map").bounding_box()
    assert box is not None and box["width"] <= 390 and box["height"] > 400
    assert box["y"] < 844, "the map starts on the first screen"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no sideways scrolling on a phone"
    page.screenshot(path=str(artifacts / "map-phone.png"))
