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
    # PostgreSQL connections each app process keeps (and may open beyond it under load);
    # gunicorn.conf.py sizes it to the worker's threads. workers × (both) < max_connections.
    DATABASE_POOL_SIZE = 5
    DATABASE_MAX_OVERFLOW = 5
    # Largest request body accepted, in bytes (forms are a few kB); larger ones get 413 unread.
    MAX_CONTENT_LENGTH = 1_000_000
    # Leaflet tiles; the demo and tests may point this elsewhere (or at nothing offline).
    TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    TILE_ATTRIBUTION = "&copy; OpenStreetMap contributors"
    # Printed on a premise's share image, which draws the imported streets (not the tiles).
    STREETS_ATTRIBUTION = "Streets © OpenStreetMap contributors"
    # "lat,lon" and the zoom the maps open at. Left empty, the maps fit the imported premises
    # (or streets) instead, so a city needs to set nothing (services/extent.py).
    MAP_CENTER: tuple[float, ...] = ()
    MAP_ZOOM = 15
    WISH_QUOTA = 10
    # Side of the public demand grid's cells in metres; never below 100 (privacy of free wishes).
    DEMAND_CELL_M = 100
    REASON_MAX_LENGTH = 500
    LOG_LEVEL = "INFO"
    # E-mail: "console" logs messages, "folder" writes .eml files to MAIL_OUTBOX
    # (default instance/outbox), "smtp" sends them through MAIL_SERVER.
    MAIL_BACKEND = "console"
    # The address residents reach the site at, for links in e-mails sent outside a request.
    PUBLIC_URL = "http://127.0.0.1:5000"
    MAIL_OUTBOX = ""
    MAIL_SENDER = "Wishmap <no-reply@wishmap.example>"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    # Accounts. Cookies are Secure unless INSECURE_COOKIES (plain-http development, `make run`),
    # debug or testing says otherwise.
    INSECURE_COOKIES = False
    # How many reverse proxies sit in front of the app (X-Forwarded-For hops to trust);
    # 0 when it faces the network directly. Rate limits and the burst rule key on the address.
    TRUSTED_PROXIES = 0
    VERIFY_TOKEN_HOURS = 72
    RESET_TOKEN_MINUTES = 60
    REMEMBER_DAYS = 30
    # Rate limits (Flask-Limiter notation), per client address unless said otherwise.
    # REDIS_URL (redis://…) shares the counts between app processes; otherwise in memory.
    REDIS_URL = ""
    LOGIN_RATE_LIMIT = "5 per minute"
    # Attempts on one account from any number of addresses.
    LOGIN_ACCOUNT_RATE_LIMIT = "10 per 15 minutes"
    REGISTER_RATE_LIMIT = "5 per hour"
    RESET_RATE_LIMIT = "5 per hour"
    VERIFY_RATE_LIMIT = "5 per hour"
    WISH_RATE_LIMIT = "30 per hour"  # per account
    REPORT_RATE_LIMIT = "10 per hour"  # reports of wishes, per account
    # Fair counting (see README, "Accounts, roles and fair counting").
    BURST_WINDOW_MINUTES = 60
    BURST_NEW_ACCOUNT_HOURS = 24
    BURST_MAX_WISHES_NEW_ACCOUNT = 5
    # More accounts than this from one network (IPv4 /24, IPv6 /64) wishing for one premise ×
    # type (or one small area × type) within BURST_TARGET_WINDOW_HOURS are held together.
    BURST_MAX_ACCOUNTS_PER_NETWORK = 4
    BURST_TARGET_WINDOW_HOURS = 24
    BURST_IPV4_PREFIX = 24
    BURST_IPV6_PREFIX = 64
    # More fresh accounts (made or verified within BURST_NEW_ACCOUNT_HOURS) than this wishing
    # for one premise × type within BURST_WINDOW_MINUTES, from anywhere, are held together.
    BURST_MAX_FRESH_ACCOUNTS_PER_TARGET = 5
    # Free wishes of one type within this many metres of each other are one target.
    BURST_AREA_METRES = 150
    BURST_ORIGIN_RETENTION_HOURS = 48
    # Log-in through the city's OpenID Connect provider (FranceConnect, a municipal SSO), off
    # while OIDC_CLIENT_ID is empty. OIDC_METADATA_URL defaults to the issuer's
    # /.well-known/openid-configuration; OIDC_NAME is shown on the button ("Log in with …").
    OIDC_ISSUER = ""
    OIDC_METADATA_URL = ""
    OIDC_CLIENT_ID = ""
    OIDC_CLIENT_SECRET = ""
    OIDC_NAME = ""
    OIDC_SCOPES = "openid email profile"
    # The least an account must prove for its wishes to count: "email" (a confirmed address)
    # or "oidc" (logged in through the provider above). Others' wishes wait as pending.
    MIN_VERIFICATION = "email"
    # Officers' statistics: a row with fewer distinct residents than this is suppressed
    # (counts withheld on the page and in every export) so that nobody can be singled out.
    # 11 is INSEE's default floor for counts of people.
    STATS_MIN_RESIDENTS = 11
    # Every published count moves by a cell-key noise of at most this much (0: exact counts,
    # which lets differencing recover suppressed rows); seeded by STATS_KEY_SECRET, else
    # SECRET_KEY. See services/disclosure.py and README "For city officers".
    STATS_NOISE = 2
    STATS_KEY_SECRET = ""
    # The open API (/api/v1), per address.
    API_RATE_LIMIT = "120 per minute"
    # Requests with a personal API token, counted per token (services/api_tokens.py).
    API_TOKEN_RATE_LIMIT = "600 per minute"
    # Printed in every XLSX export's "About" sheet.
    STATS_LICENCE = (
        "Wishmap statistics: aggregated counts of active wishes. Street and district "
        "geometries come from their sources (for Paris: Ville de Paris – opendata.paris.fr, "
        "ODbL); keep their attribution when you republish."
    )


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
    """Return settings from WISHMAP_<NAME> variables, plus DATABASE_URL, SECRET_KEY, REDIS_URL."""
    environ = dict(os.environ if environ is None else environ)
    found: dict[str, Any] = {}
    for name in dir(Defaults):
        if not name.isupper():
            continue
        raw = environ.get(ENV_PREFIX + name)
        if raw is not None:
            found[name] = _coerce(raw, getattr(Defaults, name))
    for bare in ("DATABASE_URL", "SECRET_KEY", "REDIS_URL"):
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
