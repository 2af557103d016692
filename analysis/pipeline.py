"""Full analysis in one call: nearest streets, street demand, hotspots and all premises."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import numpy as np
import shapely

from analysis.binning import bin_wishes
from analysis.grouping import as_epoch_seconds
from analysis.hotspots import HotspotParams, HotspotResult, find_hotspots
from analysis.inputs import Premises, Shops, Streets, Wishes
from analysis.premise_demand import DemandParams, PremiseDemand, premise_demand
from analysis.projection import LocalProjection
from analysis.street_demand import StreetDemand, street_demand
from analysis.streets import StreetIndex


@dataclass(frozen=True)
class AnalysisParams:
    """All tuning of :func:`run_full`; stored verbatim with each run."""

    hotspots: HotspotParams = field(default_factory=HotspotParams)
    demand: DemandParams = field(default_factory=DemandParams)
    trend_window_days: int = 90
    street_spacing_m: float = 10.0


@dataclass(frozen=True)
class FullResult:
    """Everything one analysis run produces, with its parameters and stage timings."""

    projection: LocalProjection
    wish_street: np.ndarray
    streets: StreetDemand
    hotspots: HotspotResult
    premises: PremiseDemand
    params: dict
    timings: dict[str, float]


def projection_for(
    wishes: Wishes, premises: Premises, shops: Shops, streets: Streets
) -> LocalProjection:
    """Return the projection centred on the street network (or on the points if none)."""
    # Centring on the streets, which change rarely, keeps the 25 m analysis grid fixed when
    # wishes are added: a new wish can then only add to counts, never shift other wishes' cells.
    if len(streets):
        b = shapely.bounds(np.asarray(streets.geometries, dtype=object))
        return LocalProjection.around([b[:, [1, 3]].ravel()], [b[:, [0, 2]].ravel()])
    lats = [wishes.lat, premises.lat, shops.lat]
    lons = [wishes.lon, premises.lon, shops.lon]
    return LocalProjection.around(lats, lons)


def run_full(
    wishes: Wishes,
    premises: Premises,
    shops: Shops,
    streets: Streets,
    n_types: int,
    now: np.datetime64 | float | int,
    params: AnalysisParams | None = None,
    street_index: StreetIndex | None = None,
) -> FullResult:
    """Return a FullResult: wish streets, street demand, hotspots and per-premise gap scores.

    Pass ``street_index`` (from an earlier run) to skip rebuilding it; it fixes the projection.
    """
    p = params or AnalysisParams()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if len(wishes) and (wishes.type_idx.max() >= n_types):
        raise ValueError("wishes: type_idx >= n_types")
    if len(shops) and (shops.type_idx.min() < 0 or shops.type_idx.max() >= n_types):
        raise ValueError("shops: type_idx out of range")
    if street_index is None:
        proj = projection_for(wishes, premises, shops, streets)
        street_index = StreetIndex.build(
            streets.geometries, streets.names, proj, spacing_m=p.street_spacing_m
        )
    proj = street_index.projection
    wx, wy = proj.to_xy(wishes.lat, wishes.lon)
    px, py = proj.to_xy(premises.lat, premises.lon)
    sx, sy = proj.to_xy(shops.lat, shops.lon)
    t1 = time.perf_counter()
    timings["projection_and_street_index"] = t1 - t0

    wish_street = wishes.street_idx.copy()
    if wish_street.size and wish_street.max() >= street_index.n_streets:
        raise ValueError("wishes: street_idx out of range")
    free = np.flatnonzero(wish_street < 0)
    wish_street[free] = street_index.nearest(wx[free], wy[free])
    t2 = time.perf_counter()
    timings["nearest_street"] = t2 - t1

    sd = street_demand(
        wish_street,
        wishes.type_idx,
        wishes.resident_id,
        wishes.created_at,
        street_index.n_streets,
        n_types,
        now,
        p.trend_window_days,
    )
    t3 = time.perf_counter()
    timings["street_demand"] = t3 - t2

    bins = bin_wishes(wx, wy, wishes.type_idx, wishes.resident_id, p.hotspots.cell_m, n_types)
    hs = find_hotspots(
        wx, wy, wishes.type_idx, wishes.resident_id, proj, street_index, p.hotspots, bins
    )
    t4 = time.perf_counter()
    timings["hotspots"] = t4 - t3

    pdm = premise_demand(
        wx,
        wy,
        wishes.type_idx,
        wishes.resident_id,
        px,
        py,
        sx,
        sy,
        shops.type_idx,
        n_types,
        p.demand,
        bins if p.demand.cell_m == p.hotspots.cell_m else None,
    )
    t5 = time.perf_counter()
    timings["premises"] = t5 - t4
    timings["total"] = t5 - t0

    meta = {
        **asdict(p),
        "n_types": n_types,
        "now_epoch_s": int(as_epoch_seconds(np.asarray([now]))[0]),
        "projection": {"lat0": proj.lat0, "lon0": proj.lon0},
        "counts": {
            "wishes": len(wishes),
            "free_wishes": int(free.size),
            "premises": len(premises),
            "shops": len(shops),
            "streets": street_index.n_streets,
        },
        "street_method": f"kd-tree on points every {street_index.spacing_m} m, k=4, exact refine",
        "reference_u": pdm.params["reference_u"],
    }
    return FullResult(proj, wish_street, sd, hs, pdm, meta, timings)
