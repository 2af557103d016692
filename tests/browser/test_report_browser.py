"""A premise report in headless Chromium, on a desktop and on a 360 px phone, and its PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from browser_support import log_in_as
from conftest import AXE
from playwright.sync_api import Browser, Page, expect

REPORT = re.compile(r"/insights/premises/\d+$")


def first_report_url(page: Page, live_server: str) -> str:
    """Return the address of the first premise report linked from the reader's report list."""
    page.goto(live_server + "/insights/")
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.href)")
    reports = [href for href in hrefs if REPORT.search(href)]
    assert reports, "no premise report linked from /insights/"
    return reports[0]


def test_agency_reads_a_report_on_desktop_and_phone(
    page: Page, browser: Browser, live_server: str, artifacts: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in_as(page, live_server, "agency")
    url = first_report_url(page, live_server)
    page.goto(url)
    expect(page.locator("#headline")).to_be_visible()
    expect(page.locator("#headline")).not_to_contain_text("flask")
    # The Leaflet map draws the premise, its radius and the demand around it.
    expect(page.locator(".report-map .leaflet-container")).to_be_visible()
    assert page.locator(".report-map path.leaflet-interactive").count() >= 2
    # The static map is for print only.
    expect(page.locator(".report-map-static")).to_be_hidden()
    page.screenshot(path=str(artifacts / "report-desktop.png"), full_page=True)
    with page.expect_download() as download:
        page.click("text=Download PDF")
    assert download.value.suggested_filename.endswith(".pdf")
    pdf = artifacts / "report-demo.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    # Its pages as images, for people to look at.
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: install poppler-utils (see .ci/run)"
    for old in artifacts.glob("report-demo-page-*.png"):
        old.unlink()
    subprocess.run(
        [pdftoppm, "-png", "-r", "70", str(pdf), str(artifacts / "report-demo-page")], check=True
    )
    assert sorted(artifacts.glob("report-demo-page-*.png"))
    # Printing shows the static map instead of the live one, without the site's navigation.
    page.emulate_media(media="print")
    expect(page.locator(".report-map-static")).to_be_visible()
    expect(page.locator(".site-header")).to_be_hidden()
    page.emulate_media(media="screen")
    assert errors == []

    context = browser.new_context(
        viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    phone.on("pageerror", lambda error: errors.append(str(error)))
    log_in_as(phone, live_server, "agency")
    phone.goto(url)
    expect(phone.locator("#headline")).to_be_visible()
    # Nothing pushes the page sideways on a small phone (the table scrolls in its own box).
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts / "report-phone-360.png"), full_page=True)
    context.close()
    assert errors == []


def test_report_has_no_serious_accessibility_violation(browser: Browser, live_server: str) -> None:
    # axe-core is injected, so this context bypasses our CSP (which rightly refuses it).
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    log_in_as(page, live_server, "agency")
    page.goto(first_report_url(page, live_server))
    expect(page.locator(".report-map .leaflet-container")).to_be_visible()
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}).then(r => r.violations)"
    )
    serious = [
        (v["id"], [node["target"] for node in v["nodes"]][:3])
        for v in violations
        if v["impact"] in {"serious", "critical"}
    ]
    context.close()
    assert serious == []
