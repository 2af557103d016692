"""Demand per street × shop type: wishes, distinct residents and the recent trend."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from analysis.binning import dense_codes
from analysis.grouping import as_epoch_seconds, pack, sorted_unique

DAY_S = 86_400


@dataclass(frozen=True)
class StreetDemand:
    """Dense (n_streets, n_types) counts; row = street index, column = shop type index."""

    wishes: np.ndarray
    residents: np.ndarray
    recent: np.ndarray
    previous: np.ndarray
    params: dict = field(default_factory=dict)

    @property
    def change(self) -> np.ndarray:
        """Return recent minus previous window wish counts (absolute change)."""
        return self.recent - self.previous

    def ranking(self, street: int) -> np.ndarray:
        """Return type indices of one street, most wanted first (residents, then wishes)."""
        # Distinct residents first: one insistent resident must not outrank ten neighbours.
        r, w = self.residents[street], self.wishes[street]
        return np.lexsort((np.arange(len(r)), -w, -r))

    def top_streets(self, type_idx: int, n: int = 10) -> np.ndarray:
        """Return the street indices with most distinct residents wanting ``type_idx``."""
        r, w = self.residents[:, type_idx], self.wishes[:, type_idx]
        order = np.lexsort((np.arange(len(r)), -w, -r))
        return order[:n][r[order[:n]] > 0]


def street_demand(
    street_idx: np.ndarray,
    type_idx: np.ndarray,
    resident_id: np.ndarray,
    created_at: np.ndarray,
    n_streets: int,
    n_types: int,
    now: np.datetime64 | float | int,
    window_days: int = 90,
) -> StreetDemand:
    """Return per street × type wishes, distinct residents, and wishes in the last two windows.

    ``recent`` counts wishes with ``now - window < created_at <= now``; ``previous`` those with
    ``now - 2·window < created_at <= now - window``. Wishes with street_idx < 0 are skipped.
    ``created_at`` and ``now`` are datetime64 or UTC epoch seconds.
    """
    street_idx = np.asarray(street_idx, dtype=np.int64)
    type_idx = np.asarray(type_idx, dtype=np.int64)
    ok = street_idx >= 0
    s, t = street_idx[ok], type_idx[ok]
    if s.size and (s.max() >= n_streets or t.min() < 0 or t.max() >= n_types):
        raise ValueError("street_idx or type_idx out of range")
    cell = s * n_types + t
    size = n_streets * n_types
    wishes = np.bincount(cell, minlength=size)
    # Ids below 2**31 are used as they are (only distinctness matters), skipping a 1M-element
    # np.unique; size * 2**31 stays far below int64 for any street × type table that fits.
    res_code, n_res = dense_codes(np.asarray(resident_id)[ok])
    pairs = sorted_unique(pack([cell, res_code], [size, n_res]))
    residents = np.bincount(pairs // n_res, minlength=size)
    ts = as_epoch_seconds(created_at)[ok]
    now_s = int(as_epoch_seconds(np.asarray([now]))[0])
    w = window_days * DAY_S
    recent = np.bincount(cell[(ts > now_s - w) & (ts <= now_s)], minlength=size)
    previous = np.bincount(cell[(ts > now_s - 2 * w) & (ts <= now_s - w)], minlength=size)
    shape = (n_streets, n_types)
    return StreetDemand(
        wishes=wishes.reshape(shape),
        residents=residents.reshape(shape),
        recent=recent.reshape(shape),
        previous=previous.reshape(shape),
        params={
            "window_days": window_days,
            "now_epoch_s": now_s,
            "skipped_no_street": int((~ok).sum()),
        },
    )
