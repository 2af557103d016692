"""An entrepreneur applies for a premise on a phone; its manager reads the candidate."""

from __future__ import annotations

import re
from pathlib import Path

from browser_support import log_in_as
from playwright.sync_api import Browser, Page, expect

from wishmap.mail import outbox_messages
from wishmap.services.demo import DEMO_DOMAIN, DEMO_PASSWORD

LINK = re.compile(r"https?://\S+(/apply/confirm/\S+)")


def test_entrepreneur_applies_on_a_phone_and_the_agency_reads_it(
    phone: Page, page: Page, browser: Browser, live_server: str, artifacts: Path, outbox: Path
) -> None:
    errors: list[str] = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    # A premise the demo agency manages, from its portfolio.
    log_in_as(page, live_server, "agency")
    page.goto(live_server + "/portfolio/")
    href = page.locator("a[href*='/insights/premises/']").first.get_attribute("href")
    premise_id = re.search(r"/insights/premises/(\d+)", href or "").group(1)

    # The entrepreneur, not logged in, finds the premise and applies from its page.
    phone.goto(f"{live_server}/premises/{premise_id}")
    phone.get_by_role("link", name="Apply for this premise").click()
    expect(phone.get_by_role("heading", name="Open a shop here")).to_be_visible()
    phone.get_by_label("Business name").fill("Fournil du Marché")
    phone.get_by_label("Shop type").select_option("bakery")
    phone.get_by_label("Surface from (m²)").fill("30")
    phone.get_by_label("to (m²)").fill("200")
    phone.get_by_label("Rent budget (€/month)").fill("2500")
    phone.get_by_label("Opening hours (optional)").fill("Tue–Sun 7:00–20:00")
    phone.get_by_label("Your project in a few lines").fill(
        "Sourdough bread baked on the spot, pastries at weekends."
    )
    phone.get_by_label("Your name").fill("Camille Martin")
    phone.get_by_label("E-mail").fill("camille@example.org")
    phone.get_by_label("Phone (optional)").fill("+33 6 12 34 56 78")
    # Nothing on the form is wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(artifacts / "application-form-phone.png"), full_page=True)
    before = len(outbox_messages(outbox)) if outbox.exists() else 0
    phone.get_by_role("button", name="Send my application").click()
    expect(phone.get_by_role("heading", name="Look in your mailbox")).to_be_visible()

    mails = outbox_messages(outbox)[before:]
    [mail] = [m for m in mails if str(m["To"]) == "camille@example.org"]
    link = LINK.search(mail.get_content()).group(1)
    phone.goto(live_server + link)
    phone.get_by_role("button", name="Confirm").click()
    expect(phone.get_by_role("heading", name="Application sent")).to_be_visible()
    phone.screenshot(path=str(artifacts / "application-sent-phone.png"), full_page=True)

    # The agency sees the candidate, ranked, with a reason that shows no nan and no €0.
    page.goto(f"{live_server}/insights/premises/{premise_id}/candidates")
    item = page.locator("ol.candidates > li", has_text="Fournil du Marché")
    expect(item).to_be_visible()
    expect(item.locator(".reason")).to_contain_text("gap ")
    expect(item.get_by_role("button", name="Let to this candidate")).to_be_visible()
    text = item.inner_text()
    assert "nan" not in text and "€0 " not in text
    page.screenshot(path=str(artifacts / "application-candidates-desktop.png"), full_page=True)
    # The same page on a French phone: the reason speaks the reader's language. A browser
    # asking for French, not the switcher, which would save French on the shared demo account.
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    try:
        french = context.new_page()
        french.goto(live_server + "/account/login")
        french.fill("input[name=email]", f"agency@{DEMO_DOMAIN}")
        french.fill("input[name=password]", DEMO_PASSWORD)
        french.locator("main button[type=submit]").click()
        french.goto(f"{live_server}/insights/premises/{premise_id}/candidates")
        item = french.locator("ol.candidates > li", has_text="Fournil du Marché")
        expect(item.locator(".reason")).to_contain_text("score de manque")
        expect(item.get_by_role("button", name="Louer à ce candidat")).to_be_visible()
        assert french.evaluate("document.documentElement.scrollWidth") <= 390
        french.screenshot(
            path=str(artifacts / "application-candidates-phone-fr.png"), full_page=True
        )
    finally:
        context.close()
    assert errors == []
