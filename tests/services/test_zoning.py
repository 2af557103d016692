"""Zoning: importing protected frontages, linking premises to them, and the uses they forbid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from factories import make_premise, make_street, make_user, shop_type
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap.models import AuditEntry, PremiseZone, Role, ZoningArea
from wishmap.services.exclusions import ExclusionError, set_exclusions
from wishmap.services.importing import ImportFailed, geojson_records, read_records
from wishmap.services.recommendations import forbidden_types
from wishmap.services.zoning import (
    import_zoning,
    link_premises,
    premise_protection,
)
from wishmap.zoning_rules import CRAFT_TYPES, ZONING_CLASSES

# Rue de Test runs east–west along latitude 48.88; 0.0001° of latitude is about 11 m.
AXIS = [[2.3800, 48.8800], [2.3900, 48.8800]]


def paris_like(features: list[dict[str, Any]]) -> list:
    """Records of a layer shaped like Paris's PLU file (flag columns, numbers per side)."""
    collection = {"type": "FeatureCollection", "features": []}
    for number, props in enumerate(features, start=1):
        properties = {
            "N_SQ_PCA": float(number),
            "PCA": "O",
            "PRCA": "N",
            "PPA": "N",
            "NOM_VOIE": "Rue de Test",
            "N_VO_ADDG": 1.0,
            "N_VO_ADFG": 19.0,
            "N_VO_ADDD": 2.0,
            "N_VO_ADFD": 20.0,
        }
        geometry = props.pop("geometry", {"type": "LineString", "coordinates": AXIS})
        properties.update(props)
        collection["features"].append(
            {"type": "Feature", "properties": properties, "geometry": geometry}
        )
    return geojson_records(json.dumps(collection))


@pytest.fixture(autouse=True)
def taxonomy(session: Session) -> None:
    """The shop types, as every installation has them."""
    shop_type(session)


def type_ids(session: Session, *codes: str) -> list[int]:
    return [shop_type(session, code).id for code in codes]


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_craft_frontage_forbids_every_non_craft_type(session: Session) -> None:
    make_street(session, "Rue de Test", AXIS)
    bakery, grocery, restaurant = type_ids(session, "bakery", "convenience", "restaurant")
    on_frontage = make_premise(session, address="12 Rue de Test", lat=48.8801, lon=2.3850)
    elsewhere = make_premise(
        session, address="3 Rue des Autres", street_name="Rue des Autres", lat=48.8900
    )
    report = import_zoning(session, paris_like([{"PPA": "O"}]))
    # One segment flagged PCA and PPA: one row per class.
    assert (report.created, count(session, ZoningArea)) == (2, 2)

    forbidden = forbidden_types(session, [on_frontage.id, elsewhere.id])
    assert elsewhere.id not in forbidden
    assert grocery in forbidden[on_frontage.id] and restaurant in forbidden[on_frontage.id]
    assert bakery not in forbidden[on_frontage.id]
    assert "Special protection of crafts" in forbidden[on_frontage.id][grocery]
    # Every type that is not a craft is forbidden there, and no craft is.
    craft_ids = set(type_ids(session, *CRAFT_TYPES))
    assert not craft_ids & set(forbidden[on_frontage.id])
    assert len(forbidden[on_frontage.id]) == 45 - len(CRAFT_TYPES)

    protection = premise_protection(session, on_frontage, "fr")
    assert [p.code for p in protection] == ["PCA", "PPA"]
    assert protection[0].label == "Protection du commerce et de l'artisanat"
    assert "bureaux" in protection[0].forbids and protection[0].only is None
    assert protection[1].only is not None and "Boulangerie" in protection[1].only
    assert protection[0].numbers == "1–19, 2–20"


def test_shopping_frontage_forbids_no_shop_type(session: Session) -> None:
    make_street(session, "Rue de Test", AXIS)
    premise = make_premise(session, address="12 Rue de Test", lat=48.8801, lon=2.3850)
    import_zoning(session, paris_like([{"PRCA": "O"}]))
    # Commerce protection keeps offices, banks and housing out; every taxonomy type is a shop.
    assert forbidden_types(session, [premise.id]) == {}
    codes = [p.code for p in premise_protection(session, premise)]
    assert codes == ["PCA", "PRCA"]
    assert "banks" in premise_protection(session, premise)[1].forbids


def test_side_street_name_and_numbers_decide(session: Session) -> None:
    make_street(session, "Rue de Test", AXIS)
    in_range = make_premise(session, address="12 Rue de Test", lat=48.8801, lon=2.3850)
    beyond = make_premise(session, address="31 Rue de Test", lat=48.8801, lon=2.3850)
    corner = make_premise(
        session, address="1 Rue du Coin", street_name="Rue du Coin", lat=48.8801, lon=2.3850
    )
    no_number = make_premise(session, address="Rue de Test", lat=48.8801, lon=2.3850)
    far = make_premise(session, address="Rue de Test", lat=48.8805, lon=2.3850)  # 55 m
    # PPA on the odd side only ("I"): number 12 is on the even side.
    import_zoning(session, paris_like([{"PPA": "I"}]))
    linked = {
        premise_id: code
        for premise_id, code in session.execute(
            select(PremiseZone.premise_id, ZoningArea.class_code).join(ZoningArea)
        )
    }
    grocery = shop_type(session, "convenience").id
    forbidden = forbidden_types(session, [p.id for p in (in_range, beyond, corner, far)])
    assert in_range.id in linked and grocery not in forbidden.get(in_range.id, {})
    assert beyond.id not in linked  # 31 is past the block's 1–19
    assert corner.id not in linked  # another street, though as near
    assert no_number.id in linked  # on the street, 11 m from its axis
    assert far.id not in linked


def test_facade_layer_by_class_field_and_distance(session: Session) -> None:
    near = make_premise(session, address="5 Main Street", lat=48.8801, lon=2.3850)
    inside = make_premise(session, address="Place", lat=48.8813, lon=2.3877)
    across = make_premise(session, address="6 Main Street", lat=48.8798, lon=2.3850)
    layer = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "front-1",
                "properties": {"protection": "ppa"},
                # Drawn along the facades, 5 m north of `near`.
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[2.384, 48.88015], [2.386, 48.88015]],
                },
            },
            {
                "type": "Feature",
                "properties": {"id": "square", "protection": "PRCA"},
                # A protected square drawn as a polygon, around `inside`.
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[2.387, 48.881], [2.388, 48.881], [2.388, 48.882], [2.387, 48.881]]
                    ],
                },
            },
            {
                "type": "Feature",
                "properties": {"id": "front-2", "protection": ""},
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[2.384, 48.8797], [2.386, 48.8797]],
                },
            },
        ],
    }
    report = import_zoning(session, geojson_records(json.dumps(layer)), class_field="protection")
    assert report.created == 2 and report.skipped == {"no protection class": 1}
    link = dict(session.execute(select(PremiseZone.premise_id, PremiseZone.distance_m)).all())
    assert set(link) == {near.id, inside.id}
    assert 4 < link[near.id] < 7 and link[inside.id] == 0
    assert [p.code for p in premise_protection(session, inside)] == ["PRCA"]
    assert across.id not in forbidden_types(session, [across.id])


def test_a_bad_layer_changes_nothing(session: Session) -> None:
    make_street(session, "Rue de Test", AXIS)
    premise = make_premise(session, address="12 Rue de Test", lat=48.8801, lon=2.3850)
    import_zoning(session, paris_like([{"PPA": "O"}]))
    before = forbidden_types(session, [premise.id])
    bad = paris_like(
        [
            {"PPA": "N"},  # would lift the protection if the file landed
            {"PPA": "maybe"},
            {"geometry": {"type": "Point", "coordinates": [2.385, 48.88]}},
            {"N_SQ_PCA": None},
        ]
    )
    with pytest.raises(ImportFailed) as failure:
        import_zoning(session, bad)
    message = str(failure.value)
    assert "feature 2: PPA is 'maybe', expected O, N, P (even side) or I (odd)" in message
    assert "feature 3: geometry is a Point, expected lines or polygons" in message
    assert "feature 4: has no id" in message
    session.expire_all()
    assert count(session, ZoningArea) == 2
    assert forbidden_types(session, [premise.id]) == before
    with pytest.raises(ImportFailed, match="is not in the rule table"):
        import_zoning(session, paris_like([{"CLASSE": "ZZ"}]), class_field="classe")
    with pytest.raises(ImportFailed, match=r"no feature to import \(1 no protection class\)"):
        import_zoning(session, paris_like([{"PCA": "N"}]))
    assert forbidden_types(session, [premise.id]) == before


def test_reimport_drops_a_lifted_class(session: Session) -> None:
    make_street(session, "Rue de Test", AXIS)
    premise = make_premise(session, address="12 Rue de Test", lat=48.8801, lon=2.3850)
    import_zoning(session, paris_like([{"PPA": "O"}]))
    assert forbidden_types(session, [premise.id])
    again = import_zoning(session, paris_like([{"PPA": "N"}]))
    assert (again.created, again.unchanged) == (0, 1)
    assert forbidden_types(session, [premise.id]) == {}
    assert [p.code for p in premise_protection(session, premise)] == ["PCA"]


def test_premises_imported_after_the_zoning_are_linked(session: Session, tmp_path: Path) -> None:
    from wishmap.services.premises import import_premises

    make_street(session, "Rue de Test", AXIS)
    import_zoning(session, paris_like([{"PPA": "O"}]))
    csv = tmp_path / "premises.csv"
    csv.write_text("ref,address,lat,lon,status\nZ1,12 Rue de Test,48.8801,2.385,vacant\n")
    import_premises(session, read_records(csv))
    premise_id = session.scalar(select(PremiseZone.premise_id).limit(1))
    assert premise_id is not None
    assert (
        shop_type(session, "convenience").id in forbidden_types(session, [premise_id])[premise_id]
    )


def test_an_excluded_type_is_forbidden_for_its_managers_premises(session: Session) -> None:
    agency = make_user(session, role=Role.AGENCY)
    admin = make_user(session, role=Role.ADMIN)
    managed = make_premise(session, manager_id=agency.id)
    other = make_premise(session)
    phone, bar, bakery = type_ids(session, "mobile_phone", "bar", "bakery")
    assert set_exclusions(session, agency, ["mobile_phone", "bar"]) == (2, 0)
    forbidden = forbidden_types(session, [managed.id, other.id])
    assert forbidden == {
        managed.id: {
            phone: "Excluded by the premise's manager",
            bar: "Excluded by the premise's manager",
        }
    }
    # An admin's exclusion holds for every premise.
    set_exclusions(session, admin, ["bakery"])
    forbidden = forbidden_types(session, [managed.id, other.id])
    assert forbidden[other.id] == {bakery: "Excluded for every premise"}
    assert set(forbidden[managed.id]) == {phone, bar, bakery}
    # Changing the list is audited, and an unknown type changes nothing.
    assert set_exclusions(session, agency, ["bar"]) == (0, 1)
    with pytest.raises(ExclusionError):
        set_exclusions(session, agency, ["bar", "spaceport"])
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "set_exclusions").order_by(AuditEntry.id)
    ).all()
    assert len(entries) == 3
    assert json.loads(entries[-1].before) == {"types": ["bar", "mobile_phone"]}
    assert json.loads(entries[-1].after) == {"types": ["bar"]}
    resident = make_user(session)
    with pytest.raises(ExclusionError):
        set_exclusions(session, resident, ["bar"])


def test_forbidden_types_for_many_premises_uses_stored_links(session: Session) -> None:
    make_street(session, "Rue de Test", AXIS)
    import_zoning(session, paris_like([{"PPA": "O"}]))
    premises = [
        make_premise(session, address=f"{2 * n + 2} Rue de Test", lat=48.8801, lon=2.381 + n * 1e-4)
        for n in range(9)
    ]
    # Links are written at import: premises made afterwards get theirs from link_premises.
    assert forbidden_types(session, [p.id for p in premises]) == {}
    assert link_premises(session) == 2 * len(premises)
    session.commit()
    forbidden = forbidden_types(session, [p.id for p in premises] * 2)
    assert set(forbidden) == {p.id for p in premises}
    # A page of thousands of ids reads the links whole: the same answer.
    agency = make_user(session, role=Role.AGENCY)
    premises[0].manager_id = agency.id
    session.commit()
    set_exclusions(session, agency, ["bakery"])
    short = forbidden_types(session, [p.id for p in premises])
    long = forbidden_types(session, [p.id for p in premises] + list(range(10**6, 10**6 + 600)))
    assert long == short and shop_type(session, "bakery").id in long[premises[0].id]
    assert shop_type(session, "bakery").id not in long[premises[1].id]


@pytest.mark.realdata
def test_paris_plu_layer_imports_unedited_and_protects_its_addresses(
    session: Session, paris_data: Path
) -> None:
    records = read_records(paris_data / "plu_protection_commerciale.geojson")
    assert len(records) == 4867
    report = import_zoning(session, records)
    # 4,867 segments, each PCA (both sides or one), 567 also PRCA and 454 also PPA.
    assert report.created == 5888 and not report.skipped
    classes = dict(
        session.execute(
            select(ZoningArea.class_code, func.count()).group_by(ZoningArea.class_code)
        ).all()
    )
    assert classes == {"PCA": 4867, "PRCA": 567, "PPA": 454}
    assert set(classes) <= set(ZONING_CLASSES)

    # A real craft-protected block: a premise at one of its addresses, 8 m off the axis.
    segment = next(
        record
        for record in records
        if record.props["PPA"] == "O"
        and record.props["N_VO_ADDG"]
        and record.props["N_VO_ADFG"] > record.props["N_VO_ADDG"]
    )
    (lon1, lat1), (lon2, lat2) = segment.geometry["coordinates"][:2]
    lat, lon = (lat1 + lat2) / 2 + 0.00007, (lon1 + lon2) / 2
    street = segment.props["NOM_VOIE"]
    number = int(segment.props["N_VO_ADDG"])
    on_block = make_premise(
        session, address=f"{number} {street}", street_name=street, lat=lat, lon=lon
    )
    off_block = make_premise(
        session, address=f"{number + 2000} {street}", street_name=street, lat=lat, lon=lon
    )
    link_premises(session)
    session.commit()
    forbidden = forbidden_types(session, [on_block.id, off_block.id])
    assert shop_type(session, "convenience").id in forbidden[on_block.id]
    assert shop_type(session, "bakery").id not in forbidden[on_block.id]
    assert off_block.id not in forbidden
    assert "PPA" in [p.code for p in premise_protection(session, on_block)]
