"""Accessibility: an axe-core audit of every resident page, and the wish flow by keyboard alone."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import log_in_as
from conftest import AXE
from playwright.sync_api import Browser, Page, expect

SERIOUS = {"serious", "critical"}


@pytest.fixture
def audited(browser: Browser) -> Iterator[Page]:
    """A page that may inject axe-core (our CSP rightly refuses injected scripts otherwise)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    yield context.new_page()
    context.close()


def _axe(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return result["violations"]


def test_axe_finds_no_serious_violation(audited: Page, live_server: str, artifacts: Path) -> None:
    page = audited
    page.goto(live_server + "/premises/")
    first = page.locator("table.premises a").first.get_attribute("href")
    pages = {
        "map": "/",
        "premise list": "/premises/",
        "premise (visitor)": first,
    }
    report: dict[str, list[dict]] = {}
    for name, path in pages.items():
        page.goto(live_server + path)
        if name.startswith("map"):
            expect(page.locator(".leaflet-marker-icon.pin").first).to_be_visible()
        report[name] = _axe(page)
    log_in_as(page, live_server, "resident")
    page.goto(live_server + first)
    page.get_by_label("Search the list of shop types").fill("book")
    page.locator("input[type=radio][value=books]").check()
    page.get_by_role("button", name="Make this wish").click()
    expect(page.locator(".flashes")).to_be_visible()
    for name, path in {
        "premise (resident)": first,
        "wish form": first.replace("/premises/", "/wishes/new?premise=") + "&type=bakery",
        "my wishes": "/me/",
    }.items():
        page.goto(live_server + path)
        report[name] = _axe(page)
    page.goto(live_server + "/")
    page.get_by_role("button", name="Français").click()
    expect(page.locator(".leaflet-marker-icon.pin").first).to_be_visible()
    report["map (French, resident)"] = _axe(page)
    # The choice is remembered for the account: give the next tests their English back.
    page.get_by_role("button", name="English").click()
    summary = {
        name: dict(Counter(v["impact"] for v in violations)) for name, violations in report.items()
    }
    (artifacts / "axe-report.json").write_text(
        json.dumps(
            {
                "summary": summary,
                "violations": {
                    name: [
                        {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])}
                        for v in violations
                    ]
                    for name, violations in report.items()
                },
            },
            indent=2,
        )
    )
    serious = {
        name: [(v["id"], v["impact"], v["nodes"][0]["target"]) for v in violations]
        for name, violations in report.items()
        if any(v["impact"] in SERIOUS for v in violations)
    }
    assert serious == {}, serious


def test_wish_by_keyboard_alone(page: Page, live_server: str, artifacts: Path) -> None:
    log_in_as(page, live_server, "resident")
    page.goto(live_server + "/premises/")
    # The list is the way in that needs no map: tab to a premise and open it.
    page.get_by_role("link", name=re.compile(r"^\d+ ")).nth(2).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="What residents wish here")).to_be_visible()

    def tab_to(selector: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({json.dumps(selector)})"):
                return
        raise AssertionError(f"{selector} is not reachable with Tab")

    tab_to(".picker-filter")
    page.keyboard.type("pharm")
    page.keyboard.press("Enter")  # picks the first match
    assert page.evaluate("document.activeElement.value") == "pharmacy"
    expect(page.locator("input[type=radio][value=pharmacy]")).to_be_checked()
    tab_to("input[name=frequency]")
    page.keyboard.press("Space")
    tab_to("textarea[name=reason]")
    page.keyboard.type("The nearest one is 15 minutes away.")
    tab_to("button[type=submit].primary")
    page.keyboard.press("Enter")
    expect(page.locator(".flashes")).to_contain_text("counts now")
    expect(page.locator("li[data-type=pharmacy] .yours")).to_be_visible()
    page.screenshot(path=str(artifacts / "keyboard-wish-done.png"))
