"""A live Wishmap on 127.0.0.1 with a small demo district, and headless Debian Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import demo_app
from playwright.sync_api import Browser, Page, sync_playwright
from web import serving

import wishmap.models  # noqa: F401  -- registers every table
from wishmap.services.demo import DemoSize

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
LIVE_OUTBOX: dict[str, Path] = {}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve a demo district from a fresh SQLite file; yield its base URL."""
    folder = tmp_path_factory.mktemp("live")
    app = demo_app(
        folder,
        seed=3,
        size=DemoSize(premises=120, shops=150, residents=300, wishes=1000),
        analyse=True,
        TILE_URL="",  # no network here: the map draws our own streets
        # Verification links are read back from this folder by the tests.
        MAIL_BACKEND="folder",
        MAIL_OUTBOX=str(folder / "outbox"),
        # Every browser test registers from 127.0.0.1: the per-address limits would bite.
        REGISTER_RATE_LIMIT="1000 per hour",
        LOGIN_RATE_LIMIT="1000 per minute",
        BURST_MAX_ACCOUNTS_PER_NETWORK=1000,
    )
    LIVE_OUTBOX["path"] = folder / "outbox"
    with serving(app) as url:
        yield url


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder where browser tests keep their screenshots."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run .ci/test-deps as root (it installs Chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page_kept_on_failure(
    browser: Browser, request: pytest.FixtureRequest, **options: Any
) -> Iterator[Page]:
    """Yield a page in a new context; if the test failed, keep its screenshot in test-artifacts/."""
    context = browser.new_context(**options)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh desktop-sized page; on failure its screenshot is kept in test-artifacts/."""
    yield from _page_kept_on_failure(browser, request, viewport={"width": 1280, "height": 800})


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def outbox(live_server: str) -> Path:
    """The folder where the live server writes its e-mails."""
    return LIVE_OUTBOX["path"]


@pytest.fixture
def phone(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page in a phone-sized, touch viewport; on failure its screenshot is kept."""
    yield from _page_kept_on_failure(
        browser,
        request,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
