"""Starting the app (every web worker, every `flask` command) leaves out what only some pages
need: folium and requests (map pages), Authlib (log-in through a provider, when configured),
and the scrypt hash checked against unknown e-mail addresses (first log-in)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = """
import json, sys
from wishmap import create_app
from wishmap.services import users

create_app({"SECRET_KEY": "startup", "DATABASE_URL": "sqlite://"})
heavy = ("folium", "branca", "requests", "authlib", "weasyprint", "openpyxl", "sklearn")
print(json.dumps({
    "imported": sorted(name for name in heavy if name in sys.modules),
    "hashes": users._dummy_hash.cache_info().currsize,
}))
"""


def test_create_app_imports_no_page_specific_library_and_hashes_nothing() -> None:
    # A fresh interpreter: the test session itself has imported everything long ago.
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {"imported": [], "hashes": 0}


def test_the_dummy_hash_is_computed_once_and_checks_like_a_password() -> None:
    from werkzeug.security import check_password_hash

    from wishmap.services.users import _dummy_hash

    assert _dummy_hash() is _dummy_hash()
    assert _dummy_hash().startswith("scrypt:")
    assert check_password_hash(_dummy_hash(), "not-a-password")


MAP_DATA_SCRIPT = """
import json, sys
from wishmap import create_app, db
from wishmap.db import Base

app = create_app({"SECRET_KEY": "startup", "DATABASE_URL": "sqlite:///" + sys.argv[1]})
with app.app_context():
    Base.metadata.create_all(db.engine())
answer = app.test_client().get("/api/premises.geojson?bbox=2.37,48.87,2.39,48.89")
print(json.dumps({
    "status": answer.status_code,
    "imported": sorted(name for name in ("folium", "branca") if name in sys.modules),
}))
"""


def test_the_map_data_answer_imports_no_folium(tmp_path: Path) -> None:
    # Each web worker's first map data request imported folium for the demand classes alone
    # (about a second of CPU, paid again by every restarted worker).
    done = subprocess.run(
        [sys.executable, "-c", MAP_DATA_SCRIPT, str(tmp_path / "map.sqlite")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"status": 200, "imported": []}
