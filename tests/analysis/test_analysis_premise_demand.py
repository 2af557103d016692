"""Premise demand against a brute-force reference written straight from the definitions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import cKDTree

from analysis import premise_demand as pdm
from analysis.binning import bin_wishes
from analysis.premise_demand import (
    DemandParams,
    _kdtree_pairs,
    gap_scores,
    premise_cell_pairs,
    premise_demand,
)


def _reference(wx, wy, wt, wr, px, py, sx, sy, st, n_types, p: DemandParams):
    """Loop-based reference: cell-centre distances, each resident once at their closest wish."""
    cx = (np.floor(wx / p.cell_m) + 0.5) * p.cell_m
    cy = (np.floor(wy / p.cell_m) + 0.5) * p.cell_m
    edges = p.ring_m * np.arange(1, round(p.radius_m / p.ring_m) + 1)
    weights = 1.0 - (edges - p.ring_m) / p.radius_m
    n_p = len(px)
    wishes = np.zeros((n_p, n_types), int)
    profile = np.zeros((n_p, n_types, len(edges)), int)
    demand = np.zeros((n_p, n_types))
    supply = np.zeros((n_p, n_types))
    comp = np.zeros((n_p, n_types), int)
    nearest = np.full((n_p, n_types), np.inf)
    for i in range(n_p):
        d = np.hypot(cx - px[i], cy - py[i])
        for t in range(n_types):
            sel = (wt == t) & (d <= p.radius_m)
            wishes[i, t] = sel.sum()
            closest: dict[int, float] = {}
            for r, dist in zip(wr[sel], d[sel], strict=True):
                closest[int(r)] = min(closest.get(int(r), np.inf), float(dist))
            for dist in closest.values():
                ring = min(int(np.searchsorted(edges, dist, side="left")), len(edges) - 1)
                profile[i, t, ring:] += 1
                demand[i, t] += weights[ring]
            ds = np.hypot(sx[st == t] - px[i], sy[st == t] - py[i])
            if ds.size:
                nearest[i, t] = ds.min()
            for dist in ds[ds <= p.radius_m]:
                ring = min(int(np.searchsorted(edges, dist, side="left")), len(edges) - 1)
                supply[i, t] += weights[ring]
                comp[i, t] += 1
    return wishes, profile, demand, supply, comp, nearest


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, n_types = 400, 3
    # Few residents, so many wish the same type in several cells (the deduplicated path).
    wx, wy = rng.uniform(0, 1200, n), rng.uniform(0, 1200, n)
    wt, wr = rng.integers(0, n_types, n), rng.integers(0, 40, n)
    px, py = rng.uniform(0, 1200, 20), rng.uniform(0, 1200, 20)
    sx, sy, st = rng.uniform(0, 1200, 15), rng.uniform(0, 1200, 15), rng.integers(0, n_types, 15)
    p = DemandParams()
    got = premise_demand(wx, wy, wt, wr, px, py, sx, sy, st, n_types, p)
    wishes, profile, demand, supply, comp, nearest = _reference(
        wx, wy, wt, wr, px, py, sx, sy, st, n_types, p
    )
    np.testing.assert_array_equal(got.wishes, wishes)
    np.testing.assert_array_equal(got.profile, profile)
    np.testing.assert_array_equal(got.residents, profile[..., -1])
    np.testing.assert_allclose(got.demand, demand)
    np.testing.assert_allclose(got.supply, supply)
    np.testing.assert_array_equal(got.competitors, comp)
    np.testing.assert_allclose(got.nearest_competitor_m, nearest)
    u = demand / (1 + supply)
    ref = max(np.quantile(u[u > 0], 0.9), 1.0)
    np.testing.assert_allclose(got.gap, 100 * u / (u + ref))
    assert got.params["reference_u"] == pytest.approx(ref)


def test_gap_formula_is_monotone_and_bounded() -> None:
    u = np.array([0.0, 1.0, 5.0, 10.0, 100.0])
    gap, ref = gap_scores(u, 0.5, 1.0)
    assert ref == 7.5
    assert gap[0] == 0 and (np.diff(gap) > 0).all() and gap[-1] < 100
    assert gap_scores(np.zeros(3), 0.9, 2.0)[1] == 2.0


def test_rejects_radius_not_multiple_of_ring() -> None:
    with pytest.raises(ValueError):
        premise_demand(
            [0.0], [0.0], [0], [1], [0.0], [0.0], [], [], [], 1, DemandParams(radius_m=450)
        )


def _pair_set(batches, ordered: bool = True) -> tuple[np.ndarray, np.ndarray]:
    keys, dist = [], []
    for idx, pl, pc, d in batches:
        assert not ordered or (np.diff(pl) >= 0).all()  # premise by premise
        keys.append(idx[pl].astype(np.int64) * 1_000_000 + pc)
        dist.append(d)
    k, d = np.concatenate(keys), np.concatenate(dist)
    order = np.argsort(k)
    return k[order], d[order]


def test_lattice_pairs_match_kdtree() -> None:
    rng = np.random.default_rng(5)
    n = 3000
    wx, wy = rng.uniform(-500, 2500, n), rng.uniform(-300, 1800, n)
    bins = bin_wishes(wx, wy, rng.integers(0, 3, n), rng.integers(0, 200, n), 25.0, 3)
    # Premises inside, at the edge of and far outside the wishes' box.
    px = np.r_[rng.uniform(-1500, 3500, 300), -5000.0, 9000.0]
    py = np.r_[rng.uniform(-1200, 2800, 300), 0.0, 9000.0]
    lattice = _pair_set(premise_cell_pairs(px, py, bins, 400.0, chunk=7))
    kd = _pair_set(_kdtree_pairs(px, py, bins, 400.0, 7))
    tree = cKDTree(np.column_stack((px, py))).sparse_distance_matrix(
        cKDTree(bins.centres()), 400.0, output_type="ndarray"
    )
    ref = _pair_set([(np.arange(len(px)), tree["i"], tree["j"], tree["v"])], ordered=False)
    for got in (lattice, kd):
        np.testing.assert_array_equal(got[0], ref[0])
        np.testing.assert_array_equal(got[1], ref[1])  # same float distances as the KD-tree


@pytest.mark.parametrize(
    "patch",
    [
        {"_MAX_LATTICE": 0},  # KD-tree pairs
        {"_PAIR_CHUNK": 3},  # many batches
        {"_F32_EXACT": 0.0},  # float64 digits
        {"_F32_EXACT": 0.0, "_F64_EXACT": 0.0},  # one product per cumulative ring
    ],
)
def test_every_path_matches_brute_force(monkeypatch, patch: dict) -> None:
    for name, value in patch.items():
        monkeypatch.setattr(pdm, name, value)
    rng = np.random.default_rng(3)
    n, n_types = 500, 3
    wx, wy = rng.uniform(0, 1500, n), rng.uniform(0, 1500, n)
    wt, wr = rng.integers(0, n_types, n), rng.integers(0, 30, n)
    px, py = rng.uniform(-200, 1700, 25), rng.uniform(-200, 1700, 25)
    sx, sy, st = rng.uniform(0, 1500, 12), rng.uniform(0, 1500, 12), rng.integers(0, n_types, 12)
    p = DemandParams()
    got = premise_demand(wx, wy, wt, wr, px, py, sx, sy, st, n_types, p)
    wishes, profile, demand, *_ = _reference(wx, wy, wt, wr, px, py, sx, sy, st, n_types, p)
    np.testing.assert_array_equal(got.wishes, wishes)
    np.testing.assert_array_equal(got.profile, profile)
    np.testing.assert_allclose(got.demand, demand)
