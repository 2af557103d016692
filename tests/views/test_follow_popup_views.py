"""Follow from the map's popup: its summary tells the reader's follow state, and the follow and
unfollow posts answer JSON to the popup's fetch (CSRF-protected like one-tap Support)."""

from __future__ import annotations

from factories import make_premise, make_user
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.services import follows

JSON = {"Accept": "application/json"}


def test_a_visitors_summary_follows_nothing_and_names_where_to_post(
    client: FlaskClient, session: Session
) -> None:
    premise = make_premise(session)
    summary = client.get(f"/api/premises/{premise.id}").get_json()
    assert summary["following"] is False
    assert summary["follow"] == f"/premises/{premise.id}/follow"
    assert summary["unfollow"] == f"/premises/{premise.id}/unfollow"


def test_follow_and_unfollow_from_the_popup_in_json(client: FlaskClient, session: Session) -> None:
    premise = make_premise(session)
    resident = make_user(session)
    log_in(client, resident)
    token = csrf_token(client)
    headers = {**JSON, "X-CSRFToken": token}

    answer = client.post(f"/premises/{premise.id}/follow", headers=headers)
    assert answer.status_code == 200
    assert answer.get_json() == {
        "following": True,
        "message": "You follow this premise: we will e-mail you when it is let or its "
        "report changes.",
    }
    assert follows.following(session, resident.id, premise.id)
    assert client.get(f"/api/premises/{premise.id}").get_json()["following"] is True

    answer = client.post(f"/premises/{premise.id}/unfollow", headers=headers)
    assert answer.get_json() == {
        "following": False,
        "message": "You no longer follow this premise.",
    }
    assert not follows.following(session, resident.id, premise.id)
    assert client.get(f"/api/premises/{premise.id}").get_json()["following"] is False


def test_the_popups_follow_needs_the_csrf_token_and_a_known_premise(
    client: FlaskClient, session: Session
) -> None:
    premise = make_premise(session)
    resident = make_user(session)
    log_in(client, resident)
    answer = client.post(f"/premises/{premise.id}/follow", headers=JSON)
    assert answer.status_code == 400
    assert not follows.following(session, resident.id, premise.id)

    headers = {**JSON, "X-CSRFToken": csrf_token(client)}
    answer = client.post("/premises/999999/follow", headers=headers)
    assert answer.status_code == 404 and answer.get_json() == {"error": "Unknown premise."}


def test_the_popups_follow_answers_in_the_readers_language(
    client: FlaskClient, session: Session
) -> None:
    premise = make_premise(session)
    log_in(client, make_user(session))
    headers = {**JSON, "X-CSRFToken": csrf_token(client), "Accept-Language": "fr"}
    answer = client.post(f"/premises/{premise.id}/follow", headers=headers)
    assert answer.get_json()["message"].startswith("Vous suivez ce local")
