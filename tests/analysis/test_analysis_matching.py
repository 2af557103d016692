"""Tenant matching ranks by gap × fit and explains each candidate in one line."""

from __future__ import annotations

from analysis_district import BAKERY, NOW, BakeryCase

from analysis.matching import TenantCandidate, match_tenants
from analysis.pipeline import run_full

NAMES = ["bakery", "florist", "bookshop", "cheese shop", "butcher", "grocer"]


def test_ranking_and_reasons(bakery_case: BakeryCase) -> None:
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
        TenantCandidate(3, 10, 20, 5000, name="tiny kiosk"),  # far too big: fit 0
    ]
    out = match_tenants(res.premises, p, 60.0, 1800.0, candidates, NAMES)
    assert next(m.candidate for m in out) == 1
    by = {m.candidate: m for m in out}
    assert by[1].score == gap[BAKERY] and by[1].surface_fit == 1 and by[1].rent_fit == 1
    assert by[0].surface_fit == 1 - 0.25 / 0.5  # 60 is 25 % below 80
    assert abs(by[2].rent_fit - (1 - 0.125 / 0.25)) < 1e-12  # 12.5 % over budget
    assert by[3].score == 0
    assert [m.score for m in out] == sorted((m.score for m in out), reverse=True)
    r = by[1].reason
    assert r.startswith(f"bakery: gap {gap[BAKERY]:.0f}/100 (60 residents within 400 m")
    assert "no bakery in the city" in r and "60 m² fits 40–80 m²" in r
    assert "rent €1,800 within budget €2,000" in r
    assert "over budget €1,600" in by[2].reason
    assert "25 % below 80–150 m²" in by[0].reason
    assert by[3].reason.startswith("tiny kiosk:")
