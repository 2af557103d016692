"""Properties: order independence, monotone counts, one resident counts once."""

from __future__ import annotations

import numpy as np
from analysis_district import NOW, make_district
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.grouping import count_by_key
from analysis.inputs import Premises, Shops, Wishes
from analysis.pipeline import run_full
from analysis.streets import StreetIndex

DISTRICT = make_district()
INDEX = StreetIndex.build(DISTRICT.streets.geometries, DISTRICT.streets.names, DISTRICT.projection)
N_TYPES = 3
_plat, _plon = DISTRICT.latlon([300.0, 80.0, 500.0, 310.0], [306.0, 150.0, 456.0, 604.0])
PREMISES = Premises(_plat, _plon, [2, 1, 3, 4], [50.0] * 4, [1500.0] * 4)
_slat, _slon = DISTRICT.latlon([120.0, 420.0], [300.0, 450.0])
SHOPS = Shops(_slat, _slon, [0, 1])
SETTINGS = settings(max_examples=30, deadline=None)


@st.composite
def wish_sets(draw, min_size: int = 1, max_size: int = 60) -> Wishes:
    n = draw(st.integers(min_size, max_size))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    # Clumps on a few spots so that hotspots, shared cells and repeat wishes all occur.
    spots = rng.uniform(0, 600, (3, 2))
    xy = spots[rng.integers(0, 3, n)] + rng.normal(0, draw(st.sampled_from([5.0, 40.0])), (n, 2))
    lat, lon = DISTRICT.latlon(xy[:, 0], xy[:, 1])
    street = np.where(rng.random(n) < 0.3, rng.integers(0, 10, n), -1)
    return Wishes(
        lat,
        lon,
        rng.integers(0, N_TYPES, n),
        rng.integers(0, draw(st.integers(1, 25)), n),
        NOW - rng.integers(0, 200 * 86_400, n).astype("timedelta64[s]"),
        street,
    )


def _run(w: Wishes):
    return run_full(w, PREMISES, SHOPS, DISTRICT.streets, N_TYPES, NOW, street_index=INDEX)


def _take(w: Wishes, idx: np.ndarray) -> Wishes:
    return Wishes(
        w.lat[idx],
        w.lon[idx],
        w.type_idx[idx],
        w.resident_id[idx],
        w.created_at[idx],
        w.street_idx[idx],
    )


def _hotspot_rows(res) -> list[tuple]:
    return [
        (h.type_idx, round(h.lat, 9), round(h.lon, 9), round(h.radius_m, 6), h.wishes, h.residents)
        for h in res.hotspots.hotspots
    ]


@SETTINGS
@given(wish_sets(), st.randoms(use_true_random=False))
def test_order_of_wishes_does_not_matter(w: Wishes, random) -> None:
    perm = np.array(random.sample(range(len(w)), len(w)))
    a, b = _run(w), _run(_take(w, perm))
    np.testing.assert_array_equal(a.wish_street[perm], b.wish_street)
    for name in ("wishes", "residents", "recent", "previous"):
        np.testing.assert_array_equal(getattr(a.streets, name), getattr(b.streets, name))
    for name in ("wishes", "residents", "profile", "competitors"):
        np.testing.assert_array_equal(getattr(a.premises, name), getattr(b.premises, name))
    np.testing.assert_allclose(a.premises.demand, b.premises.demand)
    np.testing.assert_allclose(a.premises.gap, b.premises.gap)
    assert _hotspot_rows(a) == _hotspot_rows(b)
    np.testing.assert_array_equal(a.hotspots.wish_hotspot[perm], b.hotspots.wish_hotspot)


@SETTINGS
@given(wish_sets(), wish_sets(min_size=1, max_size=1))
def test_adding_a_wish_never_lowers_a_count(w: Wishes, extra: Wishes) -> None:
    more = Wishes(
        np.r_[w.lat, extra.lat],
        np.r_[w.lon, extra.lon],
        np.r_[w.type_idx, extra.type_idx],
        np.r_[w.resident_id, extra.resident_id],
        np.r_[w.created_at, extra.created_at],
        np.r_[w.street_idx, extra.street_idx],
    )
    a, b = _run(w), _run(more)
    for name in ("wishes", "residents", "recent"):
        assert (getattr(b.streets, name) >= getattr(a.streets, name)).all()
    assert b.streets.wishes.sum() == a.streets.wishes.sum() + 1
    for name in ("wishes", "residents", "profile"):
        assert (getattr(b.premises, name) >= getattr(a.premises, name)).all()
    assert (b.premises.demand >= a.premises.demand - 1e-12).all()
    assert sum(h.wishes for h in b.hotspots.hotspots) >= sum(h.wishes for h in a.hotspots.hotspots)


@SETTINGS
@given(wish_sets())
def test_a_resident_wishing_twice_counts_once(w: Wishes) -> None:
    # Every wish is repeated by the same resident (same type, 1–30 m away, same street).
    rng = np.random.default_rng(len(w))
    dx, dy = rng.uniform(-30, 30, len(w)), rng.uniform(-30, 30, len(w))
    x, y = DISTRICT.projection.to_xy(w.lat, w.lon)
    lat2, lon2 = DISTRICT.latlon(x + dx, y + dy)
    street = INDEX.nearest(x, y)
    w1 = Wishes(w.lat, w.lon, w.type_idx, w.resident_id, w.created_at, street)
    both = Wishes(
        np.r_[w.lat, lat2],
        np.r_[w.lon, lon2],
        np.r_[w.type_idx, w.type_idx],
        np.r_[w.resident_id, w.resident_id],
        np.r_[w.created_at, w.created_at],
        np.r_[street, street],
    )
    a, b = _run(w1), _run(both)
    np.testing.assert_array_equal(b.streets.residents, a.streets.residents)
    np.testing.assert_array_equal(b.streets.wishes, 2 * a.streets.wishes)
    # Within a radius a resident counts once: never more than before plus the moved copies.
    assert (b.premises.residents >= a.premises.residents).all()
    assert (b.premises.residents <= b.premises.wishes).all()
    n_res = len(np.unique(w.resident_id))
    assert b.premises.residents.sum(axis=1).max() <= n_res * N_TYPES
    counts = count_by_key(np.r_[street, street], np.r_[w.resident_id, w.resident_id])
    single = count_by_key(street, w.resident_id)
    np.testing.assert_array_equal(counts.residents, single.residents)
    np.testing.assert_array_equal(counts.wishes, 2 * single.wishes)


def test_exact_duplicate_leaves_residents_unchanged() -> None:
    rng = np.random.default_rng(4)
    lat, lon = DISTRICT.latlon(rng.uniform(100, 500, 30), rng.uniform(100, 500, 30))
    w = Wishes(
        lat, lon, rng.integers(0, N_TYPES, 30), rng.integers(0, 10, 30), np.full(30, NOW), None
    )
    dup = _take(w, np.r_[np.arange(30), np.arange(30)])
    a, b = _run(w), _run(dup)
    np.testing.assert_array_equal(a.premises.residents, b.premises.residents)
    np.testing.assert_array_equal(a.premises.profile, b.premises.profile)
    np.testing.assert_allclose(a.premises.demand, b.premises.demand)
    np.testing.assert_array_equal(2 * a.premises.wishes, b.premises.wishes)
    np.testing.assert_array_equal(a.streets.residents, b.streets.residents)


def test_count_by_key_matches_python() -> None:
    rng = np.random.default_rng(8)
    keys = rng.integers(-1, 6, 500)
    res = rng.integers(0, 40, 500) * 1_000_003  # arbitrary large ids
    types = rng.integers(0, 3, 500)
    got = count_by_key(keys, res, types).as_dict()
    expected: dict[tuple[int, int], tuple[int, set]] = {}
    for k, r, t in zip(keys, res, types, strict=True):
        if k < 0:
            continue
        n, s = expected.get((int(k), int(t)), (0, set()))
        expected[(int(k), int(t))] = (n + 1, s | {int(r)})
    assert got == {k: (n, len(s)) for k, (n, s) in expected.items()}
    plain = count_by_key(keys, res)
    assert plain.params["skipped_negative_keys"] == int((keys < 0).sum())
    assert plain.wishes.sum() == (keys >= 0).sum()
