"""Synthetic district, planted bakery case and data paths shared by the analysis tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

from analysis.inputs import Premises, Shops, Streets, Wishes
from analysis.projection import LocalProjection

PARIS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "paris"
NOW = np.datetime64("2026-11-01T00:00:00", "s")
BAKERY = 0
LAT0, LON0 = 48.88, 2.38


@dataclass
class District:
    """A grid of straight streets 150 m apart in a 750 m box near 48.88N 2.38E."""

    projection: LocalProjection
    streets: Streets
    horizontal_y: np.ndarray
    vertical_x: np.ndarray

    def on_street(
        self,
        rng: np.random.Generator,
        street: int,
        n: int,
        x_range: tuple[float, float],
        off: float,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return lat/lon of n points along a horizontal street, 2..off metres off the line."""
        x = rng.uniform(*x_range, n)
        y = self.horizontal_y[street] + rng.choice([-1, 1], n) * rng.uniform(2, off, n)
        return self.projection.to_latlon(x, y)

    def latlon(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return lat/lon of metre coordinates."""
        return self.projection.to_latlon(np.asarray(x, float), np.asarray(y, float))


def make_district() -> District:
    """Return the synthetic district: 5 horizontal streets (0..4) and 5 vertical ones (5..9)."""
    proj = LocalProjection(LAT0, LON0)
    ys = np.arange(5) * 150.0
    xs = np.arange(5) * 150.0
    geoms, names = [], []
    for i, y in enumerate(ys):
        lat, lon = proj.to_latlon(np.array([-50.0, 650.0]), np.array([y, y]))
        geoms.append(shapely.LineString(np.column_stack((lon, lat))))
        names.append(f"Rue Horizontale {i}")
    for i, x in enumerate(xs):
        lat, lon = proj.to_latlon(np.array([x, x]), np.array([-50.0, 650.0]))
        geoms.append(shapely.LineString(np.column_stack((lon, lat))))
        names.append(f"Rue Verticale {i}")
    return District(proj, Streets(geoms, names), ys, xs)


@dataclass
class BakeryCase:
    """District inputs with 60 residents wanting a bakery along one street."""

    district: District
    wishes: Wishes
    premises: Premises
    shops: Shops
    bakery_street: int
    bakery_premise: int
    n_types: int


def make_bakery_case(seed: int = 1) -> BakeryCase:
    """Return 60 bakery wishes along street 2 (x 225–375 m) plus even noise of types 1..5."""
    rng = np.random.default_rng(seed)
    d = make_district()
    lat_b, lon_b = d.on_street(rng, 2, 60, (225.0, 375.0), 8.0)
    n_noise = 250
    nx, ny = rng.uniform(-40, 640, n_noise), rng.uniform(-40, 640, n_noise)
    lat_n, lon_n = d.latlon(nx, ny)
    seconds = rng.integers(0, 300 * 86_400, 60 + n_noise).astype("timedelta64[s]")
    wishes = Wishes(
        np.r_[lat_b, lat_n],
        np.r_[lon_b, lon_n],
        np.r_[np.full(60, BAKERY), rng.integers(1, 6, n_noise)],
        np.r_[np.arange(60), 1000 + np.arange(n_noise)],
        NOW - seconds,
    )
    # Premises 6 m off streets; premise 0 sits mid-way along the bakery street.
    px = np.array([300.0, 75.0, 525.0, 150.0, 450.0, 600.0])
    py = np.array([300.0 + 6, 300.0 - 6, 300.0 + 6, 606.0, 6.0, 156.0])
    street = np.array([2, 2, 2, 4, 0, 1])
    plat, plon = d.latlon(px, py)
    premises = Premises(plat, plon, street, np.full(6, 60.0), np.full(6, 1800.0))
    sx, sy = rng.uniform(0, 600, 12), rng.uniform(0, 600, 12)
    slat, slon = d.latlon(sx, sy)
    shops = Shops(slat, slon, rng.integers(1, 6, 12))
    return BakeryCase(d, wishes, premises, shops, 2, 0, 6)
