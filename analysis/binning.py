"""Wishes binned into square cells: the shared first step of hotspots and premise demand.

Cells are fixed (anchored at the projection origin), so adding a wish never moves another one,
and one resident pinning the same type twice in a cell is one (type, resident, cell) record.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.grouping import factorize, pack, sorted_unique

_MAX_DENSE_LUT = 64_000_000


def dense_codes(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Return (codes, base): non-negative int codes usable as packing digits, and their bound."""
    v = np.asarray(values)
    if v.size and np.issubdtype(v.dtype, np.integer) and v.min() >= 0 and v.max() < 2**31:
        # Database ids are already small non-negative ints: skip a 1M-element sort.
        return v.astype(np.int64, copy=False), int(v.max()) + 1
    codes, uni = factorize(v)
    return codes, max(len(uni), 1)


def bounded_factorize(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (codes, sorted uniques) of int keys in [0, size), by table lookup when small."""
    if size > max(_MAX_DENSE_LUT, 4 * key.size):
        return factorize(key)
    seen = np.zeros(size, dtype=bool)
    seen[key] = True
    uniques = np.flatnonzero(seen)
    lut = np.zeros(size, dtype=np.int64)
    lut[uniques] = np.arange(uniques.size)
    return lut[key], uniques


@dataclass(frozen=True)
class WishBins:
    """Per-wish cell codes, cell geometry, and unique (type, resident, cell) records."""

    cell_m: float
    n_types: int
    cell: np.ndarray
    wish_type: np.ndarray
    cell_ix: np.ndarray
    cell_iy: np.ndarray
    resident: np.ndarray
    n_residents: int
    rec_type: np.ndarray
    rec_resident: np.ndarray
    rec_cell: np.ndarray

    @property
    def n_cells(self) -> int:
        """Return the number of occupied cells."""
        return len(self.cell_ix)

    def centres(self) -> np.ndarray:
        """Return (n_cells, 2) cell centre coordinates in metres."""
        return np.column_stack(
            ((self.cell_ix + 0.5) * self.cell_m, (self.cell_iy + 0.5) * self.cell_m)
        )

    def wish_counts(self) -> np.ndarray:
        """Return (n_cells, n_types) number of wishes per cell and type."""
        return self.counts(self.cell, self.wish_type)

    def resident_counts(self) -> np.ndarray:
        """Return (n_cells, n_types) number of distinct residents per cell and type."""
        return self.counts(self.rec_cell, self.rec_type)

    def counts(self, cell: np.ndarray, type_idx: np.ndarray) -> np.ndarray:
        """Return (n_cells, n_types) bincount of (cell, type) pairs."""
        flat = np.bincount(cell * self.n_types + type_idx, minlength=self.n_cells * self.n_types)
        return flat.reshape(self.n_cells, self.n_types)


def bin_wishes(
    x: np.ndarray,
    y: np.ndarray,
    type_idx: np.ndarray,
    resident_id: np.ndarray,
    cell_m: float,
    n_types: int | None = None,
) -> WishBins:
    """Return the wishes binned into ``cell_m`` cells with their (type, resident, cell) records."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    t = np.asarray(type_idx, dtype=np.int64)
    n_t = int(n_types if n_types is not None else (t.max() + 1 if t.size else 1))
    res, n_res = dense_codes(np.asarray(resident_id))
    if x.size == 0:
        z = np.zeros(0, dtype=np.int64)
        return WishBins(cell_m, n_t, z, z, z, z, z, 1, z, z, z)
    ix = np.floor(x / cell_m).astype(np.int64)
    iy = np.floor(y / cell_m).astype(np.int64)
    ox, oy = int(ix.min()), int(iy.min())
    width, height = int(ix.max()) - ox + 1, int(iy.max()) - oy + 1
    cell, uni = bounded_factorize((iy - oy) * width + (ix - ox), width * height)
    try:
        rec = sorted_unique(pack([t, res, cell], [n_t, n_res, uni.size]))
    except OverflowError:
        res, _ = factorize(res)
        n_res = int(res.max()) + 1
        rec = sorted_unique(pack([t, res, cell], [n_t, n_res, uni.size]))
    rec_cell = rec % uni.size
    rest = rec // uni.size
    return WishBins(
        cell_m=float(cell_m),
        n_types=n_t,
        cell=cell,
        wish_type=t,
        cell_ix=uni % width + ox,
        cell_iy=uni // width + oy,
        resident=res,
        n_residents=n_res,
        rec_type=rest // n_res,
        rec_resident=rest % n_res,
        rec_cell=rec_cell,
    )
