"""The officers' dashboard and statistics in a browser: axe-core audit, desktop and phone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import log_in_as
from conftest import AXE
from playwright.sync_api import Browser, Page, expect

SERIOUS = {"serious", "critical"}


@pytest.fixture
def audited(browser: Browser) -> Iterator[Page]:
    """A desktop page that may inject axe-core (the CSP rightly refuses injected scripts)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def small(browser: Browser) -> Iterator[Page]:
    """A phone-sized touch page."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
        device_scale_factor=2, bypass_csp=True,
    )  # fmt: skip
    yield context.new_page()
    context.close()


def _serious(page: Page) -> list[tuple[str, str]]:
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )["violations"]
    return [(v["id"], v["impact"]) for v in violations if v["impact"] in SERIOUS]


def test_dashboard_and_statistics_pass_axe_on_desktop(
    audited: Page, live_server: str, artifacts: Path
) -> None:
    page = audited
    log_in_as(page, live_server, "officer")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.locator(".key-figures li")).to_have_count(5)
    expect(page.locator(".stats-chart svg.columns rect")).to_have_count(12)
    page.screenshot(path=str(artifacts / "dashboard-desktop.png"), full_page=True)
    found = {"dashboard": _serious(page)}
    for name, path in {
        "statistics": "/statistics/?by=street&then=month",
        "statistics by month": "/statistics/?by=month",
    }.items():
        page.goto(live_server + path)
        found[name] = _serious(page)
    page.goto(live_server + "/statistics/?by=district")
    page.screenshot(path=str(artifacts / "statistics-desktop.png"), full_page=True)
    (artifacts / "axe-dashboard.json").write_text(json.dumps(found, indent=2))
    assert found == {name: [] for name in found}, found


def test_dashboard_on_a_phone(small: Page, live_server: str, artifacts: Path) -> None:
    page = small
    log_in_as(page, live_server, "officer")
    page.goto(live_server + "/dashboard/")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    # Nothing scrolls sideways: the tiles wrap and each district becomes a card.
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width
    page.screenshot(path=str(artifacts / "dashboard-phone.png"), full_page=True)
    assert _serious(page) == []
    page.goto(live_server + "/statistics/")
    page.screenshot(path=str(artifacts / "statistics-phone.png"), full_page=True)
