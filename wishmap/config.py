"""Configuration: defaults here; instance/config.py and environment variables override them."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ENV_PREFIX = "WISHMAP_"


class Defaults:
    """Settings every deployment starts from."""

    # SQLite in instance/ is the embedded default; DATABASE_URL selects PostgreSQL.
    DATABASE_URL: str | None = None
    SQLALCHEMY_ECHO = False
    # Leaflet tiles; the demo and tests may point this elsewhere (or at nothing offline).
    TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    TILE_ATTRIBUTION = "&copy; OpenStreetMap contributors"
    # Shown when the database has no premises yet.
    MAP_CENTER = (48.8839, 2.3823)
    MAP_ZOOM = 15
    WISH_QUOTA = 10
    REASON_MAX_LENGTH = 500
    LOG_LEVEL = "INFO"
    # E-mail: "console" logs messages, "folder" writes .eml files to MAIL_OUTBOX
    # (default instance/outbox), "smtp" sends them through MAIL_SERVER.
    MAIL_BACKEND = "console"
    MAIL_OUTBOX = ""
    MAIL_SENDER = "Wishmap <no-reply@wishmap.example>"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""


def _coerce(raw: str, default: Any) -> Any:
    """Return an environment string converted to the type of the default it overrides."""
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, tuple):
        return tuple(float(part) for part in raw.split(","))
    return raw


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Return settings from WISHMAP_<NAME> variables, plus DATABASE_URL and SECRET_KEY."""
    environ = dict(os.environ if environ is None else environ)
    found: dict[str, Any] = {}
    for name in dir(Defaults):
        if not name.isupper():
            continue
        raw = environ.get(ENV_PREFIX + name)
        if raw is not None:
            found[name] = _coerce(raw, getattr(Defaults, name))
    for bare in ("DATABASE_URL", "SECRET_KEY"):
        if environ.get(bare):
            found[bare] = environ[bare]
    return found


def sqlite_url(instance_path: str | Path) -> str:
    """Return the URL of the embedded database file in the instance folder."""
    return f"sqlite:///{Path(instance_path) / 'wishmap.sqlite'}"


def instance_secret_key(instance_path: str | Path) -> str:
    """Return the secret key kept in instance/, creating it once on first use."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created with owner-only permissions: the key signs every session cookie.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key
