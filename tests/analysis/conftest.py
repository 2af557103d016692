"""Fixtures for the analysis tests: a small synthetic district and the real Paris data."""

from __future__ import annotations

import pytest
from analysis_district import PARIS, BakeryCase, District, make_bakery_case, make_district

from analysis.inputs import Streets


@pytest.fixture(scope="session")
def district() -> District:
    """Return the synthetic district."""
    return make_district()


@pytest.fixture(scope="session")
def bakery_case() -> BakeryCase:
    """Return the planted bakery case."""
    return make_bakery_case()


@pytest.fixture(scope="session")
def paris_streets() -> Streets:
    """Return the real Paris streets, or skip when ../shared/data/paris is absent."""
    if not (PARIS / "voies.geojson").exists():
        pytest.skip(f"Paris open data not found at {PARIS.resolve()}")
    from analysis.geojson_io import load_streets

    return load_streets(PARIS / "voies.geojson")
