"""The local projection is metric to well under 1 % across a city."""

from __future__ import annotations

import numpy as np
import shapely

from analysis.projection import LocalProjection, haversine_m


def test_distances_match_great_circle_within_a_city() -> None:
    proj = LocalProjection(48.86, 2.35)
    rng = np.random.default_rng(0)
    lat = rng.uniform(48.815, 48.905, (2, 2000))
    lon = rng.uniform(2.22, 2.47, (2, 2000))
    x, y = proj.to_xy(lat, lon)
    planar = np.hypot(x[0] - x[1], y[0] - y[1])
    sphere = haversine_m(lat[0], lon[0], lat[1], lon[1])
    ok = sphere > 100
    # The sphere itself is ~0.2 % off the ellipsoid here; the projection adds < 0.2 %.
    assert np.abs(planar[ok] / sphere[ok] - 1).max() < 0.005


def test_round_trip_and_geometries() -> None:
    proj = LocalProjection.around([np.array([48.8, 48.9])], [np.array([2.3, 2.4])])
    assert np.allclose((proj.lat0, proj.lon0), (48.85, 2.35), atol=1e-12)
    lat, lon = proj.to_latlon(*proj.to_xy(np.array([48.81]), np.array([2.31])))
    assert np.allclose([lat[0], lon[0]], [48.81, 2.31], atol=1e-12)
    line = shapely.LineString([(2.35, 48.85), (2.36, 48.85)])
    (m,) = proj.project_geometries([line])
    assert abs(m.length - proj.m_per_deg_lon * 0.01) < 1e-6
    (back,) = proj.unproject_geometries([m])
    assert back.equals_exact(line, 1e-12)
    # One degree of latitude near Paris is 111.2 km on the WGS84 ellipsoid.
    assert abs(proj.m_per_deg_lat - 111_210) < 30
