"""Objects built from a whole table, kept per database and rebuilt when the table changes.

Locators parse every street or district geometry: far too slow per request. Each cached entry
keeps a fingerprint of the rows it was built from (cheap aggregates), so a change made by
another process (an import from the CLI beside a running server) is noticed too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlalchemy.orm import Session

T = TypeVar("T")

_CACHE: WeakKeyDictionary[Engine, dict[str, tuple[Any, Any]]] = WeakKeyDictionary()
_LOCK = threading.Lock()


def cached_per_database(
    session: Session,
    name: str,
    fingerprint: Callable[[Session], Any],
    build: Callable[[Session], T],
) -> T:
    """Return the object `name` for this session's database, building it when its rows changed."""
    engine = session.get_bind().engine
    current = fingerprint(session)
    with _LOCK:
        cached = _CACHE.get(engine, {}).get(name)
    if cached is not None and cached[0] == current:
        return cached[1]
    value = build(session)
    with _LOCK:
        _CACHE.setdefault(engine, {})[name] = (current, value)
    return value


def forget(session: Session, name: str) -> None:
    """Drop the cached object `name` of this session's database."""
    with _LOCK:
        _CACHE.get(session.get_bind().engine, {}).pop(name, None)


def forget_all() -> None:
    """Drop every cached object of every database (tests: no state crosses from one to the next)."""
    with _LOCK:
        _CACHE.clear()
