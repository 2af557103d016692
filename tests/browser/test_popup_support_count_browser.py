"""Support from a popup: the popup's count of that type goes up at once."""

from __future__ import annotations

import re

from browser_support import log_in_as
from playwright.sync_api import Page, expect


def test_support_from_the_popup_counts_at_once(page: Page, live_server: str) -> None:
    log_in_as(page, live_server, "resident")
    page.goto(live_server + "/")
    pins = page.locator(".leaflet-marker-icon.pin-1, .leaflet-marker-icon.pin-2")
    expect(pins.first).to_be_visible()
    # The demo resident may have wished some types already: try premises until one accepts.
    for index in range(min(pins.count(), 8)):
        pins.nth(index).click()
        popup = page.locator(".leaflet-popup")
        expect(popup.locator(".popup-support")).to_be_visible()
        count = popup.locator(".popup-types li strong").first
        before = int(count.inner_text())
        with page.expect_response(re.compile(r"/wishes/support$")) as answer:
            popup.locator(".popup-support").click()
        if answer.value.status == 201:
            # It stayed at its old figure before: the resident saw no change after "Supported".
            expect(count).to_have_text(str(before + 1))
            expect(popup.locator(".popup-support")).to_have_text("Supported")
            return
        page.keyboard.press("Escape")
    raise AssertionError("no premise accepted the resident's support")
