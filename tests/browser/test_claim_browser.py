"""An owner claims a premise from its page in headless Chromium; an admin approves it."""

from __future__ import annotations

from pathlib import Path

from browser_support import log_in_as
from playwright.sync_api import Browser, Page, expect


def _managed_links(page: Page, live_server: str) -> set[str]:
    page.goto(live_server + "/claims/")
    return set(
        page.locator("ul.managed a[href^='/premises/']").evaluate_all(
            "links => links.map(link => link.getAttribute('href'))"
        )
    )


def test_owner_claims_a_premise_from_its_page(
    page: Page, browser: Browser, live_server: str, artifacts: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    agency = browser.new_context().new_page()
    log_in_as(agency, live_server, "agency")
    taken = _managed_links(agency, live_server)
    log_in_as(page, live_server, "owner")
    taken |= _managed_links(page, live_server)
    # A vacant premise that nobody manages yet.
    page.goto(live_server + "/premises/")
    links = page.locator("main table a[href^='/premises/']").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    target = next(href for href in links if href not in taken)
    page.goto(live_server + target)
    address = page.locator("h1").inner_text()
    button = page.get_by_role("button", name="I manage this premise")
    expect(button).to_be_visible()
    # The internal reference is for its managers: not on the page yet.
    expect(page.locator("dd[data-ref]")).to_have_count(0)
    page.screenshot(path=str(artifacts / "claim-button-premise-page.png"))
    button.click()
    expect(page.get_by_role("status").first).to_contain_text("Your claim is filed")
    expect(page.locator(".claim-state")).to_contain_text("waiting for a decision")
    page.screenshot(path=str(artifacts / "claim-from-premise-page.png"), full_page=True)

    # An admin approves it on the claims page.
    admin = browser.new_context().new_page()
    log_in_as(admin, live_server, "admin")
    admin.goto(live_server + "/claims/")
    claim = admin.locator("li", has_text=address).filter(has=admin.locator("form"))
    claim.get_by_role("button", name="Approve").click()
    expect(admin.get_by_role("status").first).to_contain_text("Claim approved")

    # The owner now finds it, as a link, among the premises they manage, with its reference.
    page.goto(live_server + "/claims/")
    page.screenshot(path=str(artifacts / "claims-managed-list.png"), full_page=True)
    page.locator("ul.managed").get_by_role("link", name=address, exact=True).click()
    expect(page.locator("h1")).to_have_text(address)
    expect(page.locator("dd[data-ref]")).not_to_be_empty()
    expect(page.get_by_role("button", name="I manage this premise")).to_have_count(0)
    page.screenshot(path=str(artifacts / "claim-approved-premise-page.png"), full_page=True)

    # From the same list, the shop types the owner will not let to.
    page.goto(live_server + "/claims/")
    page.get_by_role("link", name="Shop types you will not let to").click()
    page.get_by_label("Phone shop").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text("Excluded shop types saved")
    expect(page.get_by_label("Phone shop")).to_be_checked()
    page.screenshot(path=str(artifacts / "exclusions-page.png"), full_page=True)
    # Leave the shared demo as it was for the other browser tests.
    page.get_by_label("Phone shop").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_label("Phone shop")).not_to_be_checked()
    assert errors == []
    agency.context.close()
    admin.context.close()
