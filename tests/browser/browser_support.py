"""Steps the browser tests share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from wishmap import create_app, db
from wishmap.db import Base
from wishmap.services.analysis import run_analysis
from wishmap.services.demo import DEMO_DOMAIN, DEMO_PASSWORD, DemoSize, load_demo


def demo_app(
    folder: Path, seed: int, size: DemoSize, analyse: bool = False, **config: Any
) -> Flask:
    """Return a Wishmap on a fresh SQLite file in folder holding a demo district of size.

    config adds to or overrides the app's settings (tiles, mail, limits); analyse runs the
    analysis once, for the pages that read its newest run (reports, the officers' hotspots).
    """
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'live.sqlite'}",
            "SECRET_KEY": "browser-tests",
            "LOG_LEVEL": "WARNING",
            **config,
        }
    )
    app.instance_path = str(folder)
    with app.app_context():
        # The schema straight from the models, as the rest of the suite builds it.
        Base.metadata.create_all(db.engine())
        load_demo(db.session(), seed=seed, size=size)
        if analyse:
            run_analysis(db.session())
        db.close_session()
    return app


def log_in_as(page: Page, live_server: str, who: str) -> None:
    """Log in through the form as the demo account `who` (resident, owner, agency, officer…)."""
    page.goto(live_server + "/account/login")
    page.get_by_label("E-mail").fill(f"{who}@{DEMO_DOMAIN}")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    # On a phone the header's links wait behind Menu: present, not necessarily visible.
    expect(page.locator(".main-nav a", has_text="My wishes")).to_be_attached()


def header_link(page: Page, name: str, exact: bool = False) -> Locator:
    """Return the header's link called name, opening the Menu first where it folds (a phone)."""
    menu = page.locator(".menu-toggle")
    if menu.is_visible() and menu.get_attribute("aria-expanded") != "true":
        menu.click()
    return page.locator(".site-header").get_by_role("link", name=name, exact=exact)


def wait_popup_settled(page: Page, vertical: bool = True, timeout_ms: int = 10_000) -> None:
    """Wait until Leaflet has panned the open popup inside the map: across, and from top to
    bottom too unless vertical is False (a loaded machine animates slowly: a fixed pause was
    sometimes too short)."""
    try:
        _wait_inside(page, vertical, timeout_ms)
    except PlaywrightTimeout:
        where = page.evaluate(
            """() => ['.leaflet-popup', '.folium-map']
                .map((css) => document.querySelector(css))
                .map((node) => node && node.getBoundingClientRect().toJSON())"""
        )
        raise AssertionError(f"popup not panned inside the map: popup, map = {where}") from None


def _wait_inside(page: Page, vertical: bool, timeout_ms: int) -> None:
    page.wait_for_function(
        """(vertical) => {
          const popup = document.querySelector('.leaflet-popup');
          const map = document.querySelector('.folium-map');
          if (!popup || !map) { return false; }
          const p = popup.getBoundingClientRect(), m = map.getBoundingClientRect();
          const inside = p.left >= Math.max(0, m.left) - 1
            && p.right <= Math.min(window.innerWidth, m.right) + 1
            && (!vertical || (p.top >= Math.max(0, m.top) - 1
                              && p.bottom <= Math.min(window.innerHeight, m.bottom) + 1));
          if (!inside) { delete popup.dataset.settledAt; return false; }
          // Inside for two frames in a row: the pan has stopped, not merely passed through.
          const seen = Number(popup.dataset.settledAt || 0);
          popup.dataset.settledAt = String(performance.now());
          return seen > 0;
        }""",
        arg=vertical,
        polling="raf",
        timeout=timeout_ms,
    )
