"""Hotspots: planted clusters are found with exact counts; noise is not a hotspot."""

from __future__ import annotations

import numpy as np
from sklearn.cluster import DBSCAN

from analysis.hotspots import HotspotParams, find_hotspots
from analysis.lattice_dbscan import lattice_dbscan
from analysis.projection import LocalProjection

PROJ = LocalProjection(48.88, 2.38)


def _planted(rng: np.random.Generator):
    """Two planted clusters plus sparse noise kept 300 m away from them."""
    c1, c2 = np.array([200.0, 300.0]), np.array([1500.0, 1200.0])
    # Cluster 1: 30 residents want type 2 within ~40 m; 5 of them pin it twice.
    p1 = c1 + rng.normal(0, 20, (35, 2))
    r1 = np.r_[np.arange(30), np.arange(5)]
    # Cluster 2: 20 residents want type 3 within ~30 m.
    p2 = c2 + rng.normal(0, 15, (20, 2))
    r2 = 100 + np.arange(20)
    noise = rng.uniform(-500, 2500, (4000, 2))
    far = (np.hypot(*(noise - c1).T) > 300) & (np.hypot(*(noise - c2).T) > 300)
    noise = noise[far][:150]
    xy = np.vstack((p1, p2, noise))
    t = np.r_[np.full(35, 2), np.full(20, 3), rng.integers(0, 5, len(noise))]
    res = np.r_[r1, r2, 1000 + np.arange(len(noise))]
    return xy, t, res, (c1, p1), (c2, p2), len(noise)


def test_planted_clusters_found_with_exact_counts() -> None:
    rng = np.random.default_rng(3)
    xy, t, res, (c1, p1), (_c2, p2), n_noise = _planted(rng)
    out = find_hotspots(xy[:, 0], xy[:, 1], t, res, PROJ)
    assert len(out.hotspots) == 2
    h1, h2 = out.for_type(2), out.for_type(3)
    assert len(h1) == 1 and len(h2) == 1
    h1, h2 = h1[0], h2[0]
    assert (h1.wishes, h1.residents) == (35, 30)
    assert (h2.wishes, h2.residents) == (20, 20)
    for h, pts in ((h1, p1), (h2, p2)):
        x, y = PROJ.to_xy(h.lat, h.lon)
        # The centroid is the mean of the member wishes (exact positions, not cells).
        assert np.hypot(x - pts[:, 0].mean(), y - pts[:, 1].mean()) < 0.01
        assert np.isclose(h.radius_m, np.hypot(*(pts - pts.mean(axis=0)).T).max())
    assert np.hypot(*(np.array(PROJ.to_xy(h1.lat, h1.lon)) - c1)) < 15
    # No noise wish belongs to a hotspot.
    assert (out.wish_hotspot[-n_noise:] == -1).all()
    assert (out.wish_hotspot[:35] == out.hotspots.index(h1)).all()
    # The hull (on demand) covers every member wish.
    hull = out.hull(out.hotspots.index(h1))
    lat, lon = PROJ.to_latlon(p1[:, 0], p1[:, 1])
    import shapely

    assert shapely.contains_xy(hull, lon, lat).all()


def test_min_residents_rejects_one_household() -> None:
    # 40 wishes in one spot, but only 3 residents: dense, yet not a hotspot.
    rng = np.random.default_rng(5)
    xy = np.array([100.0, 100.0]) + rng.normal(0, 5, (40, 2))
    out = find_hotspots(xy[:, 0], xy[:, 1], np.zeros(40, int), np.arange(40) % 3, PROJ)
    # Cell weights count a resident once per cell, so the blob is dense enough for DBSCAN;
    # the min_residents rule is what rejects it.
    assert out.params["clusters_before_min_residents"] == 1
    assert out.hotspots == []
    assert (out.wish_hotspot == -1).all()


def test_uniform_noise_is_not_a_hotspot() -> None:
    rng = np.random.default_rng(9)
    xy = rng.uniform(0, 3000, (500, 2))
    out = find_hotspots(xy[:, 0], xy[:, 1], rng.integers(0, 4, 500), np.arange(500), PROJ)
    assert out.hotspots == []


def test_lattice_dbscan_matches_sklearn() -> None:
    rng = np.random.default_rng(0)
    for trial in range(5):
        n = 600
        cells = np.unique(rng.integers(0, 60, (n, 2)), axis=0)
        # Dense blobs plus scattered cells, weights 1..4.
        blob = np.unique(rng.integers(20, 28, (150, 2)), axis=0)
        cells = np.unique(np.vstack((cells, blob)), axis=0)
        w = rng.integers(1, 5, len(cells)).astype(float)
        radius, min_w = 2.5 + 0.5 * trial, 12.0
        ours = lattice_dbscan(cells[:, 0], cells[:, 1], np.zeros(len(cells), int), w, radius, min_w)
        db = DBSCAN(eps=radius, min_samples=int(min_w)).fit(cells + 0.5, sample_weight=w)
        ref = db.labels_
        core = np.zeros(len(cells), bool)
        core[db.core_sample_indices_] = True
        # Same noise set, and the same partition of core points.
        assert ((ours == -1) == (ref == -1)).all()
        pairs = {(a, b) for a, b in zip(ours[core], ref[core], strict=True)}
        assert len(pairs) == len(set(ours[core])) == len(set(ref[core]))
        # Border points join a cluster that one of their core neighbours belongs to.
        for i in np.flatnonzero(~core & (ours >= 0)):
            d = np.hypot(*(cells[core] - cells[i]).T)
            assert ours[i] in set(ours[core][d <= radius])


def test_types_never_mix() -> None:
    xy = np.array([100.0, 100.0]) + np.random.default_rng(1).normal(0, 10, (40, 2))
    t = np.r_[np.zeros(20, int), np.ones(20, int)]
    out = find_hotspots(
        xy[:, 0], xy[:, 1], t, np.arange(40), PROJ, params=HotspotParams(min_residents=10)
    )
    assert sorted(h.type_idx for h in out.hotspots) == [0, 1]
    assert all(h.residents == 20 for h in out.hotspots)


def test_hotspot_stands_out_of_a_dense_background() -> None:
    rng = np.random.default_rng(12)
    bg = rng.uniform(0, 3000, (6000, 2))  # ~21 residents per 100 m disc everywhere
    spot = np.array([1200.0, 1700.0]) + rng.normal(0, 20, (150, 2))
    xy = np.vstack((bg, spot))
    res = np.arange(len(xy))
    t = np.zeros(len(xy), int)
    out = find_hotspots(xy[:, 0], xy[:, 1], t, res, PROJ)
    assert len(out.hotspots) == 1
    h = out.hotspots[0]
    assert np.hypot(*(np.array(PROJ.to_xy(h.lat, h.lon)) - (1200, 1700))) < 20
    assert 150 <= h.residents < 250  # the spot plus the background inside it
    assert out.params["core_threshold_by_type"][0] > 50
    # With absolute thresholds only, the background chains into one city-wide cluster.
    flat = find_hotspots(
        xy[:, 0], xy[:, 1], t, res, PROJ, params=HotspotParams(background_factor=0.0)
    )
    assert len(flat.hotspots) == 1 and flat.hotspots[0].residents > 5000
