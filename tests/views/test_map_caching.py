"""Map data over HTTP: ETag validators and 304s, fresh at once after a wish; quantile legend."""

from __future__ import annotations

from factories import make_premise, make_user, make_wish
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web import csrf_token, log_in

BBOX = "2.37,48.87,2.40,48.89"
MAP_DATA = [
    f"/api/premises.geojson?bbox={BBOX}",
    f"/api/demand.geojson?bbox={BBOX}",
    f"/api/demand.geojson?bbox={BBOX}&type=books",
    f"/api/streets.geojson?bbox={BBOX}",
    "/api/places?q=Rue",
]


def test_map_data_carries_an_etag_and_answers_304_when_unchanged(
    client: FlaskClient, session: Session
) -> None:
    premise = make_premise(session, address="3 Rue de Test")
    make_wish(session, premise=premise, code="books")
    for path in [*MAP_DATA, f"/api/premises/{premise.id}"]:
        first = client.get(path)
        assert first.status_code == 200, path
        etag = first.headers["ETag"]
        assert etag.startswith('"') and len(etag) > 10, path
        # Revalidated on every use, so a new wish is never hidden behind a max-age.
        assert first.cache_control.no_cache, path
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304, path
        assert again.data == b"" and again.headers["ETag"] == etag, path
        other = client.get(path, headers={"If-None-Match": '"something-else"'})
        assert other.status_code == 200 and other.data == first.data, path
    # The popup's labels follow the reader's language: only the browser may keep it.
    summary = client.get(f"/api/premises/{premise.id}")
    assert summary.cache_control.private and not summary.cache_control.public
    assert client.get(MAP_DATA[0]).cache_control.public


def test_a_new_wish_changes_the_validator_at_once(client: FlaskClient, session: Session) -> None:
    premise = make_premise(session)
    make_wish(session, premise=premise, code="books")
    paths = [MAP_DATA[0], MAP_DATA[1], MAP_DATA[2], f"/api/premises/{premise.id}"]
    before = {path: client.get(path).headers["ETag"] for path in paths}
    log_in(client, make_user(session))
    supported = client.post(
        "/wishes/support",
        data={"csrf_token": csrf_token(client, "/"), "premise": premise.id, "type": "books"},
    )
    assert supported.status_code == 303
    for path in paths:
        answer = client.get(path, headers={"If-None-Match": before[path]})
        assert answer.status_code == 200, path
        assert answer.headers["ETag"] != before[path], path
    premises = client.get(MAP_DATA[0]).get_json()
    assert premises["features"][0]["properties"]["wishes"] == 2


def test_an_invalid_bbox_is_refused_without_a_validator(client: FlaskClient) -> None:
    refused = client.get("/api/premises.geojson?bbox=nonsense")
    assert refused.status_code == 400
    assert "ETag" not in refused.headers


def test_premise_classes_follow_the_quantiles_of_the_view(
    client: FlaskClient, session: Session
) -> None:
    # Nine wished premises with 1 … 9 wishes and two without: terciles 1-3, 4-6, 7-9.
    residents = [make_user(session) for _ in range(9)]
    wished = {}
    for count in range(1, 10):
        premise = make_premise(session, lon=2.38 + count / 1000)
        for resident in residents[:count]:
            make_wish(session, user=resident, premise=premise, code="books")
        wished[premise.id] = count
    empty = {make_premise(session).id, make_premise(session, lon=2.395).id}
    collection = client.get(MAP_DATA[0]).get_json()
    assert collection["classes"] == [
        {"level": 1, "min": 1, "max": 3},
        {"level": 2, "min": 4, "max": 6},
        {"level": 3, "min": 7, "max": 9},
    ]
    levels = {f["id"]: f["properties"]["level"] for f in collection["features"]}
    assert {levels[i] for i in empty} == {0}
    assert {count: levels[i] for i, count in wished.items()} == {
        1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: 2, 7: 3, 8: 3, 9: 3
    }  # fmt: skip
    # Each class holds a third of the wished premises, whatever the scale of the counts.
    assert [list(levels.values()).count(level) for level in (1, 2, 3)] == [3, 3, 3]
