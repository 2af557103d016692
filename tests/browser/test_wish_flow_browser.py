"""A visitor's journey in headless Chromium: register, wish, support, withdraw, speak Dutch.

Run on a desktop viewport and on a phone; screenshots of the key screens go to test-artifacts/.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from browser_support import header_link
from playwright.sync_api import Page, expect

from wishmap.mail import outbox_messages

_people = itertools.count(1)


def _count(page: Page, code: str) -> int:
    """Return the active-wish count shown for a shop type on a premise page (0 if absent)."""
    row = page.locator(f"ul.demand li[data-type='{code}']")
    if row.count() == 0:
        return 0
    return int(re.match(r"\d+", row.locator("[data-count]").inner_text()).group())


def _verification_link(outbox: Path, email: str) -> str:
    for message in reversed(outbox_messages(outbox)):
        if message["To"] == email:
            body = message.get_content()
            return re.search(r"http://\S+/account/verify/\S+", body).group()
    raise AssertionError(f"no verification e-mail for {email}")


def _open_busiest_premise(page: Page, live_server: str, shots: Path, name: str) -> str:
    """Open the map, click the marker with the most wishes, follow its popup; return the URL."""
    page.goto(live_server + "/")
    markers = page.locator(".leaflet-marker-icon.pin")
    expect(markers.first).to_be_visible()
    counts = [int(text) for text in markers.locator(".pin-count").all_inner_texts()]
    busiest = markers.nth(counts.index(max(counts)))
    busiest.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup.locator(".popup-types li").first).to_be_visible()
    expect(popup.get_by_role("link", name=re.compile("Wish here"))).to_be_visible()
    page.wait_for_timeout(400)  # let Leaflet's fade-in and auto-pan finish before the picture
    page.screenshot(path=str(shots / f"{name}-1-map-popup.png"))
    popup.get_by_role("link", name=re.compile("Wish here")).click()
    expect(page.locator("h1")).to_be_visible()
    return page.url.split("#")[0]


def _journey(page: Page, live_server: str, outbox: Path, shots: Path, name: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    premise_url = _open_busiest_premise(page, live_server, shots, name)
    bakeries_before = _count(page, "bakery")

    # A visitor picks a bakery; wishing needs an account, so they are sent to log in.
    page.get_by_label("Search the list of shop types").fill("bakery")
    page.get_by_label("Bakery", exact=False).first.check()
    page.get_by_label("Every week").check()
    page.get_by_label("Why?").fill("Fresh bread without crossing the district.")
    page.get_by_role("button", name="Log in or register to wish").click()
    expect(page).to_have_url(re.compile(r"/account/login\?next="))
    page.get_by_role("main").get_by_role("link", name="Register").click()
    email = f"{name}-{next(_people)}@example.org"
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Name shown").fill(f"Resident {name}")
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Repeat").fill("a long enough password")
    page.get_by_role("button", name="Register").click()

    # Registering logs nobody in: the link e-mailed to the address does, and leads back.
    expect(page).to_have_url(re.compile(r"/account/register/sent$"))
    expect(page.get_by_role("heading", name="Look in your mailbox")).to_be_visible()
    page.goto(_verification_link(outbox, email))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".flashes")).to_contain_text("confirmed")

    # Back on the same premise's wish form, logged in, with the choice kept.
    expect(page).to_have_url(re.compile(r"/wishes/new\?"))
    expect(page.locator("input[name=type][value=bakery]")).to_be_checked()
    expect(page.locator("input[name=frequency][value=weekly]")).to_be_checked()
    expect(page.locator("textarea[name=reason]")).to_have_value(
        "Fresh bread without crossing the district."
    )
    page.screenshot(path=str(shots / f"{name}-2-wish-form-kept.png"), full_page=True)
    # The address is confirmed: the wish counts at once.
    page.get_by_role("button", name="Make this wish").click()
    expect(page.locator(".flashes")).to_contain_text("counts now")
    page.goto(premise_url)
    assert _count(page, "bakery") == bakeries_before + 1
    expect(page.locator("li[data-type=bakery] .yours")).to_be_visible()
    page.screenshot(path=str(shots / f"{name}-3-premise-count-up.png"), full_page=True)

    # One click supports a type others already wished for here.
    other = page.locator("ul.demand li:not([data-type=bakery])").first
    code = other.get_attribute("data-type")
    before = _count(page, code)
    other.get_by_role("button", name=re.compile("Support")).click()
    expect(page.locator(".flashes")).to_contain_text("counts now")
    assert _count(page, code) == before + 1

    # My wishes lists both; withdrawing one makes it stop counting at once.
    header_link(page, "My wishes").click()
    wishes = page.locator("ul.my-wishes > li")
    expect(wishes).to_have_count(2)
    page.screenshot(path=str(shots / f"{name}-4-my-wishes.png"), full_page=True)
    wishes.first.get_by_role("button", name=re.compile("Withdraw")).click()
    expect(page.locator(".flashes")).to_contain_text("withdrawn")
    expect(wishes).to_have_count(1)
    page.goto(premise_url)
    assert _count(page, code) == before

    # Dutch, from the switcher on every page.
    page.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", name="Wat buurtbewoners hier wensen")).to_be_visible()
    expect(page.locator("li[data-type=bakery] .label")).to_have_text("Bakkerij")
    header_link(page, "Kaart", exact=True).click()
    expect(page.get_by_role("heading", name="Welke winkel moet hier komen?")).to_be_visible()
    expect(page.locator(".leaflet-marker-icon.pin").first).to_be_visible()
    page.screenshot(path=str(shots / f"{name}-5-map-dutch.png"))
    assert errors == []


def test_resident_journey_on_desktop(
    page: Page, live_server: str, outbox: Path, artifacts: Path
) -> None:
    _journey(page, live_server, outbox, artifacts, "desktop")


def test_resident_journey_on_a_phone(
    phone: Page, live_server: str, outbox: Path, artifacts: Path
) -> None:
    _journey(phone, live_server, outbox, artifacts, "phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no sideways scrolling on a phone"
