"""Tenant matching ranks by gap × smooth fit and returns the figures of each reason."""

from __future__ import annotations

import itertools
import math

import pytest
from analysis_district import BAKERY, NOW, BakeryCase

from analysis.matching import (
    TenantCandidate,
    match_tenants,
    rent_fit,
    smooth_fit,
    surface_fit,
)
from analysis.pipeline import run_full

NAN = float("nan")


def test_ranking_and_reason_parts(bakery_case: BakeryCase) -> None:
    res = run_full(
        bakery_case.wishes,
        bakery_case.premises,
        bakery_case.shops,
        bakery_case.district.streets,
        bakery_case.n_types,
        NOW,
    )
    p = bakery_case.bakery_premise
    gap = res.premises.gap[p]
    candidates = [
        TenantCandidate(2, 80, 150, 3000),  # premise too small (60 m²)
        TenantCandidate(BAKERY, 40, 80, 2000),  # fits, within budget
        TenantCandidate(1, 40, 80, 1600),  # rent 1,800 over a 1,600 budget
        TenantCandidate(3, 10, 20, 5000, name="tiny kiosk"),  # 200 % too big
    ]
    out = match_tenants(res.premises, p, 60.0, 1800.0, candidates)
    assert out[0].candidate == 1
    by = {m.candidate: m for m in out}
    assert by[1].score == gap[BAKERY] and by[1].surface_fit == 1 and by[1].rent_fit == 1
    assert by[1].surface.status == "fits" and by[1].rent.status == "within"
    assert by[1].residents == 60 and by[1].radius_m == 400
    assert by[1].nearest_competitor_m is None  # no bakery in the city
    # 60 is 25 % below 80: 2^-(0.25/0.5)² = 2^-0.25.
    assert by[0].surface.status == "below" and by[0].surface.off_pct == pytest.approx(25)
    assert by[0].surface_fit == pytest.approx(2**-0.25)
    # 12.5 % over budget: 2^-(0.125/0.4)².
    assert by[2].rent.status == "over" and by[2].rent.over_pct == pytest.approx(12.5)
    assert by[2].rent_fit == pytest.approx(2 ** -((0.125 / 0.4) ** 2))
    assert by[2].rent.rent == 1800 and by[2].rent.budget == 1600
    # 60 m² against at most 20 m² is 200 % above: 2^-16, practically nothing, yet not a cliff.
    assert by[3].surface.status == "above" and by[3].surface.off_pct == pytest.approx(200)
    assert by[3].score == pytest.approx(gap[3] * 2**-16)
    assert [m.score for m in out] == sorted((m.score for m in out), reverse=True)


def test_rent_penalty_is_smooth_not_a_cliff() -> None:
    # A café with a gap of 79, rent 26 % over budget, keeps three quarters of its score.
    fit = rent_fit(1260.0, 1000.0)
    assert fit.status == "over" and fit.over_pct == pytest.approx(26)
    assert fit.fit == pytest.approx(2 ** -((0.26 / 0.4) ** 2))
    assert 79 * fit.fit == pytest.approx(58.9, abs=0.05)
    # 40 % over halves the score; the curve falls steadily, with no jump anywhere.
    assert rent_fit(1400.0, 1000.0).fit == pytest.approx(0.5)
    steps = [rent_fit(1000.0 + euros, 1000.0).fit for euros in range(0, 2001, 10)]
    assert all(a >= b for a, b in itertools.pairwise(steps))
    assert max(a - b for a, b in itertools.pairwise(steps)) < 0.02
    # A euro over budget costs almost nothing.
    assert rent_fit(1001.0, 1000.0).fit > 0.9999
    # A zero budget cannot pay any rent; a zero rent fits it.
    assert rent_fit(500.0, 0.0).fit == 0 and math.isinf(rent_fit(500.0, 0.0).over_pct)
    assert rent_fit(0.0, 0.0).status == "within"


def test_surface_penalty_halves_at_half_the_size() -> None:
    assert surface_fit(30.0, 60.0, 100.0).fit == pytest.approx(0.5)
    assert surface_fit(150.0, 60.0, 100.0).fit == pytest.approx(0.5)
    assert surface_fit(80.0, 60.0, 100.0).fit == 1.0
    assert smooth_fit(0.0, 0.4) == 1.0 and smooth_fit(-1.0, 0.4) == 1.0


def test_missing_surface_or_rent_is_neutral(bakery_case: BakeryCase) -> None:
    res = run_full(
        bakery_case.wishes,
        bakery_case.premises,
        bakery_case.shops,
        bakery_case.district.streets,
        bakery_case.n_types,
        NOW,
    )
    p = bakery_case.bakery_premise
    [m] = match_tenants(res.premises, p, NAN, NAN, [TenantCandidate(BAKERY, 40, 120, 1500)])
    assert m.surface.status == "unknown" and m.surface.surface_m2 is None
    assert m.rent.status == "unknown" and m.rent.rent is None
    assert m.score == res.premises.gap[p, BAKERY]
    assert not any(math.isnan(v) for v in (m.score, m.surface.off_pct, m.rent.over_pct))
