"""Demand classes of the map's legend: quantiles of the counts, ties merged, none empty."""

from __future__ import annotations

from wishmap.geo import demand_breaks, demand_level, with_demand_classes


def _collection(counts: list[int]) -> dict:
    return {"features": [{"properties": {"wishes": n}} for n in counts]}


def test_breaks_are_terciles_of_the_wished_premises() -> None:
    assert demand_breaks(range(1, 10)) == [3, 6, 9]
    # Most premises of the demo had 60+ wishes and were all "strong demand": now split in three.
    assert demand_breaks([60, 61, 62, 70, 71, 72, 90, 91, 92, 0, 0]) == [62, 72, 92]
    assert demand_breaks([0, 0]) == []
    assert demand_breaks([5]) == [5]


def test_ties_merge_classes_rather_than_leave_one_empty() -> None:
    assert demand_breaks([1, 1, 1, 1, 1, 5, 9]) == [1, 9]
    assert demand_breaks([4, 4, 4]) == [4]
    classes = with_demand_classes(_collection([1, 1, 1, 1, 1, 5, 9]))["classes"]
    assert classes == [{"level": 1, "min": 1, "max": 1}, {"level": 2, "min": 2, "max": 9}]


def test_levels_follow_the_breaks() -> None:
    breaks = [3, 6, 9]
    assert [demand_level(n, breaks) for n in range(0, 11)] == [0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3]
    collection = with_demand_classes(_collection([0, 2, 50, 7]))
    assert [f["properties"]["level"] for f in collection["features"]] == [0, 1, 3, 2]
    assert with_demand_classes(_collection([]))["classes"] == []
