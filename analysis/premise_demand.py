"""Demand, supply and gap score for every premise × shop type.

Definitions (all distances crow-fly in the local metric projection; R = ``radius_m`` = 400 m,
the classic 5-minute walk that bounds a neighbourhood shop's catchment):

* Wishes are binned into ``cell_m`` (25 m) cells and measured from the cell centre: a wish moves by
  at most 18 m (a quarter of a ring), and because bins are fixed (not centroids) adding a wish can
  never move another. The 400 m crow-fly radius itself stands for a walk about 1.3× longer.
* ``wishes``: wishes of the type within R.
* ``profile[k]``: distinct residents with at least one wish of the type within the k-th ring edge
  (``ring_m`` = 100 m: within 100, 200, 300, 400 m); ``residents`` = ``profile[-1]`` (within R).
* ``demand`` D: distance-weighted distinct residents. Each resident counts once, at their closest
  wish, with a stepped linear falloff: 1 within 100 m, 0.75 to 200 m, 0.5 to 300 m, 0.25 to 400 m
  (``w = 1 - (ring inner edge) / R``). Linear because it reaches zero at the catchment edge with
  no second bandwidth parameter; stepped so that D is a plain combination of the profile counts
  shown as evidence ("12 within 100 m count fully, 9 more within 200 m count ¾ ...").
* ``supply`` S: existing shops of the same type, weighted by the same falloff; ``competitors`` is
  their count within R and ``nearest_competitor_m`` the distance to the closest one anywhere
  (``inf`` when the city has none).
* Unserved demand ``u = D / (1 + S)``: the demand a newcomer would get if it shared the local
  demand equally with the distance-weighted competitors already there.
* Gap score ``gap = 100 · u / (u + u_ref)``: 0 without demand, 50 when u equals the city-wide
  reference ``u_ref``, approaching 100 for the strongest unserved demand. ``u_ref`` is the
  ``reference_quantile`` (90th percentile) of the positive u over all premises × types of the run,
  floored at ``min_reference``; one reference for the whole run makes scores comparable across
  premises and types. The curve never saturates, so any added competitor lowers the score.

Wishes pinned on a premise count for every premise within R of it, like free wishes: a resident
who wants a bakery at no. 12 is also served by one at no. 20.

Computation: premise–cell pairs within R come from the cell lattice (the candidate cells of a
premise are a fixed set of offsets looked up in a dense table; a KD-tree when the lattice is too
sparse for one), in batches of nearby premises. Per batch, per-ring counts of single-cell
residents and wishes are one sparse × dense product. Residents whose wishes of a type span
several cells are deduplicated with one sparse × sparse product whose values encode, per ring,
how many of the resident's cells fall in it; the innermost non-empty ring is that resident's
closest wish.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from analysis.binning import WishBins, bin_wishes


@dataclass(frozen=True)
class DemandParams:
    """Tuning of :func:`premise_demand`; the defaults are justified in the module docstring."""

    radius_m: float = 400.0
    ring_m: float = 100.0
    cell_m: float = 25.0
    reference_quantile: float = 0.9
    min_reference: float = 1.0


@dataclass(frozen=True)
class GapEvidence:
    """The figures behind one premise × type gap score."""

    premise: int
    type_idx: int
    gap: float
    demand: float
    supply: float
    wishes: int
    residents: int
    profile: dict[int, int]
    competitors: int
    nearest_competitor_m: float | None
    radius_m: float

    def explain(self, type_name: str | None = None) -> str:
        """Return a one-line human-readable account of the score."""
        name = type_name or f"type {self.type_idx}"
        prof = ", ".join(f"{n} within {r} m" for r, n in self.profile.items())
        near = (
            f"nearest {name} {self.nearest_competitor_m:,.0f} m"
            if self.nearest_competitor_m is not None
            else f"no {name} in the city"
        )
        return (
            f"{name}: gap {self.gap:.0f}/100 ({self.residents} residents within "
            f"{self.radius_m:.0f} m [{prof}], {self.wishes} wishes; "
            f"{self.competitors} competitors within {self.radius_m:.0f} m, {near})"
        )


@dataclass(frozen=True)
class PremiseDemand:
    """Arrays of shape (n_premises, n_types) (profile: (n_premises, n_types, n_radii))."""

    demand: np.ndarray
    wishes: np.ndarray
    residents: np.ndarray
    profile: np.ndarray
    supply: np.ndarray
    competitors: np.ndarray
    nearest_competitor_m: np.ndarray
    unserved: np.ndarray
    gap: np.ndarray
    params: dict = field(default_factory=dict)

    def top_types(self, premise: int, n: int = 5) -> np.ndarray:
        """Return the type indices of one premise with the highest gap scores, best first."""
        g = self.gap[premise]
        order = np.lexsort((np.arange(len(g)), -self.residents[premise], -g))
        return order[:n]

    def evidence(self, premise: int, type_idx: int) -> GapEvidence:
        """Return the evidence behind ``gap[premise, type_idx]``."""
        radii = self.params["profile_radii_m"]
        near = float(self.nearest_competitor_m[premise, type_idx])
        return GapEvidence(
            premise=premise,
            type_idx=type_idx,
            gap=float(self.gap[premise, type_idx]),
            demand=float(self.demand[premise, type_idx]),
            supply=float(self.supply[premise, type_idx]),
            wishes=int(self.wishes[premise, type_idx]),
            residents=int(self.residents[premise, type_idx]),
            profile={
                int(r): int(v) for r, v in zip(radii, self.profile[premise, type_idx], strict=True)
            },
            competitors=int(self.competitors[premise, type_idx]),
            nearest_competitor_m=near if np.isfinite(near) else None,
            radius_m=float(self.params["radius_m"]),
        )


def gap_scores(
    unserved: np.ndarray, quantile: float, min_reference: float
) -> tuple[np.ndarray, float]:
    """Return (gap 0–100, u_ref) for unserved demand u: ``100·u/(u+u_ref)``."""
    pos = unserved[unserved > 0]
    ref = float(np.quantile(pos, quantile)) if pos.size else 0.0
    ref = max(ref, min_reference)
    return 100.0 * unserved / (unserved + ref), ref


def _supply(
    px: np.ndarray,
    py: np.ndarray,
    sx: np.ndarray,
    sy: np.ndarray,
    s_type: np.ndarray,
    n_types: int,
    edges: np.ndarray,
    ring_weight: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n_p = len(px)
    supply = np.zeros((n_p, n_types))
    count = np.zeros((n_p, n_types), dtype=np.int64)
    nearest = np.full((n_p, n_types), np.inf)
    if len(sx) == 0 or n_p == 0:
        return supply, count, nearest
    pt = cKDTree(np.column_stack((px, py)))
    pairs = pt.sparse_distance_matrix(
        cKDTree(np.column_stack((sx, sy))), float(edges[-1]), output_type="ndarray"
    )
    key = pairs["i"] * n_types + s_type[pairs["j"]]
    size = n_p * n_types
    ring = np.minimum(np.searchsorted(edges, pairs["v"], side="left"), len(edges) - 1)
    w = ring_weight[ring]
    supply += np.bincount(key, weights=w, minlength=size).reshape(n_p, -1)
    count += np.bincount(key, minlength=size).reshape(n_p, -1)
    for t in np.unique(s_type):
        sel = s_type == t
        d, _ = cKDTree(np.column_stack((sx[sel], sy[sel]))).query(np.column_stack((px, py)), k=1)
        nearest[:, t] = d
    return supply, count, nearest


def premise_demand(
    wx: np.ndarray,
    wy: np.ndarray,
    w_type: np.ndarray,
    w_resident: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
    sx: np.ndarray,
    sy: np.ndarray,
    s_type: np.ndarray,
    n_types: int,
    params: DemandParams | None = None,
    bins: WishBins | None = None,
) -> PremiseDemand:
    """Return demand, supply, evidence and gap score for every premise × type (inputs in m).

    ``bins`` may pass a :func:`analysis.binning.bin_wishes` result made with ``params.cell_m``.
    """
    p = params or DemandParams()
    radius = float(p.radius_m)
    n_rings = round(radius / p.ring_m)
    if n_rings < 1 or abs(n_rings * p.ring_m - radius) > 1e-9:
        raise ValueError("radius_m must be a whole number of ring_m")
    edges = p.ring_m * np.arange(1, n_rings + 1)
    ring_weight = 1.0 - (edges - p.ring_m) / radius
    px, py = np.asarray(px, np.float64), np.asarray(py, np.float64)
    n_p = len(px)
    shape = (n_p, n_types)
    wishes = np.zeros(shape)
    rings = np.zeros((n_rings, *shape))
    if bins is None or bins.cell_m != p.cell_m or bins.n_types != n_types:
        bins = bin_wishes(wx, wy, w_type, w_resident, p.cell_m, n_types)
    if bins.n_cells and n_p:
        _cell_counts(px, py, bins, edges, wishes, rings)
    profile = np.cumsum(rings, axis=0).transpose(1, 2, 0)
    demand = np.tensordot(rings, ring_weight, axes=([0], [0]))
    supply, competitors, nearest = _supply(
        px,
        py,
        np.asarray(sx, np.float64),
        np.asarray(sy, np.float64),
        np.asarray(s_type, dtype=np.int64),
        n_types,
        edges,
        ring_weight,
    )
    unserved = demand / (1.0 + supply)
    gap, ref = gap_scores(unserved, p.reference_quantile, p.min_reference)
    meta = {
        **asdict(p),
        "profile_radii_m": [float(v) for v in edges],
        "ring_weights": [float(v) for v in ring_weight],
        "reference_u": ref,
        "n_types": n_types,
    }
    return PremiseDemand(
        demand=demand,
        wishes=np.rint(wishes).astype(np.int64),
        residents=np.rint(profile[..., -1]).astype(np.int64),
        profile=np.rint(profile).astype(np.int64),
        supply=supply,
        competitors=competitors,
        nearest_competitor_m=nearest,
        unserved=unserved,
        gap=gap,
        params=meta,
    )


def _cell_counts(
    px: np.ndarray,
    py: np.ndarray,
    bins: WishBins,
    edges: np.ndarray,
    wishes: np.ndarray,
    rings: np.ndarray,
) -> None:
    """Fill ``wishes`` and per-ring distinct residents ``rings`` from the occupied cells."""
    n_rings, _, n_types = rings.shape
    n_c = bins.n_cells
    radius = float(edges[-1])
    # Records of (type, resident) groups that occupy a single cell add linearly.
    g_start = np.r_[
        True,
        (bins.rec_type[1:] != bins.rec_type[:-1])
        | (bins.rec_resident[1:] != bins.rec_resident[:-1]),
    ]
    gid = np.cumsum(g_start) - 1
    single = (np.bincount(gid) == 1)[gid]
    # float32 holds counts exactly up to 2**24 and halves the product's memory traffic.
    per_cell = np.empty((n_c, 2 * n_types), dtype=np.float32)
    per_cell[:, :n_types] = bins.counts(bins.rec_cell[single], bins.rec_type[single])
    per_cell[:, n_types:] = bins.wish_counts()
    multi = _MultiCell.build(
        gid[~single], bins.rec_cell[~single], bins.rec_type[~single], n_c, n_rings
    )
    # A 16-bit ring code sorts by radix (linear time).
    ring_dtype = np.int16 if n_rings < 2**15 else np.int64
    for idx, pl, pc, d in premise_cell_pairs(px, py, bins, radius):
        m = idx.size
        ring = np.minimum(np.searchsorted(edges, d, side="left"), n_rings - 1).astype(ring_dtype)
        # Rows (ring, premise): a stable sort on the ring code keeps premise order.
        order = np.argsort(ring, kind="stable")
        rows = ring[order].astype(np.int64) * m + pl[order]
        indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=n_rings * m))]
        ring_mat = sparse.csr_array(
            (np.ones(order.size, dtype=np.float32), pc[order], indptr), shape=(n_rings * m, n_c)
        )
        prod = (ring_mat @ per_cell).reshape(n_rings, m, 2 * n_types)
        rings[:, idx] += prod[..., :n_types]
        wishes[idx] = prod[..., n_types:].sum(axis=0, dtype=np.float64)
        if multi is not None:
            rings[:, idx] += multi.rings(pl, pc, ring, m, n_types)


# Premises per batch: keeps each batch's pair arrays and products in cache-sized pieces.
_PAIR_CHUNK = 256
# Largest cell lattice (cells, padding included) looked up densely; beyond it a KD-tree.
_MAX_LATTICE = 40_000_000
# Integers below these are exact in float32 / float64 (the multi-cell digit encoding).
_F32_EXACT = 2.0**24
_F64_EXACT = 2.0**53


def premise_cell_pairs(
    px: np.ndarray, py: np.ndarray, bins: WishBins, radius: float, chunk: int | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Yield batches ``(premises, local, cell, distance)`` of premise–cell pairs within radius.

    ``premises`` holds the batch's premise indices, ``local`` indexes into it (non-decreasing:
    pairs come premise by premise), ``distance`` is from the premise to the cell centre, computed
    as ``sqrt(dx² + dy²)`` like ``cKDTree.sparse_distance_matrix``. Cells sit on a lattice, so
    the candidates of a premise are a fixed set of offsets looked up in a dense table.
    """
    chunk = chunk or _PAIR_CHUNK
    cm = bins.cell_m
    ix, iy = bins.cell_ix, bins.cell_iy
    r = int(np.ceil(radius / cm)) + 1
    # A margin of 2r: the r offsets around any premise whose cell lies within r of the box.
    ox, oy = int(ix.min()) - 2 * r, int(iy.min()) - 2 * r
    width = int(ix.max()) - ox + 1 + 2 * r
    height = int(iy.max()) - oy + 1 + 2 * r
    if width * height > _MAX_LATTICE:
        yield from _kdtree_pairs(px, py, bins, radius, chunk)
        return
    n_c = bins.n_cells
    lut = np.full(width * height, -1, dtype=np.int64)
    lut[(iy - oy) * width + (ix - ox)] = np.arange(n_c)
    cx, cy = (ix + 0.5) * cm, (iy + 0.5) * cm
    dy, dx = np.mgrid[-r : r + 1, -r : r + 1]
    # Offsets whose cell centre can be within radius of some point of the premise's cell.
    gap = np.hypot(np.maximum(np.abs(dx) - 0.5, 0.0), np.maximum(np.abs(dy) - 0.5, 0.0)) * cm
    keep = gap <= radius + 1e-6 * cm
    off = dy[keep] * width + dx[keep]
    pcx = np.floor(px / cm).astype(np.int64) - ox
    pcy = np.floor(py / cm).astype(np.int64) - oy
    # Premises more than r cells outside the occupied box have no cell within radius.
    near = np.flatnonzero((pcx >= r) & (pcx < width - r) & (pcy >= r) & (pcy < height - r))
    base = pcy[near] * width + pcx[near]
    # Spatial order: the cells (and their rows of counts) of one batch are neighbours.
    sort = np.argsort(base, kind="stable")
    near, base = near[sort], base[sort]
    for a in range(0, near.size, chunk):
        idx = near[a : a + chunk]
        cand = lut[base[a : a + chunk, None] + off]
        pl, k = np.nonzero(cand >= 0)
        pc = cand[pl, k]
        ddx = px[idx][pl] - cx[pc]
        ddy = py[idx][pl] - cy[pc]
        d = np.sqrt(ddx * ddx + ddy * ddy)
        ok = d <= radius
        yield idx, pl[ok], pc[ok], d[ok]


def _kdtree_pairs(
    px: np.ndarray, py: np.ndarray, bins: WishBins, radius: float, chunk: int
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Same batches as :func:`premise_cell_pairs` for a sparse lattice too large for a table."""
    pairs = cKDTree(np.column_stack((px, py))).sparse_distance_matrix(
        cKDTree(bins.centres()), radius, output_type="ndarray"
    )
    order = np.argsort(pairs["i"], kind="stable")
    pi, pc, d = (
        pairs["i"][order].astype(np.int64),
        pairs["j"][order].astype(np.int64),
        pairs["v"][order],
    )
    n_p = len(px)
    bounds = np.searchsorted(pi, np.arange(0, n_p + chunk, chunk))
    for a in range(0, n_p, chunk):
        s, e = bounds[a // chunk], bounds[a // chunk + 1]
        yield np.arange(a, min(a + chunk, n_p)), pi[s:e] - a, pc[s:e], d[s:e]


@dataclass(frozen=True)
class _MultiCell:
    """Residents whose wishes of a type span several cells: cell × (type, resident) membership."""

    member: sparse.csr_array
    g_type: np.ndarray
    base: int
    n_rings: int
    dtype: type | None

    @classmethod
    def build(
        cls, gid: np.ndarray, cell: np.ndarray, g_type: np.ndarray, n_c: int, n_rings: int
    ) -> _MultiCell | None:
        """Return the membership of the (sorted) multi-cell records, or None when there are none."""
        if gid.size == 0:
            return None
        g_code = np.cumsum(np.r_[True, gid[1:] != gid[:-1]]) - 1
        n_g = int(g_code[-1]) + 1
        gt = np.zeros(n_g, dtype=np.int64)
        gt[g_code] = g_type
        per_group = np.bincount(g_code)
        base = int(per_group.max()) + 1
        if float(base) ** n_rings < _F32_EXACT:
            dtype: type | None = np.float32
        elif float(base) ** n_rings < _F64_EXACT:
            dtype = np.float64
        else:
            dtype = None
        indptr = np.r_[0, np.cumsum(per_group)]
        member = sparse.csc_array(
            (np.ones(cell.size, dtype=dtype or np.float64), cell, indptr), shape=(n_c, n_g)
        ).tocsr()
        return cls(member, gt, base, n_rings, dtype)

    def rings(
        self, pl: np.ndarray, pc: np.ndarray, ring: np.ndarray, m: int, n_types: int
    ) -> np.ndarray:
        """Return (n_rings, m, n_types) residents counted once each at their closest ring."""
        n_rings, n_c = self.n_rings, self.member.shape[0]
        out_size = n_rings * m * n_types
        if self.dtype is None:
            # The digits do not fit in a float64 (a resident with thousands of cells): one
            # product per cumulative ring instead, slower but exact.
            out = np.zeros((n_rings, m * n_types))
            below = np.zeros(m * n_types)
            for k in range(n_rings):
                sel = ring <= k
                indptr = np.r_[0, np.cumsum(np.bincount(pl[sel], minlength=m))]
                reach = (
                    sparse.csr_array((np.ones(int(sel.sum())), pc[sel], indptr), shape=(m, n_c))
                    @ self.member
                )
                rows = np.repeat(np.arange(m), np.diff(reach.indptr))
                flat = rows * n_types + self.g_type[reach.indices]
                within = np.bincount(flat, minlength=m * n_types)
                out[k] = within - below
                below = within
            return out.reshape(n_rings, m, n_types)
        # Ring k contributes base**(n_rings-1-k) per cell, so each digit of the product counts
        # the resident's cells in one ring and the leading digit is the innermost ring reached.
        powers = float(self.base) ** np.arange(n_rings - 1, -1, -1)
        indptr = np.r_[0, np.cumsum(np.bincount(pl, minlength=m))]
        enc = sparse.csr_array((powers.astype(self.dtype)[ring], pc, indptr), shape=(m, n_c))
        prod = enc @ self.member
        thresholds = (float(self.base) ** np.arange(1, n_rings)).astype(self.dtype)
        inner = (n_rings - 1) - np.searchsorted(thresholds, prod.data, side="right")
        rows = np.repeat(np.arange(m), np.diff(prod.indptr))
        flat = (inner * m + rows) * n_types + self.g_type[prod.indices]
        return np.bincount(flat, minlength=out_size).reshape(n_rings, m, n_types)
