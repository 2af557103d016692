"""Status words, column and value mappings, encodings and per-reason reports of the importers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wishmap.services.importing import ImportFailed, Record, RowError, read_records, reason_kind
from wishmap.services.imports.mapping import apply_mapping, parse_mapping
from wishmap.services.imports.vocabulary import status_for, status_from_osm_tags


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("vacant", "vacant"),
        ("Empty", "vacant"),
        ("VIDE", "vacant"),
        ("à louer", "vacant"),
        ("A LOUER", "vacant"),
        ("leegstand", "vacant"),
        ("Te huur", "vacant"),
        ("disponible", "vacant"),
        ("Leerstand", "vacant"),
        ("filled", "let"),
        ("occupied", "let"),
        ("Leased", "let"),
        ("occupé", "let"),
        ("Loué", "let"),
        ("verhuurd", "let"),
        ("bezet", "let"),
        ("vermietet", "let"),
        ("opened", "opened"),
        ("Ouvert", "opened"),
        ("geopend", "opened"),
        ("gesloten", None),
        ("", None),
        (None, None),
    ],
)
def test_status_words_in_several_languages(word: str | None, status: str | None) -> None:
    assert status_for(word) == status


def test_osm_vacancy_tags() -> None:
    assert status_from_osm_tags({"shop": "vacant"}) == "vacant"
    assert status_from_osm_tags({"vacant": "yes"}) == "vacant"
    assert status_from_osm_tags({"disused:shop": "bakery"}) == "vacant"
    assert status_from_osm_tags({"shop": "bakery"}) is None


def test_mapping_renames_columns_and_values() -> None:
    records = [
        Record("line 2", {"etat": "Beschikbaar", "status": "ignored", "ref": "A"}),
        Record("line 3", {"etat": "Verkocht", "ref": "B"}),
    ]
    mapping = parse_mapping(["ETAT=status"], ["status:beschikbaar=vacant", "status:verkocht=let"])
    mapped = apply_mapping(records, mapping)
    assert [record.props for record in mapped] == [
        {"ref": "A", "status": "vacant"},
        {"ref": "B", "status": "let"},
    ]
    assert mapped[0].where == "line 2"


def test_mapping_file_is_validated(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"columns": {"A": "ref"}, "values": {"status": {"x": "let"}}}))
    mapping = parse_mapping(["b=address"], [], good)
    assert mapping.columns == {"a": "ref", "b": "address"}
    assert mapping.values == {"status": {"x": "let"}}
    for text in ('{"columns": ["a"]}', '{"colums": {}}', "[1]", "{not json"):
        bad = tmp_path / "bad.json"
        bad.write_text(text)
        with pytest.raises(ImportFailed, match="--mapping"):
            parse_mapping(path=bad)


def test_reasons_group_alike_problems() -> None:
    assert reason_kind("surface 'abc' is not a number") == "surface … is not a number"
    assert reason_kind("id 'P1' already used at line 12") == "id … already used at line …"
    assert reason_kind("position 91.0, 2.38 is not a WGS84 latitude/longitude") == (
        "position …, … is not a WGS84 latitude/longitude"
    )
    errors = [RowError(f"line {n}", f"surface 'x{n}' is not a number") for n in range(2, 10)]
    errors.append(RowError("line 10", "has no address"))
    failure = ImportFailed(errors, "p.csv")
    assert failure.by_reason == {"surface … is not a number": 8, "has no address": 1}
    lines = str(failure).splitlines()
    assert lines[:3] == [
        "p.csv: 9 problems, nothing imported:",
        "  8 × surface … is not a number",
        "    line 2: surface 'x2' is not a number",
    ]
    assert "    … and 3 more" in lines
    assert lines[-1] == "  line 10: has no address"


def test_utf16_with_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("ref\tadresse\nA\t12 rue de Crimée\n".encode("utf-16"))
    assert read_records(path)[0].props == {"ref": "A", "adresse": "12 rue de Crimée"}


def test_vacancy_flags() -> None:
    from wishmap.services.imports.vocabulary import status_from_flag

    assert [status_from_flag(v) for v in ("Ja", "yes", "1", "x", "oui", "Kyllä")] == ["vacant"] * 6
    assert [status_from_flag(v) for v in ("nee", "No", "0", "non", "nein")] == ["let"] * 5
    assert status_from_flag("peut-être") is None and status_from_flag(None) is None
