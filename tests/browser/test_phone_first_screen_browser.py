"""The map's first screen on a 360 × 740 phone: most of it is map, in every language.

A compact header (the brand, the language buttons and a Menu button that opens the links) and a
one-line introduction let the map start high; the line saying what happens to a wish, with its
link to /outcomes/, stays. Screenshots: test-artifacts/phone-first-screen-{en,fr,nl}.png and
phone-menu-open-{language}.png. The desktop header keeps its one row of links.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import log_in_as
from conftest import AXE
from playwright.sync_api import Browser, Page, expect

# Where the map may start at most on a 740 px tall screen: below it, two thirds are map.
MAP_TOP_MAX = 260
# A deployer's district name takes one short line more.
DISTRICT_LINE = 20
OUTCOMES_LINK = {
    "en": "What wishes have changed so far",
    "fr": "Ce que les souhaits ont déjà changé",
    "nl": "Wat de wensen al hebben veranderd",
}
LIST_LINK = {"en": "Vacant premises", "fr": "Locaux vacants", "nl": "Leegstaande panden"}


@pytest.fixture
def small_phone(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A 360×740 touch screen that may run axe-core; its screenshot is kept on failure."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        bypass_csp=True,
    )
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        page.screenshot(path=str(Path("test-artifacts") / f"FAILED-{request.node.name}.png"))
    context.close()


def _axe_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [violation["id"] for violation in result["violations"]]


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_map_fills_the_phone_first_screen(
    small_phone: Page, live_server: str, artifacts: Path, language: str
) -> None:
    page = small_phone
    page.set_extra_http_headers({"Accept-Language": language})
    page.goto(live_server + "/")
    expect(page.locator(".leaflet-marker-icon.pin").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(artifacts / f"phone-first-screen-{language}.png"))
    box = page.locator(".folium-map").bounding_box()
    assert box is not None and box["y"] <= MAP_TOP_MAX, f"the map starts {box} px down"
    assert box["height"] >= 740 - MAP_TOP_MAX  # the map fills the rest of the screen
    # What happens to a wish stays in sight, with its link, above the map.
    outcomes = page.get_by_role("link", name=OUTCOMES_LINK[language])
    expect(outcomes).to_be_in_viewport()
    link_box = outcomes.bounding_box()
    assert link_box is not None and link_box["y"] + link_box["height"] <= box["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # The links wait behind Menu, one tap away.
    vacant = page.locator(".main-nav").get_by_role("link", name=LIST_LINK[language])
    expect(vacant).to_be_hidden()
    menu = page.locator(".menu-toggle")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(vacant).to_be_visible()
    page.screenshot(path=str(artifacts / f"phone-menu-open-{language}.png"))
    assert _axe_violations(page) == []
    vacant.click()
    expect(page).to_have_url(live_server + "/premises/")


def test_desktop_header_keeps_its_one_row(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    expect(page.locator(".menu-toggle")).to_be_hidden()
    expect(page.locator(".main-nav").get_by_role("link", name="Vacant premises")).to_be_visible()
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= 56
    # The panel still sits beside the map, which starts right under the header.
    frame = page.locator(".folium-map").bounding_box()
    assert frame is not None and frame["y"] <= 56 and frame["x"] >= 300


def test_admin_writes_the_district_texts_and_a_french_phone_shows_them(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    admin = context.new_page()
    log_in_as(admin, live_server, "admin")
    admin.goto(live_server + "/admin/texts")
    assert _axe_violations(admin) == []
    french = admin.locator("form", has=admin.get_by_role("heading", name="Français"))
    french.get_by_label("Name of the district").fill("Paris 19e — Bassin de la Villette")
    french.get_by_label("Introduction on the map").fill(
        "Dites-nous quel commerce manque <b>ici</b>.\n\nLa mairie lit chaque souhait."
    )
    french.get_by_label("Privacy notice").fill("Nous gardons peu de chose.\n\nEt rien de plus.")
    french.get_by_role("button", name="Save the texts in French").click()
    expect(admin.locator(".flashes")).to_contain_text("The texts in French are saved.")
    phone_context = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="fr-FR",
        bypass_csp=True,
    )
    try:
        phone = phone_context.new_page()
        phone.goto(live_server + "/")
        expect(phone.locator(".district-name")).to_have_text("Paris 19e — Bassin de la Villette")
        # Markup is shown as typed, never run; the intro keeps to one line on a phone.
        lede = phone.locator(".lede")
        expect(lede).to_contain_text("Dites-nous quel commerce manque <b>ici</b>.")
        line = lede.bounding_box()
        assert line is not None and line["height"] < 30
        expect(phone.locator(".leaflet-marker-icon.pin").first).to_be_visible()
        phone.screenshot(path=str(artifacts / "phone-first-screen-district-texts-fr.png"))
        box = phone.locator(".folium-map").bounding_box()
        assert box is not None and box["y"] <= MAP_TOP_MAX + DISTRICT_LINE
        phone.goto(live_server + "/privacy")
        expect(phone.locator("main p").first).to_have_text("Nous gardons peu de chose.")
        assert _axe_violations(phone) == []
    finally:
        # The live server is shared: the built-in wording comes back for the other tests.
        admin.goto(live_server + "/admin/texts")
        french = admin.locator("form", has=admin.get_by_role("heading", name="Français"))
        for label in ("Name of the district", "Introduction on the map", "Privacy notice"):
            french.get_by_label(label).fill("")
        french.get_by_role("button", name="Save the texts in French").click()
        expect(admin.locator(".flashes")).to_be_visible()
        phone_context.close()
        context.close()
