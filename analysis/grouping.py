"""Counting primitives shared by every aggregate: factorising ids, wishes and distinct residents.

Everything here is sort-based and order-independent: permuting the inputs permutes nothing in the
outputs. The service can call :func:`count_by_key` to rebuild its per-premise or per-street
counters in one call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

_INT64_SAFE = 2**62


def factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (codes, uniques): codes[i] is the rank of values[i] among the sorted uniques."""
    values = np.asarray(values)
    if values.size == 0:
        return np.zeros(0, dtype=np.int64), values.copy()
    uniques, codes = np.unique(values, return_inverse=True)
    return codes.astype(np.int64, copy=False).reshape(-1), uniques


def sorted_unique(a: np.ndarray) -> np.ndarray:
    """Return the sorted unique values of a 1-D array."""
    # numpy>=2.3's plain np.unique takes a hash path that is ~10x slower than a sort here.
    s = np.sort(np.asarray(a).reshape(-1))
    if s.size == 0:
        return s
    keep = np.empty(s.size, dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def pack(columns: list[np.ndarray], bases: list[int]) -> np.ndarray:
    """Return one int64 key per row combining non-negative codes ``columns[k] < bases[k]``."""
    total = 1
    for b in bases:
        total *= max(int(b), 1)
    if total >= _INT64_SAFE:
        raise OverflowError(f"key space {total} does not fit in int64")
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for col, base in zip(columns, bases, strict=True):
        key *= max(int(base), 1)
        key += np.asarray(col, dtype=np.int64)
    return key


def as_epoch_seconds(created_at: np.ndarray) -> np.ndarray:
    """Return timestamps as int64 UTC epoch seconds (accepts datetime64 or numeric seconds)."""
    a = np.asarray(created_at)
    if np.issubdtype(a.dtype, np.datetime64):
        return a.astype("datetime64[s]").astype(np.int64)
    return np.floor(a.astype(np.float64)).astype(np.int64)


@dataclass(frozen=True)
class KeyCounts:
    """Wishes and distinct residents per key (and per type when types were given)."""

    keys: np.ndarray
    type_idx: np.ndarray | None
    wishes: np.ndarray
    residents: np.ndarray
    params: dict = field(default_factory=dict)

    def as_dict(self) -> dict[tuple[int, int] | int, tuple[int, int]]:
        """Return {key or (key, type): (wishes, residents)} for easy storage."""
        if self.type_idx is None:
            return {
                int(k): (int(w), int(r))
                for k, w, r in zip(self.keys, self.wishes, self.residents, strict=True)
            }
        return {
            (int(k), int(t)): (int(w), int(r))
            for k, t, w, r in zip(
                self.keys, self.type_idx, self.wishes, self.residents, strict=True
            )
        }


def count_by_key(
    keys: np.ndarray, resident_id: np.ndarray, type_idx: np.ndarray | None = None
) -> KeyCounts:
    """Return wishes and distinct residents per key (or per key × type); keys < 0 are skipped."""
    keys = np.asarray(keys, dtype=np.int64)
    resident_id = np.asarray(resident_id)
    if keys.shape != resident_id.shape:
        raise ValueError("keys and resident_id must have the same length")
    valid = keys >= 0
    k = keys[valid]
    res_code, _ = factorize(resident_id[valid])
    n_res = int(res_code.max()) + 1 if res_code.size else 1
    k_code, k_uni = factorize(k)
    n_k = len(k_uni)
    if type_idx is None:
        group = k_code
        n_groups = n_k
    else:
        t = np.asarray(type_idx, dtype=np.int64)[valid]
        if t.size and t.min() < 0:
            raise ValueError("type_idx must be non-negative")
        t_code, t_uni = factorize(t)
        group = pack([k_code, t_code], [n_k, len(t_uni)])
        n_groups = n_k * max(len(t_uni), 1)
    params = {"skipped_negative_keys": int((~valid).sum())}
    if group.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return KeyCounts(empty, None if type_idx is None else empty, empty, empty, params)
    gu = sorted_unique(group)
    wishes = np.bincount(np.searchsorted(gu, group), minlength=len(gu))
    pairs = sorted_unique(pack([group, res_code], [n_groups, n_res]))
    residents = np.bincount(np.searchsorted(gu, pairs // n_res), minlength=len(gu))
    if type_idx is None:
        return KeyCounts(k_uni[gu], None, wishes, residents, params)
    n_t = len(t_uni)
    return KeyCounts(k_uni[gu // n_t], t_uni[gu % n_t], wishes, residents, params)
