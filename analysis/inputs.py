"""Input containers: plain arrays as the service loads them from the database, validated once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from shapely.geometry.base import BaseGeometry

from analysis.grouping import as_epoch_seconds


def _f64(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=np.float64).reshape(-1)


def _i64(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=np.int64).reshape(-1)


def _same_length(name: str, **arrays: np.ndarray) -> None:
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"{name}: arrays differ in length {lengths}")


@dataclass
class Wishes:
    """Wishes: lat/lon degrees, type 0..T-1, resident id, created_at, optional street (-1 = free).

    ``created_at`` is datetime64 or UTC epoch seconds; it is stored as int64 epoch seconds.
    """

    lat: np.ndarray
    lon: np.ndarray
    type_idx: np.ndarray
    resident_id: np.ndarray
    created_at: np.ndarray
    street_idx: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.lat, self.lon = _f64(self.lat), _f64(self.lon)
        self.type_idx = _i64(self.type_idx)
        self.resident_id = _i64(self.resident_id)
        self.created_at = as_epoch_seconds(self.created_at).reshape(-1)
        if self.street_idx is None:
            self.street_idx = np.full(len(self.lat), -1, dtype=np.int64)
        self.street_idx = _i64(self.street_idx)
        _same_length(
            "wishes",
            lat=self.lat,
            lon=self.lon,
            type_idx=self.type_idx,
            resident_id=self.resident_id,
            created_at=self.created_at,
            street_idx=self.street_idx,
        )
        if len(self.type_idx) and self.type_idx.min() < 0:
            raise ValueError("wishes: type_idx must be >= 0")

    def __len__(self) -> int:
        return len(self.lat)


@dataclass
class Premises:
    """Premises: lat/lon degrees, street index (-1 = unknown), surface in m², monthly rent."""

    lat: np.ndarray
    lon: np.ndarray
    street_idx: np.ndarray
    surface_m2: np.ndarray
    rent: np.ndarray

    def __post_init__(self) -> None:
        self.lat, self.lon = _f64(self.lat), _f64(self.lon)
        self.street_idx = _i64(self.street_idx)
        self.surface_m2, self.rent = _f64(self.surface_m2), _f64(self.rent)
        _same_length(
            "premises",
            lat=self.lat,
            lon=self.lon,
            street_idx=self.street_idx,
            surface_m2=self.surface_m2,
            rent=self.rent,
        )

    def __len__(self) -> int:
        return len(self.lat)


@dataclass
class Shops:
    """Existing shops (supply): lat/lon degrees and type 0..T-1."""

    lat: np.ndarray
    lon: np.ndarray
    type_idx: np.ndarray

    def __post_init__(self) -> None:
        self.lat, self.lon = _f64(self.lat), _f64(self.lon)
        self.type_idx = _i64(self.type_idx)
        _same_length("shops", lat=self.lat, lon=self.lon, type_idx=self.type_idx)

    def __len__(self) -> int:
        return len(self.lat)


@dataclass
class Streets:
    """Streets: WGS84 (lon, lat) LineString/MultiLineString geometries and their names."""

    geometries: Sequence[BaseGeometry]
    names: Sequence[str]
    ids: Sequence[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.geometries) != len(self.names):
            raise ValueError("streets: one name per geometry is required")

    def __len__(self) -> int:
        return len(self.geometries)
