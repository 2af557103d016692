"""Hotspots: places where many distinct residents want the same kind of shop.

Method: wishes of each type are binned into ``cell_m`` (25 m) cells; each cell's weight is its
number of distinct residents (a resident pinning the same spot twice counts once). DBSCAN with that
``sample_weight`` runs on the cell centres of each type (:mod:`analysis.lattice_dbscan`, the same
clustering as scikit-learn's DBSCAN on those points, vectorised for the lattice; the tests check
the two agree). Before DBSCAN, a cell is dropped when no distinct-resident total over the 3×3 block
of ``eps``-sized super-cells around it can reach ``min_core_residents``: such a cell can be neither
core nor within ``eps`` of a core, so the clustering of the remaining cells is unchanged.

Each hotspot reports its centroid (mean of its wishes), radius (farthest member wish from the
centroid), convex hull (on demand; of its member cells, so it contains every member wish and exceeds
the wishes' own hull by at most one cell), wishes, distinct residents, and the street nearest to the
centroid (fast method of :class:`analysis.streets.StreetIndex`).

Defaults, walking-distance reasoning:

* ``eps_m = 100``: wishes less than about one Paris block (80–120 m, 1–1.5 min on foot) apart
  are the same place; chains of such wishes along a street join, two spots separated by more than
  a block of nothing stay apart. It is a quarter of the 400 m (5 min) walk that bounds a
  neighbourhood shop's catchment, so a hotspot is always well inside one catchment.
* ``cell_m = 25``: about three shopfronts; moves a wish by at most 18 m, well under eps, and
  keeps the neighbourhood walk to 49 lattice offsets.
* ``min_core_residents = 5``: a point is dense when five distinct residents wished within a block;
  fewer is what a single building or family produces.
* ``min_residents = 10``: a hotspot must gather ten distinct residents in all, enough that it is
  not one household's request and small enough to surface a new street's demand early.
* ``background_factor = 3``: when a type is wanted everywhere (a bakery in a city where a million
  wishes were made), five residents within a block is just its background level and fixed
  thresholds would chain the whole city into one cluster. The core threshold of a type is
  therefore ``max(min_core_residents, background_factor × its city-wide mean)``, the mean being
  its (type, cell) distinct residents spread over the inhabited area (``area_cell_m`` = 200 m
  squares holding any wish) and counted in one eps-disc: a hotspot is at least three times as
  dense as that type's average. The area is at least ``min_area_m2`` (1 km², a neighbourhood),
  so a pilot whose wishes all sit in one place keeps the absolute thresholds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import shapely

from analysis.binning import WishBins, bin_wishes
from analysis.grouping import pack, sorted_unique
from analysis.lattice_dbscan import lattice_dbscan
from analysis.projection import LocalProjection
from analysis.streets import StreetIndex

_MAX_DENSE_SUPERCELLS = 50_000_000


@dataclass(frozen=True)
class HotspotParams:
    """Tuning of :func:`find_hotspots`; the defaults are justified in the module docstring."""

    eps_m: float = 100.0
    cell_m: float = 25.0
    min_core_residents: int = 5
    min_residents: int = 10
    background_factor: float = 3.0
    area_cell_m: float = 200.0
    min_area_m2: float = 1_000_000.0


@dataclass(frozen=True)
class Hotspot:
    """One cluster of wishes for one shop type."""

    type_idx: int
    lat: float
    lon: float
    radius_m: float
    wishes: int
    residents: int
    street_idx: int
    street_name: str | None


@dataclass(frozen=True)
class HotspotResult:
    """Hotspots sorted by type then distinct residents, and each wish's hotspot id (-1 = none).

    Hulls are built on demand (:meth:`hull`, :meth:`hulls`): about 20 µs each, which for the
    thousands of hotspots of a whole city would double the clustering time if always paid.
    """

    hotspots: list[Hotspot]
    wish_hotspot: np.ndarray
    params: dict = field(default_factory=dict)
    outline_lonlat: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    outline_offsets: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))

    def hull(self, i: int) -> shapely.Geometry:
        """Return hotspot i's convex hull (WGS84 lon/lat Polygon) covering all its wishes."""
        a, b = self.outline_offsets[i], self.outline_offsets[i + 1]
        return shapely.convex_hull(shapely.multipoints(self.outline_lonlat[a:b]))

    def hulls(self) -> np.ndarray:
        """Return all hotspots' convex hulls as an array of WGS84 Polygons."""
        if not self.hotspots:
            return np.zeros(0, dtype=object)
        mp = shapely.from_ragged_array(
            shapely.GeometryType.MULTIPOINT, self.outline_lonlat, (self.outline_offsets,)
        )
        return shapely.convex_hull(mp)

    def for_type(self, type_idx: int) -> list[Hotspot]:
        """Return the hotspots of one shop type, most residents first."""
        return [h for h in self.hotspots if h.type_idx == type_idx]


def _core_thresholds(
    bins: WishBins, weight: np.ndarray, u_t: np.ndarray, p: HotspotParams
) -> np.ndarray:
    """Return each type's core threshold: min_core_residents or 3× its background per eps-disc."""
    k = max(1, round(p.area_cell_m / bins.cell_m))
    coarse = sorted_unique(
        pack(
            [
                bins.cell_iy // k - (bins.cell_iy // k).min(),
                bins.cell_ix // k - (bins.cell_ix // k).min(),
            ],
            [int(np.ptp(bins.cell_iy // k)) + 1, int(np.ptp(bins.cell_ix // k)) + 1],
        )
    )
    area = max(coarse.size * (k * bins.cell_m) ** 2, p.min_area_m2)
    per_type = np.bincount(u_t, weights=weight, minlength=bins.n_types)
    background = per_type * np.pi * p.eps_m**2 / area
    return np.maximum(float(p.min_core_residents), p.background_factor * background)


def _candidate_cells(
    cx: np.ndarray,
    cy: np.ndarray,
    t: np.ndarray,
    w: np.ndarray,
    threshold: np.ndarray,
    p: HotspotParams,
    n_types: int,
) -> np.ndarray:
    """Return a mask of (type, cell) rows that may belong to a DBSCAN cluster."""
    sx = np.floor((cx + 0.5) * p.cell_m / p.eps_m).astype(np.int64)
    sy = np.floor((cy + 0.5) * p.cell_m / p.eps_m).astype(np.int64)
    sx -= sx.min()
    sy -= sy.min()
    shape = (n_types, int(sy.max()) + 1, int(sx.max()) + 1)
    if shape[0] * shape[1] * shape[2] > _MAX_DENSE_SUPERCELLS:
        return np.ones(len(cx), dtype=bool)
    grid = np.zeros(shape, dtype=np.float64)
    np.add.at(grid, (t, sy, sx), w)
    # An eps-disc around any point of a super-cell lies inside its 3×3 block of super-cells.
    block = _block_sums(grid)
    may_core = block >= threshold[:, None, None]
    may_join = _block_sums(may_core.astype(np.float64)) > 0
    return may_join[t, sy, sx]


def _block_sums(grid: np.ndarray) -> np.ndarray:
    """Return each cell's sum over its 3×3 block in the last two axes, zero outside the grid."""
    # What scipy.ndimage.correlate with a 3×3 of ones gave (weights are whole resident counts,
    # so any order of adding is exact); numpy alone spares `flask analyse` importing ndimage.
    padded = np.pad(grid, ((0, 0), (1, 1), (1, 1)))
    rows = padded[:, :-2, :] + padded[:, 1:-1, :] + padded[:, 2:, :]
    return rows[:, :, :-2] + rows[:, :, 1:-1] + rows[:, :, 2:]


def find_hotspots(
    x: np.ndarray,
    y: np.ndarray,
    type_idx: np.ndarray,
    resident_id: np.ndarray,
    projection: LocalProjection,
    street_index: StreetIndex | None = None,
    params: HotspotParams | None = None,
    bins: WishBins | None = None,
) -> HotspotResult:
    """Return weighted-DBSCAN hotspots per type over projected wishes (x, y in metres).

    ``bins`` may pass a :func:`analysis.binning.bin_wishes` result with ``cell_m`` equal to
    ``params.cell_m`` to share that work with :func:`analysis.premise_demand.premise_demand`.
    """
    p = params or HotspotParams()
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    meta = {**asdict(p), "candidate_cells": 0, "clusters_before_min_residents": 0}
    if bins is None or bins.cell_m != p.cell_m:
        bins = bin_wishes(x, y, type_idx, resident_id, p.cell_m)
    label = np.full(len(x), -1, dtype=np.int64)
    if len(x) == 0:
        return HotspotResult([], label, meta)
    n_types = bins.n_types
    weight_ct = bins.resident_counts()
    tc = np.flatnonzero(weight_ct.ravel())
    u_c, u_t = tc // n_types, tc % n_types
    weight = weight_ct.ravel()[tc].astype(np.float64)
    u_cx, u_cy = bins.cell_ix[u_c], bins.cell_iy[u_c]
    threshold = _core_thresholds(bins, weight, u_t, p)
    meta["core_threshold_by_type"] = [float(v) for v in threshold]
    keep = _candidate_cells(
        u_cx - u_cx.min(), u_cy - u_cy.min(), u_t, weight, threshold, p, n_types
    )
    kept = np.flatnonzero(keep)
    meta["candidate_cells"] = int(kept.size)
    tc_label = np.full(n_types * bins.n_cells, -1, dtype=np.int64)
    tc_label[tc[kept]] = lattice_dbscan(
        u_cx[kept], u_cy[kept], u_t[kept], weight[kept], p.eps_m / p.cell_m, threshold[u_t[kept]]
    )
    raw = tc_label[bins.cell * n_types + bins.wish_type]
    n_raw = int(raw.max()) + 1
    meta["clusters_before_min_residents"] = n_raw
    if n_raw == 0:
        return HotspotResult([], label, meta)
    member = raw >= 0
    lab = raw[member]
    res = bins.resident
    wishes = np.bincount(lab, minlength=n_raw)
    residents = np.bincount(
        sorted_unique(pack([lab, res[member]], [n_raw, bins.n_residents])) // bins.n_residents,
        minlength=n_raw,
    )
    mx = np.bincount(lab, weights=x[member], minlength=n_raw) / np.maximum(wishes, 1)
    my = np.bincount(lab, weights=y[member], minlength=n_raw) / np.maximum(wishes, 1)
    c_type = np.zeros(n_raw, dtype=np.int64)
    c_type[lab] = bins.wish_type[member]
    good = residents >= p.min_residents
    # Stable, input-order-free numbering: type, most residents, most wishes, then position.
    order = np.lexsort((my, mx, -wishes, -residents, c_type))
    order = order[good[order]]
    final_id = np.full(n_raw, -1, dtype=np.int64)
    final_id[order] = np.arange(order.size)
    label = np.where(member, final_id[np.maximum(raw, 0)], -1)
    k = order.size
    if k == 0:
        return HotspotResult([], label, meta)
    member = label >= 0
    lab = label[member]
    ccx, ccy = mx[order], my[order]
    radius = np.zeros(k)
    np.maximum.at(radius, lab, np.hypot(x[member] - ccx[lab], y[member] - ccy[lab]))
    ox, oy, offsets = _outlines(tc_label, final_id, bins, p.cell_m, k)
    o_lat, o_lon = projection.to_latlon(ox, oy)
    lat, lon = projection.to_latlon(ccx, ccy)
    if street_index is not None and street_index.n_streets:
        street = street_index.nearest(ccx, ccy)
    else:
        street = np.full(k, -1, dtype=np.int64)
    hotspots = [
        Hotspot(
            type_idx=int(c_type[order[i]]),
            lat=float(lat[i]),
            lon=float(lon[i]),
            radius_m=float(radius[i]),
            wishes=int(wishes[order[i]]),
            residents=int(residents[order[i]]),
            street_idx=int(street[i]),
            street_name=street_index.names[street[i]] if street[i] >= 0 and street_index else None,
        )
        for i in range(k)
    ]
    return HotspotResult(hotspots, label, meta, np.column_stack((o_lon, o_lat)), offsets)


def _outlines(
    tc_label: np.ndarray, final_id: np.ndarray, bins: WishBins, cell_m: float, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (x, y, offsets): the cell corners whose convex hull is each hotspot's hull."""
    tc = np.flatnonzero(tc_label >= 0)
    hid = final_id[tc_label[tc]]
    tc, hid = tc[hid >= 0], hid[hid >= 0]
    c = tc // bins.n_types
    cx, cy = bins.cell_ix[c], bins.cell_iy[c]
    # Only the leftmost and rightmost cell of each row can carry hull vertices: take the two
    # outer corners of each.
    order = np.lexsort((cx, cy, hid))
    hid, cx, cy = hid[order], cx[order], cy[order]
    start = np.r_[True, (hid[1:] != hid[:-1]) | (cy[1:] != cy[:-1])]
    end = np.r_[start[1:], True]
    left_x, right_x = cx[start], cx[end] + 1
    row_y, row_h = cy[start], hid[start]
    xs = np.column_stack((left_x, left_x, right_x, right_x)).ravel() * cell_m
    ys = np.column_stack((row_y, row_y + 1, row_y, row_y + 1)).ravel() * cell_m
    counts = np.bincount(row_h, minlength=k) * 4
    return xs, ys, np.r_[0, np.cumsum(counts)]
