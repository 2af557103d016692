"""Districts: the importer (all or nothing, idempotent), point-in-polygon, wishes' districts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from factories import make_user, make_wish, shop_type
from flask.testing import FlaskCliRunner
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from statistics_data import district_records, square

from wishmap.models import District, WishDistrict
from wishmap.services import statistics_aggregates as live
from wishmap.services.districts import districts_of, import_districts
from wishmap.services.importing import ImportFailed, Record, read_records
from wishmap.services.wishes import create_wish


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_import_is_idempotent_by_level_and_ref(session: Session) -> None:
    report = import_districts(session, district_records(), level="quartier")
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    again = import_districts(session, district_records(), level="quartier")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    # The same refs at another level are other districts.
    import_districts(session, district_records(), level="wijk")
    assert count(session, District) == 4
    renamed = [
        Record("feature 1", {"ref": "W", "name": "Westend"}, square(2.36, 48.87, 2.38, 48.895))
    ]
    assert import_districts(session, renamed, level="wijk").updated == 1
    assert (
        session.scalar(select(District.name).where(District.level == "wijk", District.ref == "W"))
        == "Westend"
    )


def test_every_bad_feature_is_named_and_nothing_is_written(session: Session) -> None:
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    records = [
        *district_records(),
        Record(
            "feature 3",
            {"ref": "X", "name": "A point"},
            {"type": "Point", "coordinates": [2.3, 48.8]},
        ),
        Record("feature 4", {"ref": "Y"}, square(2.3, 48.8, 2.31, 48.81)),
        Record("feature 5", {"ref": "Z", "name": "Bow tie"}, bowtie),
        Record("feature 6", {"ref": "W", "name": "Twice"}, square(2.3, 48.8, 2.31, 48.81)),
        Record("feature 7", {"name": "No id"}, None, "not a GeoJSON Feature"),
    ]
    with pytest.raises(ImportFailed) as caught:
        import_districts(session, records, level="quartier")
    message = str(caught.value)
    assert "5 problems" in message
    assert "feature 3: geometry is a Point, expected a Polygon or MultiPolygon" in message
    assert "feature 4: has no name" in message
    assert "feature 5: the polygon is not valid" in message
    assert "feature 6: id 'W' already used at feature 1" in message
    assert "feature 7: not a GeoJSON Feature" in message
    session.rollback()
    assert count(session, District) == 0


def test_districts_of_arrays_of_points(session: Session) -> None:
    import_districts(session, district_records(), level="quartier")
    ids = dict(session.execute(select(District.ref, District.id)).all())
    found = districts_of(
        session, np.array([48.88, 48.88, 48.99, 48.88]), np.array([2.37, 2.39, 2.37, 2.38])
    )
    # The last point lies on the shared border: it belongs to exactly one district.
    assert list(found["quartier"][:3]) == [ids["W"], ids["E"], -1]
    assert found["quartier"][3] in (ids["W"], ids["E"])


def test_wishes_get_their_districts_before_and_after_the_import(session: Session) -> None:
    before = make_wish(session, lat=48.88, lon=2.37)
    import_districts(session, district_records(), level="quartier")
    # Made before the districts existed: the importer assigned it.
    assert session.scalar(select(WishDistrict.district_id).where(WishDistrict.wish_id == before.id))
    user = make_user(session)
    after = create_wish(session, user, shop_type(session).id, point=(48.88, 2.39))
    east = session.scalar(select(District.id).where(District.ref == "E"))
    rows = session.execute(
        select(WishDistrict.level, WishDistrict.district_id).where(WishDistrict.wish_id == after.id)
    ).all()
    assert rows == [("quartier", east)]


def test_command_with_options_and_help(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    import json

    path = tmp_path / "areas.geojson"
    features = [
        {
            "type": "Feature",
            "properties": {"code": str(i), "label": f"Area {i}", "town": town},
            "geometry": square(2.3 + i / 100, 48.8, 2.31 + i / 100, 48.81),
        }
        for i, town in enumerate(["A", "A", "B"])
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    args = [
        "import-districts",
        str(path),
        "--level",
        "wijk",
        "--name-field",
        "label",
        "--ref-field",
        "code",
    ]
    result = runner.invoke(args=[*args, "--where", "town=A"])
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output and "1 skipped (not town=A)" in result.output
    assert sorted(session.scalars(select(District.name))) == ["Area 0", "Area 1"]
    result = runner.invoke(args=[*args, "--where", "town=C"])
    assert result.exit_code == 1 and "no feature has town=C" in result.output
    result = runner.invoke(args=[*args[:2], "--name-field", "nothing"])
    assert result.exit_code == 1 and "feature 1: has no name (looked for nothing)" in result.output
    for command in ("import-districts", "assign-districts"):
        help_text = runner.invoke(args=[command, "--help"])
        assert help_text.exit_code == 0 and "Usage:" in help_text.output
    # A wish in Area 0, then its districts rewritten: the aggregates follow, as a rebuild says.
    make_wish(session, make_user(session), None, lat=48.805, lon=2.305)
    session.execute(delete(WishDistrict))
    session.commit()
    result = runner.invoke(args=["assign-districts"])
    assert result.exit_code == 0, result.output
    assert "1 wish–district links written" in result.output
    incremental = live.snapshot(session)
    live.rebuild(session)
    assert live.snapshot(session) == incremental


@pytest.mark.realdata
def test_paris_arrondissements_and_quartiers(session: Session, paris_data: Path) -> None:
    arrondissements = read_records(paris_data / "arrondissements.geojson")
    report = import_districts(
        session, arrondissements, level="arrondissement", name_field="l_aroff", ref_field="c_ar"
    )
    assert report.created == 20
    quartiers = read_records(paris_data / "quartiers.geojson")
    report = import_districts(
        session, quartiers, level="quartier", name_field="l_qu", ref_field="c_qu"
    )
    assert report.created == 80
    # A point on Rue de Crimée falls in the 19th (Buttes-Chaumont) and one of its quartiers.
    found = districts_of(session, np.array([48.8900]), np.array([2.3800]))
    arrondissement = session.get(District, int(found["arrondissement"][0]))
    assert (arrondissement.ref, arrondissement.name) == ("19", "Buttes-Chaumont")
    quartier = session.get(District, int(found["quartier"][0]))
    assert quartier.ref in {"73", "74", "75", "76"}  # the four quartiers of the 19th
    again = import_districts(
        session, arrondissements, level="arrondissement", name_field="l_aroff", ref_field="c_ar"
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 20)
    assert count(session, District) == 100


def test_demo_quartiers_cover_every_wish(session: Session) -> None:
    from wishmap.models import Wish
    from wishmap.services.demo import DemoSize, load_demo

    reports = load_demo(
        session, seed=3, size=DemoSize(premises=40, shops=40, residents=60, wishes=200)
    )
    assert reports["quartiers"].created == 6  # the real quartiers the demo area touches
    assert count(session, WishDistrict) == count(session, Wish) > 0
