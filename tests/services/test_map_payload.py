"""The map's premise layer from kept texts: the very bytes of the dict → jsonify construction."""

from __future__ import annotations

import json

import pytest
from factories import make_premise, make_user, make_wish, shop_type
from flask import Flask, jsonify
from flask.testing import FlaskClient
from sqlalchemy import text, update
from sqlalchemy.orm import Session
from werkzeug.http import generate_etag

from wishmap.geo import premise_features, with_demand_classes
from wishmap.models import Premise, ShopType, Wish, WishStatus
from wishmap.services import demand, map_payload
from wishmap.services.demand import BBox, premise_points
from wishmap.services.map_payload import JsonStyle, premises_text

VIEW = BBox(48.87, 2.37, 48.89, 2.40)
URL = "/api/premises.geojson?bbox=2.37,48.87,2.40,48.89"


def _reference(session: Session, view: BBox = VIEW) -> str:
    """The construction the map used before: rows → dicts → jsonify."""
    points, truncated = premise_points(session, view)
    return jsonify(with_demand_classes(premise_features(points, truncated))).get_data(as_text=True)


def _assert_same(session: Session, view: BBox = VIEW) -> dict:
    expected = _reference(session, view)
    # Twice: the second answer comes from the texts the first one kept.
    assert premises_text(session, view) == expected
    assert premises_text(session, view) == expected
    return json.loads(expected)


def _district(session: Session) -> list[Premise]:
    """Premises of every kind of field: accents, quotes, no surface, a tiny one, out of view."""
    addresses = [
        "3 Rue de l'Église",
        'Passage "des Écluses" \\ 2',
        "12 Straße – 東京",
        "5 Rue de Test",
        "7 Rue de Test",
    ]
    premises = [
        make_premise(session, address=address, lat=48.875 + n * 0.001, lon=2.38 + n * 0.0013)
        for n, address in enumerate(addresses)
    ]
    premises[1].surface_m2 = None
    premises[2].surface_m2 = 0.4  # rounds to 0
    premises[3].surface_m2 = 1234.56
    make_premise(session, address="far away", lat=48.95, lon=2.45)
    make_premise(session, address="let", status="let")
    session.commit()
    return premises


def test_the_text_is_the_dict_construction_on_varied_data(session: Session) -> None:
    premises = _district(session)
    assert _assert_same(session)["features"], "the premises in view are shown"
    # Ties between types go to the greater icon; several types; a withdrawn wish is not counted.
    make_wish(session, premise=premises[0], code="bakery")
    make_wish(session, premise=premises[0], code="pharmacy")
    make_wish(session, premise=premises[1], code="books")
    make_wish(session, premise=premises[1], code="books")
    make_wish(session, premise=premises[1], code="wine")
    for _ in range(5):
        make_wish(session, premise=premises[2], code="cafe")
    gone = make_wish(session, premise=premises[3], code="florist")
    gone.status = WishStatus.WITHDRAWN.value
    session.commit()
    answer = _assert_same(session)
    wishes = {f["id"]: f["properties"]["wishes"] for f in answer["features"]}
    assert wishes[premises[0].id] == 2 and wishes[premises[2].id] == 5
    assert wishes[premises[3].id] == 0
    assert answer["classes"], "the legend is there"


def test_a_type_without_an_icon_of_its_own_ranks_as_the_fallback(session: Session) -> None:
    premise = _district(session)[0]
    shop_type(session)  # the taxonomy
    odd = ShopType(
        code="zz_new_type", osm_tag="shop=new", group="other", icon="?",
        label_en="New", label_fr="Nouveau", label_nl="Nieuw",
    )  # fmt: skip
    session.add(odd)
    session.commit()
    make_wish(session, premise=premise, code="zz_new_type")
    make_wish(session, premise=premise, code="bakery")
    answer = _assert_same(session)
    assert {f["properties"]["icon"] for f in answer["features"] if f["id"] == premise.id} == {
        "shop"
    }


def test_a_status_change_an_edit_and_a_new_wish_show_at_once(session: Session) -> None:
    premises = _district(session)
    make_wish(session, premise=premises[0], code="books")
    _assert_same(session)
    premises[0].status = "let"
    premises[1].address = "9 Rue Nouvelle"
    session.commit()
    answer = _assert_same(session)
    assert premises[0].id not in {f["id"] for f in answer["features"]}
    # An edit that leaves updated_at alone (raw SQL, another process) is read all the same.
    session.execute(
        update(Premise).where(Premise.id == premises[2].id).values(lat=48.8777, lon=2.3899)
    )
    session.execute(
        text("UPDATE premises SET address = 'moved' WHERE id = :id"), {"id": premises[3].id}
    )
    session.commit()
    answer = _assert_same(session)
    addresses = {f["id"]: f["properties"]["address"] for f in answer["features"]}
    assert addresses[premises[3].id] == "moved"
    make_wish(session, premise=premises[4], code="cafe", user=make_user(session))
    answer = _assert_same(session)
    wished = {f["id"]: f["properties"]["wishes"] for f in answer["features"]}
    assert wished[premises[4].id] == 1


def test_a_crowded_view_is_cut_the_same_way(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    premises = _district(session)
    for premise in premises:
        make_wish(session, premise=premise, code="books")
    monkeypatch.setattr(demand, "MAX_PREMISES", 3)
    monkeypatch.setattr(map_payload, "MAX_PREMISES", 3)
    answer = _assert_same(session)
    assert answer["truncated"] is True and len(answer["features"]) == 3


def test_the_kept_texts_do_not_cross_databases_or_views(session: Session) -> None:
    premises = _district(session)
    _assert_same(session)
    _assert_same(session, BBox(48.874, 2.379, 48.877, 2.382))
    # Same ids, other rows: what a second test database (or a rebuilt one) would hold.
    session.execute(update(Premise).values(address=Premise.address + " bis"))
    session.commit()
    answer = _assert_same(session)
    assert all(f["properties"]["address"].endswith(" bis") for f in answer["features"])
    assert premises


def test_an_address_looking_like_a_marker_is_written_in_full() -> None:
    style = JsonStyle()
    point = (1, 48.88, 2.38, "\x00icon", 50.0, "vacant")
    made = map_payload._make_text(point, style)
    assert made.pieces is None
    written = map_payload._with_wishes(made, style, "bakery", 2, 7)
    assert json.loads(written)["properties"] == {
        "address": "\x00icon",
        "icon": "bakery",
        "level": 2,
        "status": "vacant",
        "surface_m2": 50,
        "wishes": 7,
    }


def test_the_view_answers_these_bytes_with_their_etag(
    client: FlaskClient, session: Session
) -> None:
    premises = _district(session)
    make_wish(session, premise=premises[0], code="books")
    expected = _reference(session).encode()
    first = client.get(URL)
    assert first.status_code == 200
    assert first.data == expected
    assert first.headers["Content-Type"] == "application/geo+json"
    assert first.headers["ETag"] == f'"{generate_etag(expected)}"'
    assert first.headers["Cache-Control"] == "no-cache, public"
    again = client.get(URL, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_debug_mode_keeps_the_indented_construction(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    _district(session)
    app.debug = True
    try:
        answer = client.get(URL)
        assert answer.data == _reference(session).encode()
        assert b'\n  "features"' in answer.data
    finally:
        app.debug = False


def test_wishes_off_the_premises_are_not_counted(session: Session) -> None:
    premise = _district(session)[0]
    make_wish(session, lat=premise.lat, lon=premise.lon)
    assert session.query(Wish).count() == 1
    answer = _assert_same(session)
    assert all(f["properties"]["wishes"] == 0 for f in answer["features"])
