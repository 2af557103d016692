"""The demo district loaded through the real importers, plus staff accounts to log in with.

Its streets, shops and quartiers are real (Paris 19th, Ville de Paris open data, ODbL); its
premises, residents and wishes are synthetic (see wishmap/demo_data.py).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from wishmap.demo_data import DEMO_DOMAIN, DemoSize, build_demo_files
from wishmap.models import Role
from wishmap.services.districts import import_districts
from wishmap.services.importing import ImportReport, read_records
from wishmap.services.premises import import_premises
from wishmap.services.residents import import_residents
from wishmap.services.shop_types import seed_shop_types
from wishmap.services.shops import import_shops
from wishmap.services.streets import import_streets
from wishmap.services.users import add_user
from wishmap.services.wishes import import_wishes

__all__ = ["DEMO_DOMAIN", "DEMO_PASSWORD", "DemoSize", "build_demo_files", "load_demo"]

DEMO_PASSWORD = "wishmap-demo"
STAFF = (
    ("resident", Role.RESIDENT, "Camille (demo resident)"),
    ("owner", Role.OWNER, "Olivier (demo owner)"),
    ("agency", Role.AGENCY, "Foncière du Quartier (demo agency)"),
    ("officer", Role.OFFICER, "Économie locale (demo officer)"),
    ("admin", Role.ADMIN, "Admin (demo)"),
)
Progress = Callable[[str], None]


def load_demo(
    session: Session, seed: int = 42, size: DemoSize | None = None, progress: Progress | None = None
) -> dict[str, ImportReport]:
    """Generate the demo district and load it through the importers; return their reports."""
    say = progress or (lambda _message: None)
    seed_shop_types(session)
    for local, role, name in STAFF:
        add_user(session, f"{local}@{DEMO_DOMAIN}", name, DEMO_PASSWORD, role, verified=True)
    session.commit()
    reports: dict[str, ImportReport] = {}
    with tempfile.TemporaryDirectory(prefix="wishmap-demo-") as tmp:
        say(f"generating the demo district (seed {seed})")
        paths = build_demo_files(Path(tmp), seed, size)
        say("importing streets")
        reports["streets"] = import_streets(session, read_records(paths["streets.geojson"]))
        say("importing premises")
        reports["premises"] = import_premises(session, read_records(paths["premises.csv"]))
        say("importing shops")
        reports["shops"] = import_shops(session, read_records(paths["shops.geojson"]))
        say("importing residents")
        # Verified, without a password: generated residents never log in, and nobody is invited.
        reports["residents"] = import_residents(
            session, read_records(paths["residents.csv"]), verified=True
        )
        say("importing wishes")
        reports["wishes"] = import_wishes(session, read_records(paths["wishes.csv"]))
        # Imported after the wishes, as a city would: the importer assigns them their quartier.
        say("importing quartiers")
        reports["quartiers"] = import_districts(
            session,
            read_records(paths["quartiers.geojson"]),
            level="quartier",
            name_field="l_qu",
            ref_field="c_qu",
        )
    return reports
