"""What officers and managing agencies see, in headless Chromium: maps and reports work."""

from __future__ import annotations

from pathlib import Path

from browser_support import log_in_as
from playwright.sync_api import Page, expect


def test_officer_reads_statistics_and_the_demand_map(
    page: Page, live_server: str, artifacts: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in_as(page, live_server, "officer")
    page.click("text=Statistics")
    expect(page.locator("table caption")).to_be_visible()
    expect(page.locator(".bar-chart")).to_be_visible()
    with page.expect_download() as download:
        page.click("text=CSV")
    assert download.value.suggested_filename.endswith(".csv")
    page.click("text=See the demand on a map")
    # Streets drawn as coloured lines, districts as areas, hotspots as dashed circles.
    expect(page.locator(".stats-map path.leaflet-interactive").first).to_be_visible()
    assert page.locator(".stats-map path.leaflet-interactive").count() > 15
    expect(page.locator(".legend").first).to_be_visible()
    page.screenshot(path=str(artifacts / "officer-demand-map.png"), full_page=True)
    assert errors == []
