"""Hostile import files through the commands, on both databases: nesting deep enough to crash
a recursive reader is refused with a reason, and a street name written as HTML reaches the
officers' map as text.
"""

from __future__ import annotations

import json
from pathlib import Path

from factories import make_user, make_wish
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_import_errors import CRIMEE, HEADER, count, refused, seeded, write
from web import log_in

from wishmap.models import Premise, Role, Street
from wishmap.services.importing import MAX_NESTING

EVIL = '<img src=x onerror="alert(1)">'


def test_deeply_nested_geojson_is_refused_by_every_import_command(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    before = seeded(runner, session, tmp_path)
    streets = count(session, Street)
    depth = 100_000
    deep = write(
        tmp_path,
        "deep.geojson",
        '{"type": "FeatureCollection", "features": [' + "[" * depth + "]" * depth + "]}",
    )
    for command in ("import-premises", "import-streets", "import-districts"):
        output = refused(runner, [command, deep])
        # Before: a RecursionError traceback.
        assert f"nested deeper than {MAX_NESTING} levels" in output, (command, output)
        assert "Traceback" not in output and "RecursionError" not in output
    assert (count(session, Premise), count(session, Street)) == (before, streets)


def test_an_imported_street_name_reaches_the_officers_map_as_text(
    app: Flask, runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    feature = {
        "type": "Feature",
        "properties": {"N_SQ_VO": "1", "L_LONGMIN": f"Rue {EVIL}"},
        "geometry": {"type": "LineString", "coordinates": CRIMEE},
    }
    streets = write(
        tmp_path,
        "streets.geojson",
        json.dumps({"type": "FeatureCollection", "features": [feature]}),
    )
    assert runner.invoke(args=["import-streets", streets]).exit_code == 0
    premises = write(tmp_path, "p.csv", HEADER + "P1,10 rue X,48.8851,2.381,40,vacant\n")
    assert runner.invoke(args=["import-premises", premises]).exit_code == 0
    premise = session.scalar(select(Premise))
    assert premise.street is not None and premise.street.name == f"Rue {EVIL}"
    make_wish(session, premise=premise)

    officer = log_in(app.test_client(), make_user(session, role=Role.OFFICER))
    response = officer.get("/statistics/map")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # The name travels in folium's JSON, where a raw "<" is \u003c and an escaped one
    # (&lt;) is \u0026lt;. Before: the tooltip got it raw, and showed it as markup.
    assert "<img src=x" not in page and "\\u003cimg src=x" not in page
    assert "Rue \\u0026lt;img src=x" in page
