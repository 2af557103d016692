"""Synthetic city-scale inputs over the real Paris street network, for the benchmark.

Wishes are laid along real streets (``voies.geojson``): a share concentrated in planted hotspots,
a share spread evenly over the network, and about half pinned on premises. Residents live in
400 m neighbourhoods, so one resident's wishes lie close together (the realistic, harder case for
distinct-resident counting). Existing shops are the real ``commerces.geojson`` points plus a few
synthetic ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from analysis.geojson_io import load_points, load_streets
from analysis.inputs import Premises, Shops, Streets, Wishes
from analysis.projection import LocalProjection
from analysis.streets import StreetIndex

PARIS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "paris"
NOW = np.datetime64("2026-11-01T00:00:00", "s")


@dataclass
class City:
    """Generated inputs plus the planted truth."""

    wishes: Wishes
    premises: Premises
    shops: Shops
    streets: Streets
    n_types: int
    now: np.datetime64
    hotspot_xy: np.ndarray
    hotspot_type: np.ndarray


def _points_on_segments(
    rng: np.random.Generator, a: np.ndarray, b: np.ndarray, seg: np.ndarray, max_off: float
) -> np.ndarray:
    d = b[seg] - a[seg]
    length = np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-9)
    f = rng.random(len(seg))
    off = rng.uniform(-max_off, max_off, len(seg))
    normal = np.column_stack((-d[:, 1], d[:, 0])) / length[:, None]
    return a[seg] + f[:, None] * d + off[:, None] * normal


def generate(
    n_wishes: int = 1_000_000,
    n_premises: int = 5_000,
    n_shops: int = 3_000,
    n_types: int = 40,
    n_residents: int = 200_000,
    n_hotspots: int = 200,
    hotspot_share: float = 0.35,
    premise_share: float = 0.5,
    seed: int = 20261101,
) -> City:
    """Return a synthetic city with the given sizes (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    streets = load_streets(PARIS / "voies.geojson")
    b = np.array([g.bounds for g in streets.geometries])
    proj = LocalProjection((b[:, 1].min() + b[:, 3].max()) / 2, (b[:, 0].min() + b[:, 2].max()) / 2)
    idx = StreetIndex.build(streets.geometries, streets.names, proj)
    a, bb, seg_street = idx.seg_a, idx.seg_b, idx.seg_street
    seg_len = np.hypot(*(bb - a).T)
    p_seg = seg_len / seg_len.sum()
    type_p = 1.0 / np.arange(1, n_types + 1) ** 0.8
    type_p /= type_p.sum()

    # Premises a few metres off their street, which they carry as street_idx.
    pseg = rng.choice(len(a), n_premises, p=p_seg)
    pxy = _points_on_segments(rng, a, bb, pseg, 8.0)
    plat, plon = proj.to_latlon(pxy[:, 0], pxy[:, 1])
    surface = np.round(rng.lognormal(np.log(60), 0.5, n_premises), 1)
    rent = np.round(surface * rng.uniform(20, 45, n_premises), -1)
    premises = Premises(plat, plon, seg_street[pseg], surface, rent)

    # Planted hotspots: centre on a street, wishes on street segments within 150 m of it.
    hseg = rng.choice(len(a), n_hotspots, p=p_seg)
    hxy = _points_on_segments(rng, a, bb, hseg, 0.0)
    htype = rng.choice(n_types, n_hotspots, p=type_p)
    mid = (a + bb) / 2
    near = cKDTree(mid).query_ball_point(hxy, 150.0)

    n_hot = int(n_wishes * hotspot_share)
    n_prem = int(n_wishes * premise_share)
    n_bg = n_wishes - n_hot - n_prem
    which = rng.integers(0, n_hotspots, n_hot)
    lens = np.array([len(v) for v in near])
    pick = (rng.random(n_hot) * lens[which]).astype(np.int64)
    flat = np.concatenate([np.asarray(v, dtype=np.int64) for v in near])
    starts = np.cumsum(lens) - lens
    hot_seg = flat[starts[which] + pick]
    hot_xy = _points_on_segments(rng, a, bb, hot_seg, 15.0)
    bg_seg = rng.choice(len(a), n_bg, p=p_seg)
    bg_xy = _points_on_segments(rng, a, bb, bg_seg, 15.0)
    prem_pick = rng.choice(n_premises, n_prem, p=(w := rng.pareto(1.5, n_premises) + 1) / w.sum())
    xy = np.vstack((hot_xy, bg_xy, pxy[prem_pick]))
    t = np.concatenate((htype[which], rng.choice(n_types, n_bg + n_prem, p=type_p)))
    street = np.concatenate(
        (np.full(n_hot + n_bg, -1, dtype=np.int64), premises.street_idx[prem_pick])
    )
    # Residents live in 400 m neighbourhoods: ids are drawn among those of the wish's block.
    block = np.floor(xy / 400.0).astype(np.int64)
    block_id = (block[:, 1] - block[:, 1].min()) * 1000 + (block[:, 0] - block[:, 0].min())
    _, block_code = np.unique(block_id, return_inverse=True)
    n_blocks = int(block_code.max()) + 1
    per_block = max(1, n_residents // n_blocks)
    resident = block_code * per_block + rng.integers(0, per_block, n_wishes)
    created = NOW - rng.integers(0, 365 * 86_400, n_wishes).astype("timedelta64[s]")
    order = rng.permutation(n_wishes)
    lat, lon = proj.to_latlon(xy[order, 0], xy[order, 1])
    wishes = Wishes(lat, lon, t[order], resident[order], created[order], street[order])

    s_lat, s_lon, s_cat = load_points(PARIS / "commerces.geojson", "type_de_commerce")
    cats = sorted(set(s_cat))
    s_type = np.array([cats.index(c) % n_types for c in s_cat], dtype=np.int64)
    extra = max(0, n_shops - len(s_lat))
    eseg = rng.choice(len(a), extra, p=p_seg)
    exy = _points_on_segments(rng, a, bb, eseg, 8.0)
    elat, elon = proj.to_latlon(exy[:, 0], exy[:, 1])
    shops = Shops(
        np.concatenate((s_lat, elat)),
        np.concatenate((s_lon, elon)),
        np.concatenate((s_type, rng.choice(n_types, extra, p=type_p))),
    )
    return City(wishes, premises, shops, streets, n_types, NOW, hxy, htype)
