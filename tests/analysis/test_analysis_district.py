"""Planted ground truth on the synthetic district: bakery demand along one street."""

from __future__ import annotations

import numpy as np
from analysis_district import BAKERY, NOW, BakeryCase

from analysis.inputs import Shops
from analysis.pipeline import run_full


def _run(case: BakeryCase, shops: Shops | None = None):
    return run_full(
        case.wishes, case.premises, shops or case.shops, case.district.streets, case.n_types, NOW
    )


def test_bakery_street_ranks_bakery_first(bakery_case: BakeryCase) -> None:
    res = _run(bakery_case)
    sd = res.streets
    assert sd.ranking(bakery_case.bakery_street)[0] == BAKERY
    # Bakery wishes are free, 2–8 m off the line; those within a few metres of the crossing at
    # x = 300 m belong to the crossing street, exactly as the STRtree reference says.
    bakery = bakery_case.wishes.type_idx == BAKERY
    proj = res.projection
    x, y = proj.to_xy(bakery_case.wishes.lat[bakery], bakery_case.wishes.lon[bakery])
    from analysis.streets import StreetIndex

    index = StreetIndex.build(
        bakery_case.district.streets.geometries, bakery_case.district.streets.names, proj
    )
    exact, _ = index.nearest_exact(x, y)
    assert (res.wish_street[bakery] == exact).all()
    on_street = int((exact == bakery_case.bakery_street).sum())
    assert on_street >= 50
    assert sd.residents[bakery_case.bakery_street, BAKERY] == on_street
    assert sd.wishes[:, BAKERY].sum() == 60
    assert sd.top_streets(BAKERY, 1).tolist() == [bakery_case.bakery_street]


def test_premise_on_bakery_street_has_bakery_top_gap(bakery_case: BakeryCase) -> None:
    res = _run(bakery_case)
    pd = res.premises
    p = bakery_case.bakery_premise
    assert pd.top_types(p, 1)[0] == BAKERY
    ev = pd.evidence(p, BAKERY)
    assert ev.residents == 60  # all bakery wishes lie within 400 m of the mid-street premise
    assert ev.profile[100] > 0
    assert ev.competitors == 0 and ev.nearest_competitor_m is None
    assert ev.gap > 50
    assert "residents within 400 m" in ev.explain("bakery")
    # A premise on a far street sees less bakery demand.
    assert pd.gap[3, BAKERY] < ev.gap


def test_bakery_next_door_lowers_the_gap(bakery_case: BakeryCase) -> None:
    before = _run(bakery_case).premises
    p = bakery_case.bakery_premise
    shops = bakery_case.shops
    lat = bakery_case.premises.lat[p] + 10 / 111_000  # ~10 m north of the premise
    with_bakery = Shops(
        np.r_[shops.lat, lat],
        np.r_[shops.lon, bakery_case.premises.lon[p]],
        np.r_[shops.type_idx, BAKERY],
    )
    after = _run(bakery_case, with_bakery).premises
    assert after.gap[p, BAKERY] < before.gap[p, BAKERY]
    assert after.supply[p, BAKERY] > 0.99
    assert after.competitors[p, BAKERY] == 1
    assert 5 < after.nearest_competitor_m[p, BAKERY] < 15
    # Demand figures are untouched by supply.
    assert after.residents[p, BAKERY] == before.residents[p, BAKERY]
    np.testing.assert_allclose(after.demand[p, BAKERY], before.demand[p, BAKERY])


def test_recent_change_counts_windows(bakery_case: BakeryCase) -> None:
    res = _run(bakery_case)
    ts = bakery_case.wishes.created_at
    now = NOW.astype(np.int64)
    day = 86_400
    recent = (ts > now - 90 * day) & (ts <= now)
    previous = (ts > now - 180 * day) & (ts <= now - 90 * day)
    sd = res.streets
    assert sd.recent.sum() == recent.sum()
    assert sd.previous.sum() == previous.sum()
    s = bakery_case.bakery_street
    here = (bakery_case.wishes.type_idx == BAKERY) & (res.wish_street == s)
    assert sd.recent[s, BAKERY] == (recent & here).sum()
    assert sd.change[s, BAKERY] == (recent & here).sum() - (previous & here).sum()
    assert res.params["trend_window_days"] == 90


def test_nearest_far_from_streets_matches_the_unbounded_query(district) -> None:
    """Points beyond the bounded KD-tree walk are queried again, so nothing changes for them."""
    from analysis.streets import StreetIndex

    index = StreetIndex.build(
        district.streets.geometries, district.streets.names, district.projection
    )
    rng = np.random.default_rng(4)
    x, y = rng.uniform(-400, 1000, 2000), rng.uniform(-400, 1000, 2000)
    got = index.nearest(x, y)
    _, idx = index.tree.query(np.column_stack((x, y)), k=4)
    cand_seg = index.dense_seg[idx]
    d = index._segment_distance(x[:, None], y[:, None], cand_seg)
    want = index.seg_street[cand_seg[np.arange(len(x)), np.argmin(d, axis=1)]]
    np.testing.assert_array_equal(got, want)
    exact, _ = index.nearest_exact(x, y)
    assert (got == exact).mean() >= 0.99
