"""A newcomer's first screen: the demo district on the real streets of Paris 19th.

Screenshots are kept in test-artifacts/ (demo-first-screen-desktop.png, -phone.png). Tests run
without tiles, so the streets on them are the map's own vector layer of the imported streets.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

# Around the whole demo area (wishmap/demo/paris19/area.geojson), with room to spare.
DEMO_AREA = "2.365,48.868,2.392,48.890"


@pytest.fixture
def small_phone(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A 360×740 touch screen, a common small Android phone."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        page.screenshot(path=str(Path("test-artifacts") / f"FAILED-{request.node.name}.png"))
    context.close()


def _first_screen(page: Page, live_server: str, screenshot: Path) -> dict:
    """Open the map, wait for its premises and streets, save the screenshot; return facts."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    with page.expect_response(lambda r: "/api/streets.geojson?bbox=" in r.url) as answer:
        page.goto(live_server + "/")
    streets = answer.value.json()["features"]
    expect(page.locator(".leaflet-marker-icon.pin").first).to_be_visible()
    lines = page.locator(".leaflet-overlay-pane path")
    expect(lines.first).to_be_attached()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(screenshot))
    vacant = page.request.get(f"{live_server}/api/premises.geojson?bbox={DEMO_AREA}").json()
    assert errors == []
    return {
        "street_names": {street["properties"]["name"] for street in streets},
        "lines_drawn": lines.count(),
        # Premises drawn one by one, plus those gathered in clusters at this zoom.
        "markers": page.locator(".leaflet-marker-icon.pin").count()
        + sum(
            int(count)
            for count in page.locator(".pin-cluster [data-premises]").evaluate_all(
                "nodes => nodes.map(n => n.dataset.premises)"
            )
        ),
        "vacant": len(vacant["features"]),
        "status": page.locator("[data-status]").inner_text(),
    }


def test_demo_first_screen_desktop(page: Page, live_server: str, artifacts: Path) -> None:
    facts = _first_screen(page, live_server, artifacts / "demo-first-screen-desktop.png")
    # The real streets of the neighbourhood, drawn as lines under the premises.
    assert {"Avenue Secrétan", "Rue de Meaux", "Rue de Belleville"} <= facts["street_names"]
    assert facts["lines_drawn"] >= 100
    # The map opened on the data (no WISHMAP_MAP_CENTER): every vacant premise is in view.
    assert facts["markers"] == facts["vacant"] > 5
    assert facts["status"] == f"{facts['vacant']} vacant premises in view"


def test_demo_first_screen_phone(small_phone: Page, live_server: str, artifacts: Path) -> None:
    page = small_phone
    facts = _first_screen(page, live_server, artifacts / "demo-first-screen-phone.png")
    assert "Avenue Secrétan" in facts["street_names"]
    assert facts["lines_drawn"] >= 100
    assert facts["markers"] == facts["vacant"]
    box = page.locator(".folium-map").bounding_box()
    assert box is not None and box["y"] < 740, "the map starts on the first screen"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
