"""The flask commands: imports from files, the demo district, schema checks."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap.models import Premise, Shop, Street, User, Wish
from wishmap.services.demo import DemoSize, build_demo_files


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_import_premises_bad_row_exits_nonzero_and_changes_nothing(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    good = tmp_path / "good.csv"
    good.write_text("ref,address,lat,lon,surface_m2,status\nP1,1 Rue A,48.88,2.38,50,vide\n")
    result = runner.invoke(args=["import-premises", str(good)])
    assert result.exit_code == 0, result.output
    assert "premises: 1 created, 0 updated, 0 unchanged" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "ref,address,lat,lon,surface_m2,status\nP1,1 Rue A,48.88,2.38,55,vide\n"
        "P2,2 Rue A,48.88,2.38,cinquante,vide\nP3,3 Rue A,48.88,2.38,40,vide\n"
    )
    result = runner.invoke(args=["import-premises", str(bad)])
    assert result.exit_code == 1
    assert "line 3: surface 'cinquante' is not a number" in result.output
    assert "nothing imported" in result.output
    session.expire_all()
    assert count(session, Premise) == 1
    assert session.scalar(select(Premise.surface_m2)) == 50


def test_import_help_texts(runner: FlaskCliRunner) -> None:
    for command in (
        "import-premises",
        "import-streets",
        "import-shops",
        "import-wishes",
        "demo",
        "init-db",
        "check-db",
    ):
        result = runner.invoke(args=[command, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, command


def test_demo_files_load_through_importers(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    """A small demo district loaded file by file through the import commands is complete."""
    size = DemoSize(premises=60, shops=80, residents=120, wishes=400)
    paths = build_demo_files(tmp_path, seed=7, size=size)
    from wishmap.services.users import add_user

    for line in paths["residents.csv"].read_text().splitlines()[1:]:
        email, name = line.split(",", 1)
        add_user(session, email, name, None)
    for local in ("owner", "agency"):
        add_user(session, f"{local}@demo.wishmap.example", local, None)
    session.commit()
    for command, name in (
        ("import-streets", "streets.geojson"),
        ("import-premises", "premises.csv"),
        ("import-shops", "shops.geojson"),
        ("import-wishes", "wishes.csv"),
    ):
        result = runner.invoke(args=[command, str(paths[name])])
        assert result.exit_code == 0, result.output
    assert count(session, Street) == 157  # the real streets of the demo's part of Paris 19th
    assert count(session, Premise) == 60
    assert count(session, Shop) == 29  # its real shops; 6 of category "Autre" are skipped
    wishes = count(session, Wish)
    assert 300 < wishes < 500
    # Idempotent: the same wishes again change nothing.
    result = runner.invoke(args=["import-wishes", str(paths["wishes.csv"])])
    assert f"0 created, 0 updated, {wishes} unchanged" in result.output
    assert count(session, Wish) == wishes
    # Every premise found its street by name; every free wish its nearest street.
    assert session.scalar(select(func.count()).where(Premise.street_id.is_(None))) == 0
    assert session.scalar(select(func.count()).where(Wish.street_id.is_(None))) == 0
    assert count(session, User) == 122


def test_import_streets_within_unknown_area_is_refused(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    areas = tmp_path / "areas.geojson"
    areas.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"c_ar": 19},'
        ' "geometry": {"type": "Polygon", "coordinates": [[[2.37, 48.87], [2.41, 48.87],'
        " [2.41, 48.90], [2.37, 48.87]]]}}]}"
    )
    streets = tmp_path / "streets.geojson"
    streets.write_text('{"type": "FeatureCollection", "features": []}')
    result = runner.invoke(
        args=["import-streets", str(streets), "--within", str(areas), "--where", "c_ar=20"]
    )
    assert result.exit_code == 1
    assert "--where: no area has c_ar=20" in result.output
    assert count(session, Street) == 0
