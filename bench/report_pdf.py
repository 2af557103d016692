"""How long do a premise report, its PDF and a zip of reports take at 1,000,000 wishes?

    .venv/bin/python -m bench.report_pdf [--wishes 1000000] [--premises 5000] [--repeat 5]
                                         [--zip 20] [--database-url URL]

Builds the synthetic city of `bench.portfolio` (or reuses a database that bench filled, e.g.
`--database-url sqlite:////tmp/bench.sqlite`), then, as an officer: the report page and the
PDF of the premise with the most wishes, and "download all reports" cut to --zip premises.
Prints wall and CPU time (p50); on a shared machine the CPU time is the fairer figure.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from flask_login.utils import _create_identifier
from sqlalchemy import func, select

import wishmap.models  # noqa: F401  -- registers every table
from bench.portfolio import load_city
from wishmap import create_app, db
from wishmap.db import Base
from wishmap.models import User, Wish
from wishmap.services import report_pdf
from wishmap.services.analysis import latest_run, run_analysis


def _timed(client, url: str, repeat: int) -> tuple[float, float, int]:
    """Return p50 wall ms, p50 CPU ms and the size of the answer."""
    response = client.get(url)  # warm
    assert response.status_code == 200, (url, response.status_code)
    response.get_data()
    response.close()  # a streamed answer holds its request until it is read and closed
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        size = len(response.get_data())  # a streamed answer is made while it is read
        response.close()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return float(np.median(wall)), float(np.median(cpu)), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wishes", type=int, default=1_000_000)
    parser.add_argument("--premises", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--zip", type=int, default=20, help="reports in the timed zip")
    parser.add_argument("--database-url", help="an empty database, or one a bench filled")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wishmap-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        app = create_app(
            {"DATABASE_URL": url, "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING", "TILE_URL": ""}
        )
        app.instance_path = tmp
        with app.app_context():
            session = db.session()
            Base.metadata.create_all(db.engine())
            if latest_run(session) is None:
                load_city(session, args.wishes, args.premises)
                run_analysis(session, premise_statuses=("vacant", "let"))
            wishes = session.scalar(select(func.count()).select_from(Wish))
            busiest = session.execute(
                select(Wish.premise_id, func.count())
                .where(Wish.premise_id.is_not(None))
                .group_by(Wish.premise_id)
                .order_by(func.count().desc())
                .limit(1)
            ).one()
            officer = session.scalar(
                select(User).where(User.email == "officer@bench.wishmap.example")
            )
            db.close_session()
        client = app.test_client()
        with app.test_request_context(environ_base=client.environ_base):
            identifier = _create_identifier()
        with client.session_transaction() as cookie:
            cookie.update({"_user_id": officer.get_id(), "_fresh": True, "_id": identifier})
        report_pdf.MAX_REPORTS_PER_ZIP = args.zip
        print(f"{wishes:,} wishes; premise {busiest[0]} has {busiest[1]:,} wishes on it\n")
        print(f"{'request':44s} {'wall p50':>10s} {'CPU p50':>10s} {'size':>9s}")
        for label, path, repeat in (
            ("report page", f"/insights/premises/{busiest[0]}", args.repeat),
            ("report PDF", f"/insights/premises/{busiest[0]}/report.pdf", args.repeat),
            (f"zip of {args.zip} reports (portfolio order)", "/insights/reports.zip", 1),
        ):
            wall, cpu, size = _timed(client, path, repeat)
            print(f"{label:44s} {wall:8.0f}ms {cpu:8.0f}ms {size / 1024:7.1f}KB")


if __name__ == "__main__":
    main()
