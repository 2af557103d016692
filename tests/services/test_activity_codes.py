"""Official activity codes: a city's nomenclature mapped onto the shop-type taxonomy."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import shop_type
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap.models import ActivityCode
from wishmap.services.activity_codes import (
    activity_codes,
    import_nomenclature,
    read_nomenclature,
    type_for_label,
)
from wishmap.services.importing import ImportFailed


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ActivityCode)) or 0


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("Boulangerie - Boulangerie Pâtisserie", "bakery"),
        ("Pâtisserie", "pastry"),
        ("Vente de fruits et légumes", "greengrocer"),
        ("Salle de sport  spécialisée", "fitness_centre"),
        ("Spécialiste d'un sport", "sports"),
        ("Bar ou Café sans tabac", "bar"),
        ("Café - Tabac", "cafe"),
        ("Quincaillerie et droguerie", "hardware"),
        ("Bureau en boutique", None),  # an office in a shop, not a boutique
        ("Cours formation professionnelle (langues, informatique…)", None),
        ("Vente de vaisselle - Ustensiles ménagers - Art de la table", None),
        ("Commerce de gros alimentaire", None),
        ("Banque - Caisse d'épargne", None),
    ],
)
def test_labels_map_by_their_first_activity(label: str, code: str | None) -> None:
    assert type_for_label(label) == code


@pytest.mark.realdata
def test_paris_nomenclature_maps_onto_the_taxonomy(session: Session, paris_data: Path) -> None:
    records = read_nomenclature(paris_data / "nomenclature_commerces.csv")
    assert len(records) == 221
    # A label with doubled quotes stays one column: Cordonnerie - Réparation "minute" (clés…).
    cobbler = next(record for record in records if record.props["codact"] == "SA101")
    assert cobbler.props["libact"].startswith('Cordonnerie - Réparation "minute"')
    report = import_nomenclature(session, records, scheme="paris")
    # 220 codes and the "NA" row; 94 codes name a shop type of the 45, the others (wholesale,
    # hotels, car dealers, doctors, banks…) name none and are listed.
    assert report.created == 220 and report.skipped == {"not a code (NA)": 1}
    assert report.mapped == 94 and len(report.unmapped) == 126
    assert report.mapped >= 90  # the floor: a change to matching must not lose codes
    assert "AB101 Commerce de gros alimentaire" in report.unmapped
    assert "94 of 220 codes mapped onto shop types" in report.summary()
    codes = activity_codes(session)
    bakery = shop_type(session, "bakery").id
    assert codes[bakery] == [("CA103", "Boulangerie - Boulangerie Pâtisserie")]
    assert ("SA101", cobbler.props["libact"]) in codes[shop_type(session, "shoemaker").id]
    assert len(codes[shop_type(session, "restaurant").id]) == 14  # CH101–CH109, CH201–CH303
    # A re-import changes nothing.
    again = import_nomenclature(session, records, scheme="paris")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 220)


def test_an_explicit_type_column_wins_and_bad_files_change_nothing(
    session: Session, tmp_path: Path
) -> None:
    good = tmp_path / "codes.csv"
    good.write_text(
        "code;label;shop_type\nX1;Vente de pain;bakery\nX2;Crèmerie - Fromagerie;\n"
        "X3;Atelier de luthier;Instruments de musique\nX4;Garage;\n",
        encoding="utf-8",
    )
    report = import_nomenclature(session, read_nomenclature(good))
    assert (report.created, report.mapped, report.unmapped) == (4, 3, ["X4 Garage"])
    codes = activity_codes(session)
    assert codes[shop_type(session, "bakery").id] == [("X1", "Vente de pain")]
    assert codes[shop_type(session, "cheese").id] == [("X2", "Crèmerie - Fromagerie")]
    assert codes[shop_type(session, "musical_instrument").id] == [("X3", "Atelier de luthier")]

    for content, problem in [
        ("code;label;shop_type\nX1;Pain;spaceport\n", "shop type 'spaceport' is not in"),
        ("code;label\nX1;Pain\nX1;Pain encore\n", "code X1: appears twice"),
        ("code;label\nX1;\n", "has no label"),
        ("libelle_activite;x\nPain;1\n", "no code column"),
        ("", "the file holds no codes"),
    ]:
        bad = tmp_path / "bad.csv"
        bad.write_text(content, encoding="utf-8")
        with pytest.raises(ImportFailed, match=problem):
            import_nomenclature(session, read_nomenclature(bad))
        session.rollback()
        assert count(session) == 4
    with pytest.raises(ImportFailed, match="no column kind"):
        import_nomenclature(session, read_nomenclature(good), type_field="kind")
    binary = tmp_path / "codes.csv"
    binary.write_bytes(b"\xff\xfe\x00\x01code")
    with pytest.raises(ImportFailed, match="not a UTF-8 text file"):
        read_nomenclature(binary)
