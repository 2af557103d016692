"""Rate limits shared through Redis when REDIS_URL is set: two app processes, one count."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from web import csrf_token

from wishmap import create_app
from wishmap.limits import limiter

REDIS_URL = os.environ.get("WISHMAP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own, its keys deleted afterwards (others share the server)."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"wishmap-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    client.close()


@pytest.mark.sqlite_only
def test_two_app_instances_share_the_login_count_in_redis(
    engine: Engine, redis_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redis

    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    config = {
        "TESTING": True,
        "ENGINE": engine,
        "DATABASE_URL": str(engine.url),
        "SECRET_KEY": "shared",
        "LOG_LEVEL": "WARNING",
        "LOGIN_RATE_LIMIT": "3 per minute",
        "RATELIMIT_KEY_PREFIX": redis_prefix,
    }
    first, second = create_app(config), create_app(config)
    assert first.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    assert type(limiter.storage).__name__ == "RedisStorage"
    statuses = []
    for app in (first, first, second, second):
        with app.app_context():
            client = app.test_client()
            data = {"csrf_token": csrf_token(client), "email": "a@b.org", "password": "guess"}
            statuses.append(client.post("/account/login", data=data).status_code)
    # Two attempts through each process: the fourth is over the shared limit of three.
    assert statuses == [200, 200, 200, 429]
    keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(f"*{redis_prefix}*"))
    assert keys, "the count lives in Redis"
