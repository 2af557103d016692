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


def test_agency_ranks_tenant_candidates_for_a_premise(
    phone: Page, live_server: str, artifacts: Path
) -> None:
    page = phone
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in_as(page, live_server, "agency")
    page.goto(live_server + "/insights/")
    page.locator("table.premises a").first.click()
    expect(page.locator("h2", has_text="What the surroundings ask for")).to_be_visible()
    page.select_option("#shop_type-0", "bakery")
    page.fill("#min_surface_m2-0", "30")
    page.fill("#max_surface_m2-0", "150")
    page.fill("#max_rent-0", "5000")
    page.select_option("#shop_type-1", "books")
    page.fill("#min_surface_m2-1", "30")
    page.fill("#max_surface_m2-1", "150")
    page.fill("#max_rent-1", "5000")
    page.click("text=Rank candidates")
    ranked = page.locator("ol.matches li")
    expect(ranked).to_have_count(2)
    expect(ranked.first).to_contain_text(": gap")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts / "agency-matching-phone.png"), full_page=True)
    assert errors == []
