"""An agency ranks its portfolio by demand, filters it by shop type and downloads it as CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from browser_support import log_in_as
from playwright.sync_api import Page, expect


def _scores(page: Page) -> list[int]:
    """The Score column of the table, top to bottom (— counts as -1)."""
    cells = page.locator("table.portfolio-table tbody tr td.number strong")
    return [int(text) for text in cells.all_inner_texts()]


def test_agency_ranks_filters_and_downloads_its_portfolio(
    page: Page, live_server: str, artifacts: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in_as(page, live_server, "agency")
    page.get_by_role("link", name="Portfolio").click()
    expect(page.get_by_role("heading", name="Portfolio", exact=True)).to_be_visible()
    rows = page.locator("table.portfolio-table tbody tr")
    expect(rows.first).to_be_visible()
    # Ranked by score by default: strongest unmet demand first.
    scores = _scores(page)
    assert scores and scores == sorted(scores, reverse=True)
    # Re-sort by days vacant through the column header, then back to score with the form.
    page.get_by_role("link", name="Days vacant").click()
    expect(page).to_have_url(f"{live_server}/portfolio/?sort=days")
    page.select_option("#sort", "score")
    top_type = rows.first.locator(".type-scores li .type-name").first.inner_text().split(" ", 1)[1]
    page.select_option("#type", label=top_type)
    page.get_by_role("button", name="Show").click()
    expect(page.locator("caption")).to_contain_text(top_type)
    ranked = _scores(page)
    assert ranked == sorted(ranked, reverse=True) and ranked[0] <= scores[0]
    page.screenshot(path=str(artifacts / "portfolio-desktop.png"), full_page=True)
    # The CSV holds the same rows, filtered the same way.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("wishmap-portfolio-")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    records = list(csv.DictReader(io.StringIO(text)))
    shown = page.locator("table.portfolio-table tbody th[scope=row] a").all_inner_texts()
    assert [r["address"] for r in records][: len(shown)] == shown
    assert all(r["type_1"] for r in records[:1])
    # Each row opens the premise's report.
    page.locator("table.portfolio-table tbody th[scope=row] a").first.click()
    expect(page).to_have_url(re.compile(r"/insights/premises/\d+$"))
    assert errors == []


def test_portfolio_and_ranking_on_a_phone(phone: Page, live_server: str, artifacts: Path) -> None:
    page = phone
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in_as(page, live_server, "agency")
    page.goto(live_server + "/portfolio/")
    expect(page.locator("table.portfolio-table")).to_be_visible()
    # Each premise is a card: nothing scrolls sideways, the score and best types are in view.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator(".table-scroll")
    assert box.evaluate("el => el.scrollWidth <= el.clientWidth")
    first = page.locator("table.portfolio-table tbody tr").first
    score = first.locator("td[data-label=Score] strong")
    expect(score).to_be_visible()
    where = score.bounding_box()
    assert where is not None and where["x"] + where["width"] <= 390
    expect(first.locator(".type-scores li").first).to_be_visible()
    expect(page.locator("#min_score")).to_be_visible()
    page.screenshot(path=str(artifacts / "portfolio-phone-filters.png"))
    page.locator(".downloads").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "portfolio-phone.png"))
    page.get_by_role("link", name="Where should a … go?", exact=False).click()
    page.select_option("#type", "bakery")
    page.get_by_role("button", name="Rank my premises").click()
    expect(page.get_by_role("heading", name="Where should a bakery go?")).to_be_visible()
    expect(page.locator(".portfolio-map path.leaflet-interactive").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts / "portfolio-where-phone.png"), full_page=True)
    assert errors == []
