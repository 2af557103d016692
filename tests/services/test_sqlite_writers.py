"""SQLite: wishes of several processes queue on a lock file beside the database.

SQLite's own busy handler sleeps 1, 2, 5 … 100 ms between looks at a locked database, so a
worker's wish slept well past the moment the one before it committed; an flock on
`<database>.writer-lock` wakes the next writer at once. Another open file description of the
lock file stands for another gunicorn worker here: flock excludes it as it would a process.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest
from factories import make_premise, make_user, shop_type
from flask import Flask
from meanwhile import meanwhile
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap import db
from wishmap.models import Wish
from wishmap.services.wishes import create_wish


@pytest.mark.sqlite_only
def test_a_wish_waits_for_another_process_holding_the_writer_lock(shared_app: Flask) -> None:
    session = db.session()
    premise, bakery, resident = make_premise(session), shop_type(session).id, make_user(session)
    premise_id, resident_id = premise.id, resident.id
    session.commit()
    lock_path = Path(f"{session.get_bind().engine.url.database}.writer-lock")

    def wish(own: Session) -> None:
        create_wish(own, own.get(type(resident), resident_id), bakery, premise_id=premise_id)

    thread, errors = meanwhile(shared_app, wish)

    # The first wish opens the lock file; the "other worker" then takes it and holds it.
    create_wish(session, make_user(session), bakery, premise_id=premise_id)
    assert lock_path.exists()
    other_worker = os.open(lock_path, os.O_RDWR)
    try:
        fcntl.flock(other_worker, fcntl.LOCK_EX)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the wish did not wait for the other process's write"
    finally:
        fcntl.flock(other_worker, fcntl.LOCK_UN)
        os.close(other_worker)
    thread.join(10)
    assert not thread.is_alive() and not errors, errors
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Wish)) == 2
