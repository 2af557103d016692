"""Benchmark of the full analysis on 1,000,000 synthetic wishes over the real Paris streets.

Run from the repository root:

    .venv/bin/python -m bench.analysis

(``--wishes N`` for another size; ``--baseline-sizes 50000,150000`` sets the baseline
subsamples.)

What it does, in one run:

1. Generates the city (:mod:`bench.paris_synthetic`: 1M wishes, ~200k residents, 40 types, one
   year of timestamps, ~half pinned on premises and half free, 200 planted hotspots; 5,000
   premises; ~3,000 shops) and saves it to a temporary ``.npz``. Not timed.
2. Starts a fresh Python process with ``OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=MKL_NUM_THREADS=1``
   (the analysis is single-threaded anyway; this keeps BLAS from borrowing the second core). It
   loads the data and the streets, warms up on 10,000 wishes (imports, first calls), reads its
   resident memory, then times ``analysis.pipeline.run_full`` once on everything: street index,
   nearest street of every free wish, street demand, hotspots, all premises × types. Peak memory is
   that process's ``ru_maxrss`` (whole process: interpreter, libraries, input data and analysis);
   the analysis increment over the pre-run resident size is reported too. Hull polygons are built
   on demand and timed separately. It then measures the fast nearest-street method against the
   exact STRtree on 20,000 free wishes and checks the planted hotspots are found.
3. Baseline: plain ``sklearn.cluster.DBSCAN(metric="haversine", algorithm="ball_tree")`` (same
   100 m eps, min_samples 5) on random subsamples of the same wishes, at two sizes, because on all
   1M points it takes about a minute and 12 GB. The full-size time is extrapolated with the power
   law fitted through the two measured sizes (the neighbour count per point grows with density, so
   the cost is super-linear); the linear extrapolation, a lower bound, is printed too.

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.paris_synthetic import City

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _save(city: City, path: Path) -> None:
    w, p, s = city.wishes, city.premises, city.shops
    np.savez(
        path,
        w_lat=w.lat,
        w_lon=w.lon,
        w_type=w.type_idx,
        w_res=w.resident_id,
        w_created=w.created_at,
        w_street=w.street_idx,
        p_lat=p.lat,
        p_lon=p.lon,
        p_street=p.street_idx,
        p_surface=p.surface_m2,
        p_rent=p.rent,
        s_lat=s.lat,
        s_lon=s.lon,
        s_type=s.type_idx,
        h_xy=city.hotspot_xy,
        h_type=city.hotspot_type,
        n_types=city.n_types,
        now=city.now.astype(np.int64),
    )


def child(npz: Path) -> None:
    """Run the timed analysis in this (fresh) process and print one JSON line."""
    from analysis.geojson_io import load_streets
    from analysis.inputs import Premises, Shops, Wishes
    from analysis.pipeline import run_full
    from analysis.streets import nearest_agreement
    from bench.paris_synthetic import PARIS

    d = np.load(npz)
    wishes = Wishes(d["w_lat"], d["w_lon"], d["w_type"], d["w_res"], d["w_created"], d["w_street"])
    premises = Premises(d["p_lat"], d["p_lon"], d["p_street"], d["p_surface"], d["p_rent"])
    shops = Shops(d["s_lat"], d["s_lon"], d["s_type"])
    streets = load_streets(PARIS / "voies.geojson")
    n_types, now = int(d["n_types"]), int(d["now"])
    sub = slice(0, 10_000)
    warm = Wishes(
        wishes.lat[sub],
        wishes.lon[sub],
        wishes.type_idx[sub],
        wishes.resident_id[sub],
        wishes.created_at[sub],
        wishes.street_idx[sub],
    )
    run_full(warm, premises, shops, streets, n_types, now)
    rss_before = _rss_mb()
    t0 = time.perf_counter()
    res = run_full(wishes, premises, shops, streets, n_types, now)
    seconds = time.perf_counter() - t0
    peak = _peak_mb()
    t1 = time.perf_counter()
    hulls = res.hotspots.hulls()
    hull_seconds = time.perf_counter() - t1

    free = np.flatnonzero(wishes.street_idx < 0)
    rng = np.random.default_rng(7)
    sample = rng.choice(free, min(20_000, free.size), replace=False)
    from analysis.streets import StreetIndex

    index = StreetIndex.build(streets.geometries, streets.names, res.projection)
    wx, wy = res.projection.to_xy(wishes.lat[sample], wishes.lon[sample])
    agree = nearest_agreement(index, wx, wy)

    hs = res.hotspots.hotspots
    found_xy = np.array([res.projection.to_xy(h.lat, h.lon) for h in hs]).reshape(-1, 2)
    found_t = np.array([h.type_idx for h in hs], dtype=np.int64)
    hit = 0
    for (hx, hy), ht in zip(d["h_xy"], d["h_type"], strict=True):
        sel = found_t == ht
        if sel.any() and np.hypot(*(found_xy[sel] - (hx, hy)).T).min() <= 150.0:
            hit += 1
    print(
        json.dumps(
            {
                "seconds": seconds,
                "timings": res.timings,
                "peak_mb": peak,
                "rss_before_mb": rss_before,
                "hull_seconds": hull_seconds,
                "hulls": len(hulls),
                "hotspots": len(hs),
                "planted_hotspots": len(d["h_type"]),
                "planted_found": hit,
                "reference_u": res.premises.params["reference_u"],
                "street_agreement": agree.agreement,
                "street_agreement_up_to_ties": agree.agreement_up_to_ties,
                "street_max_extra_m": agree.max_extra_m,
                "street_p99_extra_m": agree.p99_extra_m,
                "street_sample": agree.points,
                "street_fast_us_per_point": 1e6 * agree.fast_seconds / max(agree.points, 1),
                "street_exact_us_per_point": 1e6 * agree.exact_seconds / max(agree.points, 1),
            }
        )
    )


def baseline(lat: np.ndarray, lon: np.ndarray, sizes: list[int]) -> list[tuple[int, float]]:
    """Return [(points, seconds)] of plain haversine ball-tree DBSCAN on random subsamples."""
    from sklearn.cluster import DBSCAN

    rng = np.random.default_rng(11)
    out = []
    for n in sizes:
        idx = rng.choice(lat.size, n, replace=False)
        pts = np.radians(np.column_stack((lat[idx], lon[idx])))
        t0 = time.perf_counter()
        DBSCAN(
            eps=100.0 / 6_371_008.8, min_samples=5, metric="haversine", algorithm="ball_tree"
        ).fit(pts)
        out.append((n, time.perf_counter() - t0))
    return out


def main() -> None:
    """Generate, run the analysis in a fresh process, run the baseline, print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wishes", type=int, default=1_000_000)
    ap.add_argument("--baseline-sizes", default="50000,150000")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return
    for var in THREAD_VARS:
        os.environ.setdefault(var, "1")
    from bench.paris_synthetic import generate

    t0 = time.perf_counter()
    city = generate(n_wishes=args.wishes)
    w = city.wishes
    print(
        f"generated {len(w):,} wishes ({int((w.street_idx < 0).sum()):,} free), "
        f"{np.unique(w.resident_id).size:,} residents, {city.n_types} types, "
        f"{len(city.premises):,} premises, {len(city.shops):,} shops, "
        f"{len(city.streets):,} streets in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        npz = Path(tmp) / "city.npz"
        _save(city, npz)
        env = {**os.environ, **dict.fromkeys(THREAD_VARS, "1"), "PYTHONPATH": str(root)}
        print("running the analysis in a fresh process ...", flush=True)
        proc = subprocess.run(
            [sys.executable, "-m", "bench.analysis", "--child", str(npz)],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(proc.returncode)
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    for stage, sec in r["timings"].items():
        print(f"  {stage:<30} {sec:6.3f} s")
    print(
        f"analysis: {r['seconds']:.2f} s wall, peak RSS {r['peak_mb']:.0f} MB "
        f"(resident before the run {r['rss_before_mb']:.0f} MB, "
        f"increment {r['peak_mb'] - r['rss_before_mb']:.0f} MB)"
    )
    print(
        f"hotspots: {r['hotspots']:,} found; {r['planted_found']}/{r['planted_hotspots']} planted "
        f"hotspots recovered within 150 m; hulls on demand {r['hull_seconds']:.2f} s"
    )
    print(
        f"nearest street on {r['street_sample']:,} free wishes vs STRtree: "
        f"{100 * r['street_agreement']:.2f} % same street "
        f"({100 * r['street_agreement_up_to_ties']:.2f} % counting exact ties), "
        f"max extra distance {r['street_max_extra_m']:.2f} m; "
        f"{r['street_fast_us_per_point']:.2f} µs vs {r['street_exact_us_per_point']:.1f} µs a point"
    )
    sizes = [int(s) for s in args.baseline_sizes.split(",")]
    print(
        f"baseline: sklearn DBSCAN haversine/ball_tree on subsamples {sizes} "
        f"(all {len(w):,} would take about a minute and 12 GB) ...",
        flush=True,
    )
    base = baseline(w.lat, w.lon, sizes)
    for n, sec in base:
        print(f"  {n:>9,} points: {sec:.2f} s")
    (n1, t1), (n2, t2) = base[0], base[-1]
    expo = float(np.log(t2 / t1) / np.log(n2 / n1)) if n2 != n1 else 1.0
    full_power = t2 * (len(w) / n2) ** expo
    full_linear = t2 * len(w) / n2
    print(
        f"baseline extrapolated to {len(w):,} points: {full_power:.1f} s (power law, exponent "
        f"{expo:.2f}); linear lower bound {full_linear:.1f} s"
    )
    print(
        f"ratio: baseline hotspots alone / full analysis = {full_linear / r['seconds']:.1f}× "
        f"with the linear lower bound ({full_power / r['seconds']:.1f}× with the power law; the "
        "two-point fit is noisy, so the headline uses the linear figure)"
    )
    result = {
        "wishes": len(w),
        "seconds": round(r["seconds"], 3),
        "peak_mb": round(r["peak_mb"], 1),
        "rss_before_mb": round(r["rss_before_mb"], 1),
        "analysis_increment_mb": round(r["peak_mb"] - r["rss_before_mb"], 1),
        "baseline_seconds": round(t2, 3),
        "baseline_points": n2,
        "baseline_small_seconds": round(t1, 3),
        "baseline_small_points": n1,
        "baseline_extrapolated_seconds": round(full_power, 1),
        "baseline_extrapolation": f"power law through 2 sizes, exponent {expo:.2f}",
        "baseline_linear_seconds": round(full_linear, 1),
        "ratio": round(full_linear / r["seconds"], 1),
        "ratio_basis": "linear extrapolation (a lower bound for the baseline)",
        "ratio_power_law": round(full_power / r["seconds"], 1),
        "street_agreement": round(r["street_agreement"], 5),
        "street_agreement_up_to_ties": round(r["street_agreement_up_to_ties"], 5),
        "street_max_extra_m": round(r["street_max_extra_m"], 3),
        "hotspots": r["hotspots"],
        "planted_hotspots_found": f"{r['planted_found']}/{r['planted_hotspots']}",
        "stages": {k: round(v, 3) for k, v in r["timings"].items()},
        "threads": "OMP/OPENBLAS/MKL_NUM_THREADS=1",
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
