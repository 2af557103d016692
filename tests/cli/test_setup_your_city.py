"""The README's "Set up your city", run as written: from an empty database to a live map.

The commands are read from the README itself, so the section cannot drift from what works.
Each `flask --app wishmap …` line goes through the Flask CLI runner of an app on an empty
SQLite file, in a folder holding the files the section names: the real Paris open data and
the small samples of tests/data/setup_city/. `flask run` is stood in for by the test client.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

import wishmap.models  # noqa: F401  -- registers every table
from wishmap import create_app, db
from wishmap.models import AnalysisRun, Premise, Role, User

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "data" / "setup_city"
OSM_EXTRACT = ROOT / "tests" / "data" / "osm" / "helsinki.osm.pbf"
PASSWORD = "a long enough password"
PARIS_FILES = ("arrondissements.geojson", "quartiers.geojson", "voies.geojson", "commerces.geojson")


def section_blocks() -> list[list[list[str]]]:
    """Return the section's shell blocks, each as its commands split into arguments."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Set up your city\n(.*?)(?=^## )", readme, re.S | re.M)
    assert section, "README.md has no 'Set up your city' section"
    blocks = []
    for block in re.findall(r"^```sh\n(.*?)^```", section.group(1), re.S | re.M):
        commands = []
        for line in block.replace("\\\n", " ").splitlines():
            args = shlex.split(line, comments=True)
            if args:
                assert args[:3] == ["flask", "--app", "wishmap"], line
                commands.append(args[3:])
        blocks.append(commands)
    return blocks


def _app(folder: Path) -> Flask:
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'city.sqlite'}",
            "SECRET_KEY": "set-up-your-city",
            "TILE_URL": "",
            "LOG_LEVEL": "WARNING",
            "MAIL_BACKEND": "folder",
            "MAIL_OUTBOX": str(folder / "outbox"),
        }
    )
    app.instance_path = str(folder / "instance")
    return app


def _run(app: Flask, commands: list[list[str]]) -> list[str]:
    """Run each command as the shell would; return the names of the commands run."""
    runner = app.test_cli_runner()
    ran = []
    for args in commands:
        if args[0] == "run":
            continue  # the server: the test client below stands in for it
        # create-user asks for the password twice.
        typed = f"{PASSWORD}\n{PASSWORD}\n" if args[0] == "create-user" else None
        # A context of its own per command, as each shell line is a process of its own.
        with app.app_context():
            result = runner.invoke(args=args, input=typed)
        assert result.exit_code == 0, f"{shlex.join(args)}\n{result.output}"
        ran.append(args[0])
    return ran


def _bbox_of_the_map_page(app: Flask) -> tuple[str, list]:
    """Return the bbox the map page opens on (its fitBounds corners) and the corners."""
    page = app.test_client().get("/").get_data(as_text=True)
    assert "WISHMAP_MAP_CENTER" not in page
    found = re.search(
        r"\.fitBounds\(\s*\[\[([-\d.]+), ([-\d.]+)\], \[([-\d.]+), ([-\d.]+)\]\]", page
    )
    assert found, "the map does not open on the imported data"
    south, west, north, east = (float(value) for value in found.groups())
    # A little margin, as the browser's view holds the fitted bounds and more.
    bbox = f"{west - 0.001},{south - 0.001},{east + 0.001},{north + 0.001}"
    return bbox, [[south, west], [north, east]]


@pytest.mark.realdata
def test_set_up_paris_19th_as_written(
    tmp_path: Path, paris_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in PARIS_FILES:
        (tmp_path / name).symlink_to(paris_data / name)
    for sample in SAMPLES.iterdir():
        shutil.copy(sample, tmp_path / sample.name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WISHMAP_MAP_CENTER", raising=False)
    app = _app(tmp_path)
    main = section_blocks()[0]
    ran = _run(app, main)
    assert ran[:2] == ["init-db", "create-user"] and ran[-1] == "analyse"
    assert {"import-districts", "import-streets", "import-shops", "import-premises"} <= set(ran)

    bbox, corners = _bbox_of_the_map_page(app)
    answer = app.test_client().get(f"/api/premises.geojson?bbox={bbox}")
    assert answer.status_code == 200
    found = {f["properties"]["address"]: f["properties"] for f in answer.get_json()["features"]}
    # The five vacant ("vide") premises of the register in the 19th: the let ones stay off the
    # public map, and --within left out the two across the border (one of them vacant).
    assert len(found) == 5
    assert "100 Rue de Belleville, 75020 Paris" not in found
    assert found["53 Rue de Meaux, 75019 Paris"]["wishes"] == 25  # 24 bakery + 1 cheese
    assert "90 Avenue Secrétan, 75019 Paris" not in found
    with app.app_context():
        session = db.session()
        admin = session.scalar(select(User).where(User.email == "gis@city.example"))
        assert admin is not None and admin.role == Role.ADMIN.value
        assert admin.password_hash and admin.email_verified_at is not None
        # Every premise found its real street by name, and the map opens on them.
        assert session.scalar(select(func.count()).select_from(Premise)) == 8
        assert session.scalar(select(func.count()).where(Premise.street_id.is_(None))) == 0
        lats = session.scalars(select(Premise.lat)).all()
        assert corners[0][0] == min(lats) and corners[1][0] == max(lats)
        assert session.scalar(select(func.count()).select_from(AnalysisRun)) == 1
        db.close_session()


def test_set_up_from_openstreetmap_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    main, osm = section_blocks()[:2]
    shutil.copy(OSM_EXTRACT, tmp_path / "city.osm.pbf")
    monkeypatch.chdir(tmp_path)
    app = _app(tmp_path)
    # Steps 1 and 6 of the section around its OpenStreetMap step.
    first = [args for args in main if args[0] in ("init-db", "create-user")]
    last = [args for args in main if args[0] in ("analyse", "run")]
    assert _run(app, first + osm + last) == ["init-db", "create-user", "import-osm", "analyse"]
    bbox, _corners = _bbox_of_the_map_page(app)
    features = app.test_client().get(f"/api/premises.geojson?bbox={bbox}").get_json()["features"]
    assert len(features) == 9  # the extract's vacant shops
    assert "Yliopistonkatu 5" in {f["properties"]["address"] for f in features}
