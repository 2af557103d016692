"""Steps the browser tests share."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from wishmap.services.demo import DEMO_DOMAIN, DEMO_PASSWORD


def log_in_as(page: Page, live_server: str, who: str) -> None:
    """Log in through the form as the demo account `who` (resident, owner, agency, officer…)."""
    page.goto(live_server + "/account/login")
    page.get_by_label("E-mail").fill(f"{who}@{DEMO_DOMAIN}")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    # On a phone the header's links wait behind Menu: present, not necessarily visible.
    expect(page.locator(".main-nav a", has_text="My wishes")).to_be_attached()


def header_link(page: Page, name: str, exact: bool = False) -> Locator:
    """Return the header's link called name, opening the Menu first where it folds (a phone)."""
    menu = page.locator(".menu-toggle")
    if menu.is_visible() and menu.get_attribute("aria-expanded") != "true":
        menu.click()
    return page.locator(".site-header").get_by_role("link", name=name, exact=exact)
