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

Computation: premise–cell pairs within R come from a KD-tree; per-ring counts of single-cell
residents are one sparse × dense product. Residents whose wishes of a type span several cells are
deduplicated with one sparse × sparse product whose values encode, per ring, how many of the
resident's cells fall in it; the innermost non-empty ring is that resident's closest wish.
"""

from __future__ import annotations

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
        n_c = bins.n_cells
        pairs = cKDTree(np.column_stack((px, py))).sparse_distance_matrix(
            cKDTree(bins.centres()), radius, output_type="ndarray"
        )
        pi, pc = pairs["i"], pairs["j"]
        ring = np.minimum(np.searchsorted(edges, pairs["v"], side="left"), n_rings - 1)
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
        ring_mat = sparse.csr_array(
            (np.ones(pi.size, dtype=np.float32), (ring * n_p + pi, pc)),
            shape=(n_rings * n_p, n_c),
        )
        prod = (ring_mat @ per_cell).reshape(n_rings, n_p, 2 * n_types)
        rings += prod[..., :n_types]
        wishes = prod[..., n_types:].sum(axis=0, dtype=np.float64)
        multi = ~single
        _add_multi_cell_residents(
            gid[multi], bins.rec_cell[multi], bins.rec_type[multi], pi, pc, ring, n_p, n_c, rings
        )
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


def _add_multi_cell_residents(
    gid: np.ndarray,
    cell: np.ndarray,
    g_type: np.ndarray,
    pi: np.ndarray,
    pc: np.ndarray,
    ring: np.ndarray,
    n_p: int,
    n_c: int,
    rings: np.ndarray,
) -> None:
    """Add residents whose wishes of a type span several cells, once each at their closest ring."""
    if gid.size == 0 or pi.size == 0:
        return
    n_rings = rings.shape[0]
    g_code = np.cumsum(np.r_[True, gid[1:] != gid[:-1]]) - 1
    n_g = int(g_code[-1]) + 1
    gt = np.zeros(n_g, dtype=np.int64)
    gt[g_code] = g_type
    member = sparse.csr_array((np.ones(cell.size), (cell, g_code)), shape=(n_c, n_g))
    base = float(np.bincount(g_code).max() + 1)
    if base**n_rings >= 2.0**53:
        # Float64 cannot hold the digits (a resident with thousands of cells): one product per
        # cumulative ring instead, slower but exact.
        below = np.zeros(rings.shape[1:])
        for k in range(n_rings):
            sel = ring <= k
            reach = (
                sparse.csr_array((np.ones(int(sel.sum())), (pi[sel], pc[sel])), shape=(n_p, n_c))
                @ member
            )
            reach = reach.tocoo()
            flat = reach.row * rings.shape[2] + gt[reach.col]
            within = np.bincount(flat, minlength=below.size).reshape(below.shape)
            rings[k] += within - below
            below = within
        return
    # Ring k contributes base**(n_rings-1-k) per cell, so each digit of the product counts the
    # resident's cells in one ring and the leading digit is the innermost ring reached.
    enc = sparse.csr_array((base ** (n_rings - 1 - ring), (pi, pc)), shape=(n_p, n_c))
    prod = (enc @ member).tocoo()
    inner = np.zeros(prod.data.size, dtype=np.int64)
    for k in range(1, n_rings):
        inner += prod.data < base ** (n_rings - k)
    flat = (inner * n_p + prod.row) * rings.shape[2] + gt[prod.col]
    rings += np.bincount(flat, minlength=rings.size).reshape(rings.shape)
