"""PostgreSQL pool: a connection that just came back is used without a ping; one that sat idle
is pinged first, and replaced when its server side is gone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event, text
from testdb import BACKENDS, POSTGRES_URL

from wishmap import db
from wishmap.db import make_engine

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL deselected"),
]


@pytest.fixture
def pool() -> Iterator[Engine]:
    engine = make_engine(POSTGRES_URL, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _pings(engine: Engine) -> list[int]:
    """Count the dialect's pings on engine (a list the caller reads the length of)."""
    seen: list[int] = []
    original = engine.dialect.do_ping

    def counting(dbapi_connection: object) -> bool:
        seen.append(1)
        return original(dbapi_connection)

    engine.dialect.do_ping = counting  # type: ignore[method-assign]
    return seen


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_recent_connection_is_not_pinged(pool: Engine) -> None:
    pings = _pings(pool)
    first = _backend_pid(pool)
    for _ in range(5):
        assert _backend_pid(pool) == first  # the same pooled connection, reused
    assert pings == []


def test_idle_dead_connection_is_replaced(pool: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    pings = _pings(pool)
    first = _backend_pid(pool)
    # The server ends the pooled connection while it sits idle (a restart, an idle timeout).
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    admin.dispose()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)
    invalidated: list[int] = []
    event.listen(pool, "invalidate", lambda *_args: invalidated.append(1))
    # The request is served on a fresh connection instead of failing.
    second = _backend_pid(pool)
    assert second != first
    assert len(pings) >= 1
    assert invalidated == [1]
