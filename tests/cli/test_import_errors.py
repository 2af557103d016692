"""Bad import files through the commands: a clear message, exit status 1, nothing changed.

Warnings (no streets yet, a point far from every street) import the file and say so.
"""

from __future__ import annotations

import json
from pathlib import Path

from factories import make_street
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap.models import District, Premise, Shop, Street

HEADER = "ref,address,lat,lon,surface_m2,status\n"
# Rue de Crimée, Paris 19th, from 2.380 to 2.382 E along 48.885 N.
CRIMEE = [[2.380, 48.885], [2.382, 48.885]]


def count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


def seeded(runner: FlaskCliRunner, session: Session, tmp_path: Path) -> int:
    """Import one good premise on a street, so that 'nothing changed' means something."""
    make_street(session, name="Rue de Crimée", coordinates=CRIMEE)
    result = runner.invoke(
        args=[
            "import-premises",
            write(tmp_path, "good.csv", HEADER + "P0,10 rue de Crimée,48.8851,2.381,40,vacant\n"),
        ]
    )
    assert result.exit_code == 0, result.output
    return count(session, Premise)


def refused(runner: FlaskCliRunner, args: list[str]) -> str:
    result = runner.invoke(args=args)
    assert result.exit_code == 1, result.output
    assert "nothing imported" in result.output
    return result.output


def test_no_status_column_is_an_error_unless_status_given(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    before = seeded(runner, session, tmp_path)
    path = write(tmp_path, "p.csv", "ref,address,lat,lon\nP1,12 rue de Crimée,48.8851,2.3805\n")
    output = refused(runner, ["import-premises", path])
    assert "file: has no status column" in output
    assert "--status vacant|let|opened" in output
    assert count(session, Premise) == before
    result = runner.invoke(args=["import-premises", path, "--status", "let"])
    assert result.exit_code == 0, result.output
    premise = session.scalar(select(Premise).where(Premise.ref == "P1"))
    assert premise.status == "let" and premise.street.name == "Rue de Crimée"


def test_unknown_status_is_named_and_can_be_mapped(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    before = seeded(runner, session, tmp_path)
    rows = "".join(
        f"P{n},{n} rue de Crimée,48.8851,2.381,40,{status}\n"
        for n, status in enumerate(["leegstand", "gesloten", "verhuurd", "Occupé", "filled"], 1)
    )
    path = write(tmp_path, "p.csv", HEADER + rows)
    output = refused(runner, ["import-premises", path])
    assert "line 3: status 'gesloten' is not one of vacant, let, opened" in output
    assert "--map-value status:gesloten=let" in output
    assert "1 problem," in output  # leegstand, verhuurd, Occupé and filled are understood
    assert count(session, Premise) == before
    result = runner.invoke(args=["import-premises", path, "--map-value", "status:Gesloten=let"])
    assert result.exit_code == 0, result.output
    statuses = dict(session.execute(select(Premise.ref, Premise.status)).all())
    assert statuses == {
        "P0": "vacant",
        "P1": "vacant",
        "P2": "let",
        "P3": "let",
        "P4": "let",
        "P5": "let",
    }


def test_mapping_file_renames_columns_and_values(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    seeded(runner, session, tmp_path)
    path = write(
        tmp_path,
        "register.csv",
        "pand_id;straatnaam;huisnummer;adres;breedtegraad;lengtegraad;toestand\n"
        "R1;Rue de Crimée;12;12 rue de Crimée;48,8851;2,3805;Te koop of te huur\n",
    )
    mapping = write(
        tmp_path,
        "mapping.json",
        json.dumps(
            {
                "columns": {"pand_id": "ref", "toestand": "status"},
                "values": {"status": {"te koop of te huur": "vacant"}},
            }
        ),
    )
    result = runner.invoke(args=["import-premises", path, "--mapping", mapping])
    assert result.exit_code == 0, result.output
    premise = session.scalar(select(Premise).where(Premise.ref == "R1"))
    assert (premise.status, premise.lat) == ("vacant", 48.8851)
    typo = refused(runner, ["import-premises", path, "--map-column", "toestandd=status"])
    assert "--map-column: the file has no column 'toestandd'" in typo


def test_duplicate_ids_are_named(runner: FlaskCliRunner, session: Session, tmp_path: Path) -> None:
    before = seeded(runner, session, tmp_path)
    rows = "P1,1 rue de Crimée,48.8851,2.381,40,vide\nP1,3 rue de Crimée,48.8851,2.381,40,vide\n"
    output = refused(runner, ["import-premises", write(tmp_path, "p.csv", HEADER + rows)])
    assert "line 3: id 'P1' already used at line 2" in output
    assert count(session, Premise) == before


def test_premises_without_streets_are_imported_with_a_warning(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    assert count(session, Street) == 0
    path = write(tmp_path, "p.csv", HEADER + "P1,12 rue de Crimée,48.8851,2.3805,40,vacant\n")
    result = runner.invoke(args=["import-premises", path])
    assert result.exit_code == 0, result.output
    assert "warning: the database has no streets yet" in result.output
    assert "import streets first" in result.output
    assert session.scalar(select(Premise.street_id)) is None
    assert count(session, Premise) == 1


def test_point_far_from_every_street_gets_no_street_and_is_counted(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    before = seeded(runner, session, tmp_path)
    # 1.1 km north of Rue de Crimée: named after it, but nowhere near it.
    rows = (
        "P1,12 rue de Crimée,48.8851,2.3805,40,vacant\n"
        "P2,14 rue de Crimée,48.8950,2.3805,40,vacant\n"
    )
    path = write(tmp_path, "p.csv", HEADER + rows)
    result = runner.invoke(args=["import-premises", path])
    assert result.exit_code == 0, result.output
    assert "1 without a street (none within 150 m)" in result.output
    assert "ref P2" in result.output
    streets = dict(session.execute(select(Premise.ref, Premise.street_id)).all())
    assert streets["P1"] is not None and streets["P2"] is None
    assert count(session, Premise) == before + 2
    result = runner.invoke(args=["import-premises", path, "--max-street-distance", "2000"])
    assert "0 created, 1 updated" in result.output
    assert session.scalar(select(Premise.street_id).where(Premise.ref == "P2")) is not None


def test_non_utf8_file_is_refused_with_the_encoding_named(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    before = seeded(runner, session, tmp_path)
    text = HEADER + "P1,12 rue de Crimée,48.8851,2.3805,40,occupé\n"
    path = write(tmp_path, "latin1.csv", text.encode("cp1252"))
    output = refused(runner, ["import-premises", path])
    assert "line 2: the file is not UTF-8 (byte 0xe9)" in output
    assert "'P1,12 rue de Crimée,48.8851,2.3805,40,occupé'" in output
    assert "--encoding cp1252" in output
    assert count(session, Premise) == before
    result = runner.invoke(args=["import-premises", path, "--encoding", "cp1252"])
    assert result.exit_code == 0, result.output
    premise = session.scalar(select(Premise).where(Premise.ref == "P1"))
    assert (premise.address, premise.status) == ("12 rue de Crimée", "let")
    wrong = refused(runner, ["import-premises", path, "--encoding", "klingon"])
    assert "--encoding: unknown encoding 'klingon'" in wrong


def test_empty_files_are_refused(runner: FlaskCliRunner, session: Session, tmp_path: Path) -> None:
    before = seeded(runner, session, tmp_path)
    empty = write(tmp_path, "empty.csv", "")
    assert "file: the file is empty" in refused(runner, ["import-premises", empty])
    header = write(tmp_path, "header.csv", HEADER)
    assert "the file has a header line but no rows" in refused(runner, ["import-premises", header])
    no_features = write(tmp_path, "shops.geojson", '{"type": "FeatureCollection", "features": []}')
    assert "the FeatureCollection has no features" in refused(runner, ["import-shops", no_features])
    assert count(session, Premise) == before
    assert count(session, Shop) == 0


def test_error_report_counts_per_reason_and_shows_the_first_rows(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    before = seeded(runner, session, tmp_path)
    rows = "".join(f"B{n},{n} rue de Crimée,48.8851,2.381,big,vacant\n" for n in range(12))
    rows += "C1,1 rue de Crimée,48.8851,2.381,40,closed\nC2,2 rue de Crimée,91,2.381,40,vacant\n"
    output = refused(runner, ["import-premises", write(tmp_path, "p.csv", HEADER + rows)])
    assert "14 problems, nothing imported" in output
    assert "12 × surface … is not a number" in output
    assert "line 2: surface 'big' is not a number" in output
    assert "line 6: surface 'big' is not a number" in output
    assert "line 7:" not in output  # only the first five of a reason
    assert "… and 7 more" in output
    assert "line 14: status 'closed'" in output
    assert "line 15: position 91.0, 2.381 is not a WGS84" in output
    assert count(session, Premise) == before


def test_shops_csv_with_lat_lon_and_building_outlines(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    make_street(session, name="Rue de Crimée", coordinates=CRIMEE)
    csv_path = write(
        tmp_path,
        "shops.csv",
        "id;nom;type_de_commerce;adresse;latitude;longitude\n"
        "S1;Au Bon Pain;Boulangerie;12 rue de Crimée;48,8851;2,3805\n"
        "S2;Chez Max;Boucherie;14 rue de Crimée;48.8852;2.3810\n",
    )
    result = runner.invoke(args=["import-shops", csv_path])
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output
    building = {
        "type": "Feature",
        "properties": {"@id": "way/77", "shop": "bakery", "addr:street": "Rue de Crimée"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[2.3812, 48.8851], [2.3815, 48.8851], [2.3815, 48.8853], [2.3812, 48.8851]]
            ],
        },
    }
    geojson_path = write(
        tmp_path, "osm.geojson", json.dumps({"type": "FeatureCollection", "features": [building]})
    )
    result = runner.invoke(args=["import-shops", geojson_path])
    assert result.exit_code == 0, result.output
    shop = session.scalar(select(Shop).where(Shop.ref == "way/77"))
    assert 2.3812 < shop.lon < 2.3815 and 48.8851 < shop.lat < 48.8853
    crimee = session.scalar(select(Street.id).where(Street.name == "Rue de Crimée"))
    assert shop.street_id == crimee
    assert count(session, Shop) == 3


def test_shops_xy_columns_read_with_a_note_or_refused_when_projected(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    make_street(session, name="Rue de Crimée", coordinates=CRIMEE)
    degrees = write(tmp_path, "xy.csv", "id,shop,x,y\nS1,bakery,2.3805,48.8851\n")
    result = runner.invoke(args=["import-shops", degrees])
    assert result.exit_code == 0, result.output
    assert "warning: positions read from x/y columns as longitude/latitude" in result.output
    metres = write(tmp_path, "l93.csv", "id,shop,x,y\nS2,bakery,654321.5,6866543.2\n")
    output = refused(runner, ["import-shops", metres])
    assert "look like projected coordinates in metres" in output
    assert count(session, Shop) == 1


AREA = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"c_ar": 19},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[2.37, 48.87], [2.41, 48.87], [2.41, 48.90], [2.37, 48.90], [2.37, 48.87]]
                ],
            },
        },
        {
            "type": "Feature",
            "properties": {"c_ar": 20},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[2.37, 48.85], [2.41, 48.85], [2.41, 48.87], [2.37, 48.87], [2.37, 48.85]]
                ],
            },
        },
    ],
}


def test_within_keeps_rows_inside_the_area_on_every_import(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    area = write(tmp_path, "arrondissements.geojson", json.dumps(AREA))
    within = ["--within", area, "--where", "c_ar=19"]
    inside, outside = "48.8851,2.3805", "48.8600,2.3805"  # the 19th, the 20th
    premises = write(
        tmp_path, "p.csv", HEADER + f"P1,1 rue A,{inside},40,vacant\nP2,2 rue B,{outside},40,let\n"
    )
    result = runner.invoke(args=["import-premises", premises, *within])
    assert result.exit_code == 0, result.output
    assert "1 created, 0 updated, 0 unchanged; 1 skipped (outside the area)" in result.output
    shops = write(tmp_path, "s.csv", f"id,shop,lat,lon\nS1,bakery,{inside}\nS2,bakery,{outside}\n")
    result = runner.invoke(args=["import-shops", shops, *within])
    assert "1 skipped (outside the area)" in result.output
    quartiers = {
        "type": "FeatureCollection",
        "features": [
            {**feature, "properties": {"c_qu": str(n), "l_qu": f"Quartier {n}"}}
            for n, feature in enumerate(AREA["features"], 1)
        ],
    }
    path = write(tmp_path, "quartiers.geojson", json.dumps(quartiers))
    result = runner.invoke(
        args=[
            "import-districts",
            path,
            "--level",
            "quartier",
            "--within",
            area,
            "--where",
            "c_ar=19",
        ]
    )
    assert result.exit_code == 0, result.output
    assert list(session.scalars(select(District.name))) == ["Quartier 1"]
    assert count(session, Premise) == 1 and count(session, Shop) == 1


def test_osm_style_premises_use_addr_tags_and_vacancy_tags(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    make_street(session, name="Rue de Crimée", coordinates=CRIMEE)
    features = [
        {
            "type": "Feature",
            "properties": {
                "@id": "node/1",
                "disused:shop": "butcher",
                "addr:housenumber": "12",
                "addr:street": "Rue de Crimée",
            },
            "geometry": {"type": "Point", "coordinates": [2.3805, 48.8851]},
        },
        {
            "type": "Feature",
            "properties": {"@id": "node/2", "shop": "vacant", "addr:street": "Rue de Crimée"},
            "geometry": {"type": "Point", "coordinates": [2.381, 48.8851]},
        },
    ]
    path = write(
        tmp_path, "vacant.geojson", json.dumps({"type": "FeatureCollection", "features": features})
    )
    result = runner.invoke(args=["import-premises", path])
    assert result.exit_code == 0, result.output
    premises = {p.ref: p for p in session.scalars(select(Premise))}
    assert premises["node/1"].address == "12 Rue de Crimée"
    assert premises["node/1"].status == premises["node/2"].status == "vacant"
    assert premises["node/1"].street.name == "Rue de Crimée"


def test_within_leaves_out_free_wishes_outside_the_area(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    from factories import make_user, shop_type

    from wishmap.models import Wish

    make_street(session, name="Rue de Crimée", coordinates=CRIMEE)
    make_user(session, email="ana@example.org")
    shop_type(session, "bakery")  # seeds the taxonomy
    area = write(tmp_path, "arrondissements.geojson", json.dumps(AREA))
    wishes = write(
        tmp_path,
        "wishes.csv",
        "email,shop_type,lat,lon\n"
        "ana@example.org,bakery,48.8851,2.3805\n"
        "ana@example.org,butcher,48.8600,2.3805\n",
    )
    result = runner.invoke(args=["import-wishes", wishes, "--within", area, "--where", "c_ar=19"])
    assert result.exit_code == 0, result.output
    assert "wishes: 1 rows outside the area left out" in result.output
    assert count(session, Wish) == 1


def test_vacancy_flag_column_gives_the_status(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    """A storefront register flags vacancy yes/no instead of naming a status."""
    seeded(runner, session, tmp_path)
    path = write(
        tmp_path,
        "winkelpanden.csv",
        "id;adres;lat;lon;Leegstand\n"
        "W1;Rue de Crimée 12;48,8851;2,3805;ja\n"
        "W2;Rue de Crimée 14;48,8851;2,3807;nee\n"
        "W3;Rue de Crimée 16;48,8851;2,3809;misschien\n",
    )
    output = refused(runner, ["import-premises", path])
    assert "line 4: vacancy flag 'misschien' is neither yes nor no" in output
    fixed = path.replace("winkelpanden", "winkelpanden2")
    Path(fixed).write_text(Path(path).read_text().replace("misschien", "Ja"))
    result = runner.invoke(args=["import-premises", fixed])
    assert result.exit_code == 0, result.output
    statuses = dict(session.execute(select(Premise.ref, Premise.status)).all())
    assert (statuses["W1"], statuses["W2"], statuses["W3"]) == ("vacant", "let", "vacant")
    # "Rue de Crimée 12": the number after the street, and the street found by name.
    premise = session.scalar(select(Premise).where(Premise.ref == "W1"))
    assert premise.street_name == "Rue de Crimée" and premise.street_id is not None


def test_where_without_within_is_refused(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    # It used to be ignored: all rows imported where the reader asked for one area.
    before = seeded(runner, session, tmp_path)
    path = write(tmp_path, "p.csv", HEADER + "P1,12 rue de Crimée,48.8851,2.3812,40,vacant\n")
    output = refused(runner, ["import-premises", path, "--where", "c_ar=19"])
    assert "--where needs --within" in output
    assert count(session, Premise) == before
