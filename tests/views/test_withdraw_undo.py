"""Withdrawing a wish offers Undo, which brings it back only if the rules still allow it."""

from __future__ import annotations

from factories import make_premise, make_user, make_wish
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.models import Wish, WishStatus


def _active(session: Session, user_id: int) -> int:
    session.expire_all()
    return session.scalar(
        select(func.count()).where(Wish.user_id == user_id, Wish.status == WishStatus.ACTIVE)
    )


def test_withdraw_then_undo_brings_the_wish_back(client: FlaskClient, session: Session) -> None:
    resident = make_user(session, locale="fr")
    wish = make_wish(session, user=resident, premise=make_premise(session), reason="Du pain")
    log_in(client, resident)
    token = csrf_token(client, "/me/")
    withdrawn = client.post(
        f"/wishes/{wish.id}/withdraw", data={"csrf_token": token}, follow_redirects=True
    )
    page = withdrawn.get_data(as_text=True)
    assert f'action="/wishes/{wish.id}/restore"' in page and "Annuler" in page
    assert _active(session, resident.id) == 0
    restored = client.post(f"/wishes/{wish.id}/restore", data={"csrf_token": token})
    assert restored.status_code == 303
    assert _active(session, resident.id) == 1
    back = session.scalar(select(Wish).where(Wish.status == WishStatus.ACTIVE))
    assert back.reason == "Du pain" and back.premise_id == wish.premise_id
    # Undoing twice does not make a second voice.
    again = client.post(f"/wishes/{wish.id}/restore", data={"csrf_token": token})
    assert again.status_code == 400 and _active(session, resident.id) == 1


def test_undo_is_refused_when_the_quota_is_full_and_for_someone_elses_wish(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    app.config["WISH_QUOTA"] = 1
    resident = make_user(session)
    first = make_wish(session, user=resident, premise=make_premise(session))
    log_in(client, resident)
    token = csrf_token(client, "/me/")
    client.post(f"/wishes/{first.id}/withdraw", data={"csrf_token": token})
    make_wish(session, user=resident, premise=make_premise(session), code="butcher")
    refused = client.post(f"/wishes/{first.id}/restore", data={"csrf_token": token})
    assert refused.status_code == 400
    assert _active(session, resident.id) == 1
    stranger_wish = make_wish(session, status=WishStatus.WITHDRAWN.value)
    missing = client.post(f"/wishes/{stranger_wish.id}/restore", data={"csrf_token": token})
    assert missing.status_code == 404


def test_my_wishes_say_how_many_others_share_each(client: FlaskClient, session: Session) -> None:
    resident = make_user(session, locale="nl")
    premise = make_premise(session)
    make_wish(session, user=resident, premise=premise)
    for _ in range(3):
        make_wish(session, premise=premise)  # the same type, by three other residents
    make_wish(session, premise=premise, code="butcher")  # another type does not count
    make_wish(session, premise=premise, status=WishStatus.WITHDRAWN.value)  # nor a withdrawn one
    log_in(client, resident)
    page = client.get("/me/").get_data(as_text=True)
    assert "3 andere bewoners wensen dit hier ook." in page
