"""Planted bakery demand on the real Paris streets (``../shared/data/paris``)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from analysis_district import NOW, PARIS

from analysis.geojson_io import load_points
from analysis.inputs import Premises, Shops, Streets, Wishes
from analysis.pipeline import projection_for, run_full
from analysis.streets import StreetIndex, nearest_agreement

pytestmark = pytest.mark.realdata
BAKERY = 0
N_TYPES = 10
STREET = "Rue de Crimée"


@pytest.fixture(scope="module")
def paris(paris_streets: Streets):
    proj = projection_for(
        Wishes([], [], [], [], []), Premises([], [], [], [], []), Shops([], [], []), paris_streets
    )
    index = StreetIndex.build(paris_streets.geometries, paris_streets.names, proj)
    return paris_streets, proj, index


def _points_along(rng, geom_m, n, lo, hi, off):
    """Points at fractions [lo, hi] of a projected line's length, 2..off m to either side."""
    line = shapely.line_merge(geom_m) if geom_m.geom_type == "MultiLineString" else geom_m
    if line.geom_type == "MultiLineString":
        line = max(line.geoms, key=lambda g: g.length)
    s = rng.uniform(lo, hi, n) * line.length
    a = shapely.line_interpolate_point(line, s)
    b = shapely.line_interpolate_point(line, s + 1.0)
    ax, ay = shapely.get_x(a), shapely.get_y(a)
    tx, ty = shapely.get_x(b) - ax, shapely.get_y(b) - ay
    norm = np.hypot(tx, ty)
    side = rng.choice([-1.0, 1.0], n) * rng.uniform(2, off, n)
    return ax - ty / norm * side, ay + tx / norm * side


def test_planted_bakery_on_rue_de_crimee(paris) -> None:
    streets, proj, index = paris
    target = streets.names.index(STREET)
    rng = np.random.default_rng(19)
    # 60 residents pin a bakery along the middle stretch of the street, 2–6 m off its line.
    bx, by = _points_along(rng, index.geoms_m[target], 60, 0.45, 0.55, 6.0)
    # Noise: 4,000 wishes of other types along random streets all over Paris.
    pick = rng.integers(0, len(streets), 4000)
    pts = shapely.line_interpolate_point(
        index.geoms_m[pick], rng.uniform(0, 1, 4000), normalized=True
    )
    nx = shapely.get_x(pts) + rng.normal(0, 8, 4000)
    ny = shapely.get_y(pts) + rng.normal(0, 8, 4000)
    lat, lon = proj.to_latlon(np.r_[bx, nx], np.r_[by, ny])
    wishes = Wishes(
        lat,
        lon,
        np.r_[np.full(60, BAKERY), rng.integers(1, N_TYPES, 4000)],
        np.r_[np.arange(60), 10_000 + np.arange(4000)],
        NOW - rng.integers(0, 365 * 86_400, 4060).astype("timedelta64[s]"),
    )
    # Premises: one mid-street on Rue de Crimée, 300 elsewhere.
    mx, my = _points_along(rng, index.geoms_m[target], 1, 0.5, 0.5, 6.0)
    others = rng.integers(0, len(streets), 300)
    opts = shapely.line_interpolate_point(index.geoms_m[others], 0.5, normalized=True)
    px, py = np.r_[mx, shapely.get_x(opts)], np.r_[my, shapely.get_y(opts)]
    plat, plon = proj.to_latlon(px, py)
    premises = Premises(plat, plon, np.r_[target, others], np.full(301, 70.0), np.full(301, 2e3))
    # Real shops as supply: real bakeries are type 0, other categories spread over 1..9.
    slat, slon, cat = load_points(PARIS / "commerces.geojson", "type_de_commerce")
    cats = sorted(set(cat) - {"Boulangerie - pâtisserie"})
    stype = np.array(
        [
            BAKERY if c == "Boulangerie - pâtisserie" else 1 + cats.index(c) % (N_TYPES - 1)
            for c in cat
        ]
    )
    shops = Shops(slat, slon, stype)
    res = run_full(wishes, premises, shops, streets, N_TYPES, NOW, street_index=index)

    assert res.streets.ranking(target)[0] == BAKERY
    # Planted wishes near a crossing belong to the crossing street; the exact reference agrees.
    exact, _ = index.nearest_exact(bx, by)
    assert (res.wish_street[:60] == exact).all()
    assert res.streets.residents[target, BAKERY] == (exact == target).sum() >= 45
    assert res.streets.top_streets(BAKERY, 1).tolist() == [target]
    on_street = np.flatnonzero(premises.street_idx == target)
    centre_x, centre_y = bx.mean(), by.mean()
    nearest = on_street[np.argmin(np.hypot(px[on_street] - centre_x, py[on_street] - centre_y))]
    assert res.premises.top_types(nearest, 1)[0] == BAKERY
    ev = res.premises.evidence(nearest, BAKERY)
    assert ev.residents == 60  # the whole planted stretch is within 400 m
    hs = [h for h in res.hotspots.for_type(BAKERY) if h.street_idx == target]
    assert hs and hs[0].residents >= 40


def test_nearest_street_agrees_with_strtree(paris) -> None:
    _streets, _proj, index = paris
    rng = np.random.default_rng(23)
    # Points along randomly chosen street segments (length-weighted), up to 15 m off the line.
    seg_len = np.hypot(*(index.seg_b - index.seg_a).T)
    seg = rng.choice(len(seg_len), 4000, p=seg_len / seg_len.sum())
    d = index.seg_b[seg] - index.seg_a[seg]
    n = np.column_stack((-d[:, 1], d[:, 0])) / np.maximum(seg_len[seg], 1e-9)[:, None]
    pts = index.seg_a[seg] + rng.random((4000, 1)) * d + rng.uniform(-15, 15, (4000, 1)) * n
    agree = nearest_agreement(index, pts[:, 0], pts[:, 1])
    assert agree.agreement >= 0.995
    assert agree.max_extra_m < 5.0
