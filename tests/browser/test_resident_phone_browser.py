"""A resident on a 360 × 740 phone, in French, with a tile server that cannot be reached."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import demo_app, wait_popup_settled
from conftest import ARTIFACTS
from playwright.sync_api import Browser, Page, expect
from test_accessibility_browser import SERIOUS, _axe
from test_wish_flow_browser import _verification_link
from web import serving

from wishmap.services.demo import DemoSize

WIDTH, HEIGHT = 360, 740
# Where the tileless server writes its e-mails (the confirmation link is read back there).
TILELESS_OUTBOX: dict[str, Path] = {}


@pytest.fixture(scope="module")
def tileless_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A demo district whose tile server (port 9 on this machine) never answers."""
    folder = tmp_path_factory.mktemp("tileless")
    app = demo_app(
        folder,
        seed=5,
        size=DemoSize(premises=80, shops=60, residents=150, wishes=600),
        TILE_URL="http://127.0.0.1:9/{z}/{x}/{y}.png",
        MAIL_BACKEND="folder",
        MAIL_OUTBOX=str(folder / "outbox"),
        REGISTER_RATE_LIMIT="1000 per hour",
        LOGIN_RATE_LIMIT="1000 per minute",
        BURST_MAX_ACCOUNTS_PER_NETWORK=1000,
    )
    TILELESS_OUTBOX["path"] = folder / "outbox"
    with serving(app) as url:
        yield url


@pytest.fixture
def french_phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="fr-FR",
        permissions=["clipboard-read", "clipboard-write"],
        bypass_csp=True,  # so that axe-core can be injected
    )
    page = context.new_page()
    yield page
    context.close()


def _open_popup(page: Page, label: str | None = None) -> tuple[str, object]:
    """Tap a premise that has wishes; return its address and the popup locator."""
    if label is None:
        marker = page.locator(".leaflet-marker-icon.pin-1, .leaflet-marker-icon.pin-2").first
    else:
        marker = page.locator(f'.leaflet-marker-icon.pin[aria-label^="{label} —"]').first
    expect(marker).to_be_visible()
    address = (marker.get_attribute("aria-label") or "").split(" — ")[0]
    marker.click()
    popup = page.locator(".leaflet-popup")
    expect(popup.locator(".popup-support")).to_be_visible()
    return address, popup


def _fully_on_screen(page: Page, popup: object) -> None:
    box = popup.bounding_box()  # type: ignore[attr-defined]
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_phone_in_french_without_tiles_support_in_one_tap(
    french_phone: Page, tileless_server: str
) -> None:
    page = french_phone
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(tileless_server + "/")
    # No tiles: a notice in French, and the district's streets drawn on a plain background.
    notice = page.locator("[data-tile-notice]")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("plan simple des rues")
    expect(page.locator(".leaflet-overlay-pane path").first).to_be_attached()
    expect(page.get_by_role("link", name="Ce que les souhaits ont déjà changé")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "resident-phone-no-tiles.png"))

    # The popup fits the screen and leads with one-tap support for the most wished type.
    address, popup = _open_popup(page)
    wait_popup_settled(page, vertical=False)  # Leaflet pans the popup into view
    _fully_on_screen(page, popup)
    expect(notice).to_be_hidden()  # the popup is read whole, then the notice comes back
    expect(page.locator(".leaflet-control-zoom")).to_be_hidden()  # not over the address
    expect(popup.locator(".popup-support")).to_contain_text("Soutenir")
    page.screenshot(path=str(ARTIFACTS / "resident-phone-popup.png"))
    audit = {"map with popup": _axe(page)}

    # A visitor who taps Support is sent to log in (here: to register), then comes back.
    popup.locator(".popup-support").click()
    expect(page).to_have_url(re.compile(r"/account/login\?next=%2Fpremises%2F\d+"))
    page.get_by_role("main").get_by_role("link", name="Créer un compte").click()
    page.locator("input[name=email]").fill("lea.phone@example.org")
    page.locator("input[name=display_name]").fill("Léa")
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("input[name=confirm]").fill("correct horse battery")
    expect(page.get_by_text("Répétez le mot de passe")).to_be_visible()
    page.locator("main form button[type=submit]").click()
    # Registering logs nobody in: the link e-mailed to the address does, and leads back.
    expect(page).to_have_url(re.compile(r"/account/register/sent$"))
    expect(page.get_by_role("heading", name="Consultez votre boîte mail")).to_be_visible()
    page.goto(_verification_link(TILELESS_OUTBOX["path"], "lea.phone@example.org"))
    page.get_by_role("button", name="Confirmer").click()
    expect(page).to_have_url(re.compile(r"/premises/\d+"))

    page.goto(tileless_server + "/")
    _, popup = _open_popup(page, address)
    wait_popup_settled(page, vertical=False)
    _fully_on_screen(page, popup)
    with page.expect_response(re.compile(r"/wishes/support$")) as answer:
        popup.locator(".popup-support").click()
    assert answer.value.status == 201, answer.value.text()
    expect(popup.locator(".popup-said")).to_contain_text("souhait")
    expect(popup.locator(".popup-support")).to_have_text("Soutenu")
    page.screenshot(path=str(ARTIFACTS / "resident-phone-supported.png"))

    # Withdraw it from My wishes, then undo from the message that says it is withdrawn.
    page.goto(tileless_server + "/me/")
    wish = page.locator(".my-wishes li", has_text=address).first
    wish.get_by_role("button", name=re.compile("^Retirer")).click()
    undo = page.locator(".flashes").get_by_role("button", name="Annuler")
    expect(undo).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "resident-phone-undo.png"))
    audit["my wishes with undo"] = _axe(page)
    undo.click()
    expect(page.locator(".flashes")).to_contain_text("Votre souhait est rétabli.")
    expect(page.locator(".my-wishes li", has_text=address)).to_have_count(1)

    # Share the premise: no share sheet in headless Chromium, so the link is copied.
    page.locator(".my-wishes li", has_text=address).get_by_role("link", name=address).click()
    page.get_by_role("button", name="Partager ce local").click()
    expect(page.locator("[data-share-said]")).to_contain_text("Lien copié")
    assert page.evaluate("navigator.clipboard.readText()").endswith(page.url.split("#")[0][-12:])
    audit["premise with share"] = _axe(page)
    page.goto(tileless_server + "/outcomes/")
    expect(page.get_by_role("heading", name="Ce que les souhaits ont changé")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "resident-phone-outcomes.png"))
    audit["outcomes"] = _axe(page)
    (ARTIFACTS / "axe-phone-report.json").write_text(
        json.dumps({name: [(v["id"], v["impact"]) for v in found] for name, found in audit.items()})
    )
    serious = {
        name: [(v["id"], v["impact"], v["nodes"][0]["target"]) for v in violations]
        for name, violations in audit.items()
        if any(v["impact"] in SERIOUS for v in violations)
    }
    assert serious == {}, serious
    assert errors == []
