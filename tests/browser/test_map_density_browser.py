"""A dense map stays readable: clusters at low zoom that spread on click, SVG type icons (no
emoji), a legend of the data's own classes; on a desktop and a 360×740 phone, axe-clean.

Screenshots: test-artifacts/map-density-{desktop,phone}-{clusters,spread}.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import AXE
from playwright.sync_api import Browser, Page, Response, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\ufe0f]")
AXE_TAGS = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']"
MAP = "window[JSON.parse(document.getElementById('wishmap-config').textContent).map]"
ZOOM = f"() => {MAP}.getZoom()"


@pytest.fixture(params=["desktop", "phone"])
def screen(browser: Browser, request: pytest.FixtureRequest) -> Iterator[tuple[str, Page]]:
    """A 1280×800 desktop or a 360×740 touch phone, that may inject axe-core."""
    options: dict = {"viewport": {"width": 1280, "height": 800}}
    if request.param == "phone":
        options = {
            "viewport": {"width": 360, "height": 740},
            "is_mobile": True,
            "has_touch": True,
            "device_scale_factor": 2,
        }
    context = browser.new_context(bypass_csp=True, **options)
    yield request.param, context.new_page()
    context.close()


def _premises_drawn(page: Page) -> int:
    clustered = page.locator(".pin-cluster [data-premises]").evaluate_all(
        "nodes => nodes.reduce((sum, n) => sum + Number(n.dataset.premises), 0)"
    )
    return page.locator(".leaflet-marker-icon.pin").count() + clustered


def _icons_are_drawn_svg(page: Page, selector: str) -> None:
    icons = page.locator(selector)
    expect(icons.first).to_be_visible()
    for facts in icons.evaluate_all(
        "imgs => imgs.map(i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth}))"
    ):
        assert re.search(r"/static/[0-9a-f]{12}/vendor/maki/[a-z-]+\.svg$", facts["src"]), facts
        assert facts["ok"], facts


def test_clusters_spread_on_click_and_icons_are_svg(
    screen: tuple[str, Page], live_server: str, artifacts: Path
) -> None:
    name, page = screen
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    answers: list[Response] = []
    page.on("response", lambda r: answers.append(r) if "/premises.geojson?bbox=" in r.url else None)
    page.goto(live_server + "/")
    expect(page.locator(".leaflet-marker-icon.pin").first).to_be_visible()
    # The map may ask again as it settles (a slow machine resizes it late): what is drawn is
    # the last answer's premises.
    page.wait_for_load_state("networkidle")
    data = answers[-1].json()
    clusters = page.locator(".leaflet-marker-icon.pin-cluster")
    expect(clusters.first).to_be_visible()
    # Every premise of the view is drawn, alone or inside a cluster that says how many it holds.
    assert _premises_drawn(page) == len(data["features"])
    alone = page.locator(".leaflet-marker-icon.pin").count()
    assert alone < len(data["features"])
    # Its name for a screen reader: how many, and what selecting it does.
    label = " ".join((clusters.first.text_content() or "").split())
    assert re.fullmatch(r"\d+ vacant premises close together: select to zoom in", label), label

    # Badges draw the most wished type as a vendored SVG, never as an emoji.
    _icons_are_drawn_svg(page, ".leaflet-marker-icon.pin img.pin-icon")
    assert not EMOJI.search(page.locator(".folium-map").inner_text())

    # The legend shows the classes the server computed from the premises in view.
    if name == "phone":
        page.locator(".map-more summary").click()
    ranges = page.locator("[data-legend-level]:not([hidden]) [data-range]").all_inner_texts()
    assert ranges == [_range_text(c) for c in data["classes"]]
    assert [c["level"] for c in data["classes"]] == [1, 2, 3]
    levels = [f["properties"]["level"] for f in data["features"] if f["properties"]["wishes"]]
    assert all(levels.count(level) >= len(levels) // 6 for level in (1, 2, 3)), levels
    page.locator("#wishmap-map").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"map-density-{name}-clusters.png"))

    violations = _axe(page)
    assert violations == [], [(v["id"], v["nodes"][0]["target"]) for v in violations]

    # A click (a tap on the phone) on a cluster zooms in and spreads its premises.
    zoom = page.evaluate(ZOOM)
    biggest = max(
        range(clusters.count()),
        key=lambda i: int(
            clusters.nth(i).locator("[data-premises]").get_attribute("data-premises")
        ),
    )
    if name == "phone":
        clusters.nth(biggest).tap()
    else:
        clusters.nth(biggest).click()
    page.wait_for_function(f"() => ({ZOOM})() > {zoom}")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)  # the cluster's spreading animation
    assert page.locator(".leaflet-marker-icon.pin").count() > 0
    page.screenshot(path=str(artifacts / f"map-density-{name}-spread.png"))

    # A premise's popup lists its wished types with their SVG icons.
    pin = page.locator(".leaflet-marker-icon.pin:not(.pin-0)").first
    expect(pin).to_be_visible()
    if name == "phone":
        pin.tap()
    else:
        pin.click()
    _icons_are_drawn_svg(page, ".leaflet-popup .popup-types img.type-icon")
    assert not EMOJI.search(page.locator(".leaflet-popup").inner_text())
    page.evaluate(f"() => {MAP}.closePopup()")

    # By keyboard: a focused cluster opens with Enter, as a button does.
    # The premises are redrawn when the answer for the new view arrives: a cluster focused
    # before that would be replaced under the key press (seen on a loaded CI machine).
    with page.expect_response(lambda r: "/premises.geojson?bbox=" in r.url):
        page.evaluate(f"() => {MAP}.setZoom({zoom}, {{animate: false}})")
    page.wait_for_load_state("networkidle")
    # Regrouping animates (old cluster icons fade out, then go): focus one that stays.
    page.wait_for_function("() => !document.querySelector('.leaflet-cluster-anim')")
    # A late regrouping can still replace the focused icon between focus and key press (seen
    # once in three CI runs on a loaded machine: Enter then reached nothing): focus the cluster
    # drawn now and press again, at most three times; Enter must zoom in on one of them.
    for _attempt in range(3):
        expect(clusters.first).to_be_visible()
        clusters.first.focus()
        page.keyboard.press("Enter")
        try:
            page.wait_for_function(f"() => ({ZOOM})() > {zoom}", timeout=5000)
            break
        except PlaywrightTimeoutError:
            continue
    assert page.evaluate(ZOOM) > zoom, "Enter on a focused cluster did not zoom in"
    assert errors == []


def _range_text(c: dict) -> str:
    if c["min"] != c["max"]:
        return f"({c['min']}–{c['max']} wishes)"
    return "(1 wish)" if c["min"] == 1 else f"({c['min']} wishes)"


def _axe(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        f"() => axe.run(document, {{runOnly: {{type: 'tag', values: {AXE_TAGS}}}}})"
    )
    return result["violations"]
