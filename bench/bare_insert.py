"""The ceiling for bench.load: a WSGI app that inserts one row per POST, nothing else.

Served by the same gunicorn settings on the same database setup as Wishmap (bench/load.py
starts it with gunicorn.conf.py's worker class, workers and threads), so the ratio of wishes/s
to inserts/s says what Wishmap's own work per wish costs: sessions, log-in, CSRF, rules, counts.
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, insert

from wishmap.db import make_engine

metadata = MetaData()
rows = Table(
    "bench_bare_rows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("body", String(100)),
)

engine = make_engine(os.environ["DATABASE_URL"], pool_size=8, max_overflow=2)


def create_table() -> None:
    """Create the insert table (once, before the server starts)."""
    metadata.create_all(engine)


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """POST: insert one row and answer 201 with its id; anything else: 404."""
    if environ["REQUEST_METHOD"] != "POST":
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length).decode()[:100] if length else ""
    with engine.begin() as connection:
        new_id = connection.execute(insert(rows).values(body=body)).inserted_primary_key[0]
    start_response("201 Created", [("Content-Type", "text/plain")])
    return [str(new_id).encode()]
