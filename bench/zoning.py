"""What zoning costs: importing Paris's PLU layer, linking premises, forbidden_types for a page.

    .venv/bin/python -m bench.zoning [--premises 5000] [--database-url URL]

Imports ../shared/data/paris/plu_protection_commerciale.geojson (4,867 segments) into a
temporary SQLite database (or the given empty database), places the premises at addresses of
the layer's blocks (every other one on a protected number, the rest on a number outside the
block, so half are protected), half of them managed by an agency that excludes three types,
then times link_premises() for all of them and forbidden_types() for all their ids at once,
as a 5,000-row portfolio page asks. Prints the figures; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, insert, select

import wishmap.models  # noqa: F401  -- registers every table
from wishmap import ROOT, create_app, db
from wishmap.db import Base
from wishmap.models import Premise, PremiseZone, Role, User
from wishmap.services.exclusions import set_exclusions
from wishmap.services.importing import read_records
from wishmap.services.recommendations import forbidden_types
from wishmap.services.shop_types import seed_shop_types
from wishmap.services.zoning import import_zoning, link_premises

LAYER = ROOT.parent / "shared" / "data" / "paris" / "plu_protection_commerciale.geojson"


def _premises(records: list, count: int, agency_id: int) -> list[dict]:
    rows = []
    numbered = [
        record
        for record in records
        if record.props.get("N_VO_ADDG") and record.props.get("N_VO_ADFG")
    ]
    for index in range(count):
        record = numbered[index % len(numbered)]
        (lon1, lat1), (lon2, lat2) = record.geometry["coordinates"][:2]
        number = int(record.props["N_VO_ADDG"]) + (0 if index % 2 == 0 else 1000)
        street = record.props["NOM_VOIE"]
        rows.append(
            {
                "ref": f"B-{index}",
                "address": f"{number} {street}",
                "street_name": street,
                "lat": (lat1 + lat2) / 2 + 0.00007,  # 8 m off the street's axis
                "lon": (lon1 + lon2) / 2,
                "status": "vacant",
                "manager_id": agency_id if index % 2 == 0 else None,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--premises", type=int, default=5000)
    parser.add_argument("--database-url", help="an empty database (default: temporary SQLite)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="wishmap-bench-zoning-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite'}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING"})
    figures: dict[str, float | int] = {"premises": args.premises}
    with app.app_context():
        Base.metadata.create_all(db.engine())
        session = db.session()
        seed_shop_types(session)
        agency = User(email="agency@bench.example", display_name="Agency", role=Role.AGENCY.value)
        session.add(agency)
        session.commit()
        set_exclusions(session, agency, ["mobile_phone", "bar", "fitness_centre"])

        records = read_records(LAYER)
        session.execute(insert(Premise), _premises(records, args.premises, agency.id))
        session.commit()
        started = time.perf_counter()
        report = import_zoning(session, records)
        figures["import_and_link_s"] = round(time.perf_counter() - started, 2)
        figures["zones"] = report.created

        started = time.perf_counter()
        figures["links"] = link_premises(session)
        session.commit()
        figures["link_all_s"] = round(time.perf_counter() - started, 3)
        figures["protected_premises"] = session.scalar(
            select(func.count(func.distinct(PremiseZone.premise_id)))
        )

        ids = list(session.scalars(select(Premise.id)))
        timings = []
        for _ in range(15):
            session.expire_all()
            started = time.perf_counter()
            forbidden = forbidden_types(session, ids)
            timings.append(time.perf_counter() - started)
        # The machine may be shared: the fastest run is the cost, the median what a page met.
        figures["forbidden_types_ms_min"] = round(min(timings) * 1000, 1)
        figures["forbidden_types_ms_median"] = round(statistics.median(timings) * 1000, 1)
        figures["forbidden_types_ms_max"] = round(max(timings) * 1000, 1)
        figures["premises_with_forbidden_types"] = len(forbidden)
        db.close_session()
    for key, value in figures.items():
        print(f"{key:32} {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
