"""Reading GeoJSON open data (e.g. Paris ``voies.geojson``) into analysis inputs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import shapely

from analysis.inputs import Streets


def load_streets(path: Path, name_prop: str = "L_LONGMIN", id_prop: str = "N_SQ_VO") -> Streets:
    """Return the (Multi)LineString features of a GeoJSON file as Streets (WGS84)."""
    with open(path, encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    geoms, names, ids = [], [], []
    for f in features:
        g = f.get("geometry")
        if not g or g.get("type") not in ("LineString", "MultiLineString"):
            continue
        geoms.append(shapely.geometry.shape(g))
        names.append(str(f["properties"].get(name_prop) or ""))
        ids.append(str(f["properties"].get(id_prop) or f.get("id") or ""))
    return Streets(geoms, names, ids)


def load_points(path: Path, category_prop: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Return (lat, lon, category) of the Point features of a GeoJSON file."""
    with open(path, encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    lat, lon, cat = [], [], []
    for f in features:
        g = f.get("geometry")
        if not g or g.get("type") != "Point":
            continue
        lon.append(g["coordinates"][0])
        lat.append(g["coordinates"][1])
        cat.append(str(f["properties"].get(category_prop) or ""))
    return np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64), cat
