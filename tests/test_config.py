"""Configuration: no hard-coded secret, environment overrides."""

from __future__ import annotations

from pathlib import Path

from wishmap.config import from_environment, instance_secret_key


def test_secret_key_generated_once_and_kept(tmp_path: Path) -> None:
    first = instance_secret_key(tmp_path)
    assert len(first) == 64
    assert instance_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert instance_secret_key(tmp_path / "other") != first


def test_environment_overrides_are_typed() -> None:
    found = from_environment(
        {
            "WISHMAP_WISH_QUOTA": "3",
            "WISHMAP_MAP_CENTER": "52.1,5.1",
            "DATABASE_URL": "postgresql+psycopg://db/wishmap",
            "WISHMAP_UNKNOWN": "x",
        }
    )
    assert found == {
        "WISH_QUOTA": 3,
        "MAP_CENTER": (52.1, 5.1),
        "DATABASE_URL": "postgresql+psycopg://db/wishmap",
    }
