"""Where the test suite finds its databases and the real data (shared by conftest and tests)."""

from __future__ import annotations

import os
from pathlib import Path

POSTGRES_URL = os.environ.get(
    "WISHMAP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = [
    name.strip()
    for name in os.environ.get("WISHMAP_TEST_DATABASES", "sqlite,postgresql").split(",")
    if name.strip()
]
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
