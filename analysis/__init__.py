"""Wishmap analysis: turns residents' wishes into per-street, per-hotspot and per-premise figures.

Pure functions over numpy arrays (and shapely geometries for streets); no Flask, no database.
Everything is order-independent (permuting wishes changes no output) and single-threaded.

Inputs (``analysis.inputs``; arrays are converted and length-checked on construction)
--------------------------------------------------------------------------------------
- ``Wishes(lat, lon, type_idx, resident_id, created_at, street_idx=None)`` — float64 degrees,
  int type 0..T-1, int64 resident id, ``created_at`` as numpy datetime64 or UTC epoch seconds
  (stored as int64 epoch seconds), ``street_idx`` -1 for free wishes (nearest street is computed);
  wishes on a premise carry the premise's street.
- ``Premises(lat, lon, street_idx, surface_m2, rent)``; ``Shops(lat, lon, type_idx)`` (supply).
- ``Streets(geometries, names, ids=[])`` — WGS84 (lon, lat) LineString/MultiLineString; a street's
  index is its position in the list. ``analysis.geojson_io.load_streets(path)`` reads Paris
  ``voies.geojson``.

One call for everything
-----------------------
``analysis.pipeline.run_full(wishes, premises, shops, streets, n_types, now, params=None,
street_index=None) -> FullResult`` with fields

- ``wish_street`` (int64 per wish), ``streets: StreetDemand``, ``hotspots: HotspotResult``,
  ``premises: PremiseDemand``, ``projection``, ``params`` (dict of every parameter, the run's
  ``now``, the gap reference and input counts: store it with the run), ``timings`` (s per stage).
- ``params``: ``AnalysisParams(hotspots=HotspotParams(), demand=DemandParams(),
  trend_window_days=90, street_spacing_m=10.0)``. Pass ``street_index`` (a ``StreetIndex`` from a
  previous run, built from the same streets) to skip rebuilding it (~0.1 s for Paris).

Results
-------
- ``StreetDemand``: (n_streets, n_types) int arrays ``wishes``, ``residents`` (distinct),
  ``recent`` (last 90 days up to ``now``), ``previous`` (the 90 days before), property ``change``;
  ``ranking(street) -> type indices`` (most distinct residents first),
  ``top_streets(type_idx, n)``. Standalone: ``street_demand.street_demand(street_idx, type_idx,
  resident_id, created_at, n_streets, n_types, now, window_days=90)``.
- ``HotspotResult``: ``hotspots: list[Hotspot]`` (``type_idx, lat, lon, radius_m, wishes,
  residents, street_idx, street_name``), ``wish_hotspot`` (hotspot id per wish, -1 = none),
  ``for_type(t)``, ``hull(i)`` / ``hulls()`` (WGS84 convex hulls, built on demand), ``params``.
  Standalone: ``hotspots.find_hotspots(x, y, type_idx, resident_id, projection, street_index,
  params)``.
- ``PremiseDemand``: (n_premises, n_types) arrays ``gap`` (0–100), ``demand``, ``supply``,
  ``unserved``, ``wishes``, ``residents``, ``competitors``, ``nearest_competitor_m`` (inf = none)
  and ``profile`` (n_premises, n_types, 4: distinct residents within 100/200/300/400 m);
  ``top_types(premise, n)``; ``evidence(premise, type_idx) -> GapEvidence`` whose
  ``explain(type_name)`` is a one-line account. Formula: module docstring of
  ``analysis.premise_demand`` (gap = 100·u/(u+u_ref), u = demand/(1+supply)). Standalone:
  ``premise_demand.premise_demand(wx, wy, w_type, w_resident, px, py, sx, sy, s_type, n_types,
  params)`` on projected metres.

Other entry points
------------------
- ``matching.match_tenants(demand, premise, surface_m2, rent, candidates)
  -> list[TenantMatch]`` with ``TenantCandidate(type_idx, min_surface_m2, max_surface_m2,
  max_rent, name=None)``; each match has ``score`` (0–100) = ``gap`` × ``surface_fit`` ×
  ``rent_fit`` (smooth penalties, formula in ``analysis.matching``), the evidence
  (``residents``, ``radius_m``, ``competitors``, ``nearest_competitor_m``) and ``surface`` /
  ``rent`` fits with status keys; no words: the caller writes the reason in its language.
  NaN surface or rent (not given) is neutral.
- ``grouping.count_by_key(keys, resident_id, type_idx=None) -> KeyCounts(keys, type_idx, wishes,
  residents)`` rebuilds per-premise or per-street counters in one call (keys < 0 skipped);
  ``KeyCounts.as_dict()``.
- ``projection.LocalProjection(lat0, lon0)``: ``to_xy``, ``to_latlon``, ``project_geometries``.
- ``streets.StreetIndex.build(geometries, names, projection)``: ``nearest(x, y)`` (fast),
  ``nearest_exact(x, y)`` (STRtree); ``streets.nearest_agreement(index, x, y)`` measures them.

The functions ``premise_demand.premise_demand`` and ``street_demand.street_demand`` are not
re-exported here, so that ``analysis.premise_demand`` stays the module.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analysis.grouping import KeyCounts, count_by_key
    from analysis.hotspots import Hotspot, HotspotParams, HotspotResult, find_hotspots
    from analysis.inputs import Premises, Shops, Streets, Wishes
    from analysis.matching import TenantCandidate, TenantMatch, match_tenants
    from analysis.pipeline import AnalysisParams, FullResult, run_full
    from analysis.premise_demand import DemandParams, GapEvidence, PremiseDemand
    from analysis.projection import LocalProjection
    from analysis.street_demand import StreetDemand
    from analysis.streets import NearestAgreement, StreetIndex, nearest_agreement

# The names above are loaded from their module on first use (PEP 562), not here: importing
# `analysis.projection` or `analysis.inputs` runs this file first, and the eager imports pulled
# in scipy (hotspots, premise_demand, streets), 0.3-0.4 s of start-up for every web worker and
# command that never runs the analysis.
_MODULE_OF = {
    "KeyCounts": "grouping",
    "count_by_key": "grouping",
    "Hotspot": "hotspots",
    "HotspotParams": "hotspots",
    "HotspotResult": "hotspots",
    "find_hotspots": "hotspots",
    "Premises": "inputs",
    "Shops": "inputs",
    "Streets": "inputs",
    "Wishes": "inputs",
    "TenantCandidate": "matching",
    "TenantMatch": "matching",
    "match_tenants": "matching",
    "AnalysisParams": "pipeline",
    "FullResult": "pipeline",
    "run_full": "pipeline",
    "DemandParams": "premise_demand",
    "GapEvidence": "premise_demand",
    "PremiseDemand": "premise_demand",
    "LocalProjection": "projection",
    "StreetDemand": "street_demand",
    "NearestAgreement": "streets",
    "StreetIndex": "streets",
    "nearest_agreement": "streets",
}


def __getattr__(name: str) -> Any:
    if name in _MODULE_OF.values():  # `import analysis` then `analysis.hotspots`, as before
        return import_module(f"analysis.{name}")
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    value = getattr(import_module(f"analysis.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


__all__ = [
    "AnalysisParams",
    "DemandParams",
    "FullResult",
    "GapEvidence",
    "Hotspot",
    "HotspotParams",
    "HotspotResult",
    "KeyCounts",
    "LocalProjection",
    "NearestAgreement",
    "PremiseDemand",
    "Premises",
    "Shops",
    "StreetDemand",
    "StreetIndex",
    "Streets",
    "TenantCandidate",
    "TenantMatch",
    "Wishes",
    "count_by_key",
    "find_hotspots",
    "match_tenants",
    "nearest_agreement",
    "run_full",
]
