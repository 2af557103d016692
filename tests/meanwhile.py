"""Work run beside a test, as another request would: a thread with an app context and session
of its own (shared by the tests of concurrent writes)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask
from sqlalchemy.orm import Session

from wishmap import db


def meanwhile(
    app: Flask, work: Callable[[Session], None]
) -> tuple[threading.Thread, list[BaseException]]:
    """A thread (not started) running work on a session of its own; what it raises lands in
    the list, for the test to report."""
    errors: list[BaseException] = []

    def run() -> None:
        with app.app_context():
            try:
                work(db.session())
            except BaseException as error:
                errors.append(error)
            finally:
                db.close_session()

    return threading.Thread(target=run), errors
