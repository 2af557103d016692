"""Importers: all or nothing, named bad rows, idempotent by external id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from factories import make_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap.models import Premise, Shop, Street
from wishmap.services.importing import ImportFailed, read_records
from wishmap.services.premises import import_premises
from wishmap.services.shops import import_shops
from wishmap.services.streets import import_streets

PREMISES_CSV = """ref,address,street,lat,lon,surface_m2,rent,status,vacant_since
A1,12 Rue de Crimée,Rue de Crimée,48.8850,2.3800,"62,5",1800,vacant,2025-03-01
A2,14 Rue de Crimée,Rue de Crimée,48.8851,2.3802,45,1200,let,
A3,3 Rue de l'Ourcq,Rue de l'Ourcq,48.8870,2.3790,80,2100,vide,
"""


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def streets_file(tmp_path: Path, features: list[dict]) -> Path:
    return write(
        tmp_path, "streets.geojson", json.dumps({"type": "FeatureCollection", "features": features})
    )


def street(ref: str, name: str, geometry: dict) -> dict:
    return {
        "type": "Feature",
        "properties": {"N_SQ_VO": ref, "L_LONGMIN": name},
        "geometry": geometry,
    }


CRIMEE = street(
    "1", "Rue de Crimée", {"type": "LineString", "coordinates": [[2.379, 48.885], [2.381, 48.8852]]}
)
OURCQ = street(
    "2",
    "Rue de l'Ourcq",
    {
        "type": "MultiLineString",
        "coordinates": [[[2.378, 48.887], [2.379, 48.887]], [[2.3795, 48.887], [2.381, 48.887]]],
    },
)


def test_premises_csv_lands_whole_and_links_streets(session: Session, tmp_path: Path) -> None:
    import_streets(session, read_records(streets_file(tmp_path, [CRIMEE, OURCQ])))
    report = import_premises(session, read_records(write(tmp_path, "p.csv", PREMISES_CSV)))
    assert (report.created, report.updated) == (3, 0)
    a1 = session.scalar(select(Premise).where(Premise.ref == "A1"))
    assert a1.surface_m2 == 62.5 and a1.status == "vacant" and a1.street.name == "Rue de Crimée"
    a3 = session.scalar(select(Premise).where(Premise.ref == "A3"))
    assert a3.status == "vacant"  # "vide" is French for vacant
    assert a3.street.name == "Rue de l'Ourcq"


def test_reimport_updates_never_duplicates(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", PREMISES_CSV)
    import_premises(session, read_records(path))
    again = import_premises(session, read_records(path))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    changed = write(tmp_path, "p2.csv", PREMISES_CSV.replace("1800", "1900"))
    report = import_premises(session, read_records(changed))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert count(session, Premise) == 3


def test_one_bad_row_changes_nothing_and_is_named(session: Session, tmp_path: Path) -> None:
    import_premises(session, read_records(write(tmp_path, "p.csv", PREMISES_CSV)))
    bad = """ref,address,street,lat,lon,surface_m2,rent,status,vacant_since
A1,12 Rue de Crimée,Rue de Crimée,48.8850,2.3800,62.5,1).,vacant,
A2,14 Rue de Crimée,Rue de Crimée,48.8851,2.3802,-4,1200,let,
A4,9 Rue de Crimée,,91.0,2.38,40,900,vacant,
A5,10 Rue de Crimée,,48.885,2.38,40,900,closed,2025-13-01
A6,11 Rue de Crimée,,48.885,2.38,40,900,vacant,
"""
    with pytest.raises(ImportFailed) as failure:
        import_premises(session, read_records(write(tmp_path, "bad.csv", bad)))
    message = str(failure.value)
    assert "line 2: rent '1).' is not a number" in message
    assert "line 3: surface must be greater than 0" in message
    assert "line 4: position 91.0, 2.38 is not a WGS84 latitude/longitude" in message
    assert "line 5: status 'closed' is not one of vacant, let, opened nor a word" in message
    assert "--map-value status:closed=let; vacant_since '2025-13-01' is not a date" in message
    assert "line 6" not in message
    assert "nothing imported" in message
    session.rollback()
    assert count(session, Premise) == 3
    assert session.scalar(select(Premise.rent_eur_month).where(Premise.ref == "A1")) == 1800


def test_duplicate_ref_in_file_is_an_error(session: Session, tmp_path: Path) -> None:
    doubled = PREMISES_CSV + "A1,99 Rue de Crimée,,48.885,2.38,30,500,vacant,\n"
    with pytest.raises(ImportFailed, match="line 5: id 'A1' already used at line 2"):
        import_premises(session, read_records(write(tmp_path, "dup.csv", doubled)))
    assert count(session, Premise) == 0


def test_unknown_manager_is_named(session: Session, tmp_path: Path) -> None:
    make_user(session, role="agency", email="agency@example.org")
    text = (
        "ref,address,lat,lon,manager,status\nM1,1 Rue X,48.88,2.38,agency@example.org,vacant\n"
        "M2,2 Rue X,48.88,2.38,nobody@example.org,vacant\n"
    )
    with pytest.raises(ImportFailed, match=r"line 3: manager 'nobody@example\.org' has no account"):
        import_premises(session, read_records(write(tmp_path, "m.csv", text)))
    import_premises(
        session,
        read_records(
            write(tmp_path, "m.csv", text.splitlines()[0] + "\n" + text.splitlines()[1] + "\n")
        ),
    )
    assert session.scalar(select(Premise)).manager.email == "agency@example.org"


def test_streets_geojson_validated_and_named(session: Session, tmp_path: Path) -> None:
    broken = street("3", "Rue Cassée", {"type": "LineString", "coordinates": [[2.38, 48.88]]})
    point = street("4", "Place", {"type": "Point", "coordinates": [2.38, 48.88]})
    nameless = {"type": "Feature", "properties": {"N_SQ_VO": "5"}, "geometry": CRIMEE["geometry"]}
    with pytest.raises(ImportFailed) as failure:
        import_streets(
            session, read_records(streets_file(tmp_path, [CRIMEE, broken, OURCQ, point, nameless]))
        )
    errors = {error.where: error.reason for error in failure.value.errors}
    assert set(errors) == {"feature 2", "feature 4", "feature 5"}
    assert "invalid LineString" in errors["feature 2"]
    assert "expected a LineString or MultiLineString" in errors["feature 4"]
    assert "has no street name" in errors["feature 5"]
    assert count(session, Street) == 0


def test_streets_multilinestring_length(session: Session, tmp_path: Path) -> None:
    report = import_streets(session, read_records(streets_file(tmp_path, [CRIMEE, OURCQ])))
    assert report.created == 2
    ourcq = session.scalar(select(Street).where(Street.ref == "2"))
    # 0.001° + 0.0015° of longitude at 48.887°N ≈ 73.3 m + 110.0 m
    assert ourcq.length_m == pytest.approx(183.3, abs=1.0)


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "s.geojson", '{"type": "FeatureCollection",\n "features": [}\n')
    with pytest.raises(ImportFailed, match="line 2: not valid JSON"):
        read_records(path)


OSM_SHOPS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"@id": "node/1", "shop": "bakery", "name": "Au Bon Pain"},
            "geometry": {"type": "Point", "coordinates": [2.38, 48.885]},
        },
        {
            "type": "Feature",
            "id": "c-2",
            "properties": {"type_de_commerce": "Épicerie fine", "nom_du_commerce": "Chez Nous"},
            "geometry": {"type": "Point", "coordinates": [2.381, 48.885]},
        },
        {
            "type": "Feature",
            "properties": {"@id": "node/3", "amenity": "pharmacy"},
            "geometry": {"type": "Point", "coordinates": [2.382, 48.885]},
        },
        {
            "type": "Feature",
            "id": "c-4",
            "properties": {"type_de_commerce": "Autre"},
            "geometry": {"type": "Point", "coordinates": [2.383, 48.885]},
        },
    ],
}


def test_shops_from_osm_tags_and_city_categories(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, "shops.geojson", json.dumps(OSM_SHOPS, ensure_ascii=False))
    report = import_shops(session, read_records(path))
    assert report.created == 3
    assert report.skipped == {"category 'Autre' names no shop type": 1}
    codes = {shop.ref: shop.shop_type.code for shop in session.scalars(select(Shop))}
    assert codes == {"node/1": "bakery", "c-2": "deli", "node/3": "pharmacy"}


def test_unknown_shop_category_fails_unless_skipped(session: Session, tmp_path: Path) -> None:
    data = json.loads(json.dumps(OSM_SHOPS))
    data["features"][2]["properties"] = {"@id": "node/3", "shop": "tattoo_removal"}
    path = write(tmp_path, "shops.geojson", json.dumps(data))
    with pytest.raises(ImportFailed, match="feature 3: category 'tattoo_removal' matches no"):
        import_shops(session, read_records(path))
    assert count(session, Shop) == 0
    report = import_shops(session, read_records(path), skip_unknown=True)
    assert report.created == 2 and report.skipped["unknown category 'tattoo_removal'"] == 1
