"""Follow a premise on a 360 × 740 phone: a visitor is sent to log in and comes back, follows,
and finds the premise on My wishes; its share preview is a 1200 × 630 PNG. axe-core finds
nothing on either page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from browser_support import wait_popup_settled
from conftest import ARTIFACTS
from PIL import Image
from playwright.sync_api import Browser, Locator, Page, expect
from test_accessibility_browser import _axe

from wishmap.services.demo import DEMO_DOMAIN, DEMO_PASSWORD

WIDTH, HEIGHT = 360, 740


@pytest.fixture
def small_phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="en-GB",
        bypass_csp=True,  # so that axe-core can be injected
    )
    page = context.new_page()
    yield page
    context.close()


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_follow_a_premise_on_a_phone_and_find_it_on_my_wishes(
    small_phone: Page, live_server: str, artifacts: Path
) -> None:
    page = small_phone
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server + "/premises/")
    premise_path = page.locator("table.premises a").nth(2).get_attribute("href") or ""
    page.goto(live_server + premise_path)
    address = page.get_by_role("heading", level=1).inner_text()

    # The preview a shared link shows: an absolute URL to a 1200 × 630 PNG.
    image_url = page.locator('meta[property="og:image"]').get_attribute("content") or ""
    assert image_url.startswith(live_server + premise_path + "/preview.png")
    answer = page.request.get(image_url)
    assert answer.ok and answer.headers["content-type"] == "image/png"
    assert Image.open(BytesIO(answer.body())).size == (1200, 630)
    (artifacts / "follow-phone-share-preview.png").write_bytes(answer.body())

    # A visitor who taps Follow logs in and comes back to the premise.
    page.get_by_role("link", name="Follow this premise").click()
    expect(page).to_have_url(re.compile(r"/account/login\?next=(/|%2F)premises(/|%2F)\d+$"))
    page.get_by_label("E-mail").fill(f"resident@{DEMO_DOMAIN}")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server + premise_path)

    follow = page.get_by_role("button", name="Follow this premise")
    follow.scroll_into_view_if_needed()
    follow.click()
    expect(page.locator(".flashes")).to_contain_text("You follow this premise")
    expect(page.get_by_role("button", name="Unfollow")).to_be_visible()
    _fits(page)
    page.screenshot(path=str(ARTIFACTS / "follow-phone-premise.png"))
    audit = {"premise (following)": _axe(page)}

    page.goto(live_server + "/me/")  # on a phone the header's links fold behind Menu
    followed = page.locator("section.following li", has_text=address)
    expect(followed).to_have_count(1)
    followed.scroll_into_view_if_needed()
    _fits(page)
    page.screenshot(path=str(ARTIFACTS / "follow-phone-my-wishes.png"))
    audit["my wishes (following)"] = _axe(page)

    # Unfollow from My wishes (the demo resident is shared with the other browser tests).
    followed.get_by_role("button", name=re.compile("^Unfollow")).click()
    expect(page.locator(".flashes")).to_contain_text("You no longer follow this premise.")
    expect(page.locator("section.following li", has_text=address)).to_have_count(0)
    (ARTIFACTS / "axe-follow-phone-report.json").write_text(
        json.dumps({name: [(v["id"], v["impact"]) for v in found] for name, found in audit.items()})
    )
    found = {
        name: [(v["id"], v["impact"], v["nodes"][0]["target"]) for v in violations]
        for name, violations in audit.items()
        if violations
    }
    assert found == {}, found
    assert errors == []


def _popup_fully_on_screen(page: Page, popup: Locator) -> None:
    """The popup lies inside both the screen and the map (the panel above would cover it)."""
    box = popup.bounding_box()
    frame = page.locator(".folium-map").bounding_box()
    assert box is not None and frame is not None
    top, bottom = max(0, frame["y"]), min(HEIGHT, frame["y"] + frame["height"])
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
    assert top <= box["y"] and box["y"] + box["height"] <= bottom, (box, frame)
    _fits(page)


def _open_popup(page: Page) -> tuple[str, Locator]:
    """Tap a premise that has wishes; return its address and its popup, drawn in full."""
    marker = page.locator(".leaflet-marker-icon.pin-1, .leaflet-marker-icon.pin-2").first
    expect(marker).to_be_visible()
    # The map reloads its premises as it settles; a marker redrawn then would close its popup.
    page.wait_for_load_state("networkidle")
    address = (marker.get_attribute("aria-label") or "").split(" — ")[0]
    marker.click()
    popup = page.locator(".leaflet-popup")
    expect(popup.locator(".popup-follow")).to_be_visible()
    wait_popup_settled(page)
    return address, popup


def test_follow_from_the_map_popup_on_a_phone(
    small_phone: Page, live_server: str, artifacts: Path
) -> None:
    page = small_phone
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # A visitor's popup offers a link to log in that comes back to the premise's Follow button.
    page.goto(live_server + "/")
    _, popup = _open_popup(page)
    link = popup.locator(".popup-follow").get_by_role("link", name="Follow this premise")
    assert re.search(
        r"/account/login\?next=%2Fpremises%2F\d+%23follow$", link.get_attribute("href") or ""
    )

    page.goto(live_server + "/account/login")
    page.get_by_label("E-mail").fill(f"resident@{DEMO_DOMAIN}")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/account/login"))
    page.goto(live_server + "/")
    address, popup = _open_popup(page)
    _popup_fully_on_screen(page, popup)
    follow = popup.get_by_role("button", name="Follow this premise")
    follow.click()
    expect(popup.get_by_role("button", name="Unfollow")).to_be_visible()
    expect(popup.locator(".popup-follow-said")).to_have_text("You follow this premise.")
    wait_popup_settled(page)  # Leaflet pans the redrawn popup into view
    _popup_fully_on_screen(page, popup)
    page.screenshot(path=str(ARTIFACTS / "follow-phone-map-popup.png"))
    audit = {"map popup (following)": _axe(page)}

    page.goto(live_server + "/me/")
    followed = page.locator("section.following li", has_text=address)
    expect(followed).to_have_count(1)
    followed.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "follow-phone-my-wishes-from-map.png"))
    audit["my wishes (followed from the map)"] = _axe(page)

    # Unfollow from the popup again (the demo resident is shared with the other browser tests).
    page.goto(live_server + "/")
    again, popup = _open_popup(page)
    assert again == address
    popup.get_by_role("button", name="Unfollow").click()
    expect(popup.get_by_role("button", name="Follow this premise")).to_be_visible()
    page.goto(live_server + "/me/")
    expect(page.locator("section.following li", has_text=address)).to_have_count(0)
    found = {
        name: [(v["id"], v["impact"], v["nodes"][0]["target"]) for v in violations]
        for name, violations in audit.items()
        if violations
    }
    assert found == {}, found
    assert errors == []
