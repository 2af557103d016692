"""No English on a French or Dutch resident's screen: every resident-facing page and e-mail is
rendered in fr and nl and its visible words are checked against common English UI words.

Checking catalogs for missing entries is not enough: a label never wrapped in _() has no entry
to miss, and a status printed raw ("vacant", "pending") is not a sentence at all.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from english_leaks import english_words
from factories import make_premise, make_user, make_wish, shop_type
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.mail import outbox_messages
from wishmap.models import Notification, User
from wishmap.services.notifications import email_notifications, send_pending_notifications
from wishmap.services.wishes import create_wish


def _resident_world(session: Session, language: str) -> tuple[User, int]:
    resident = make_user(session, display_name="Camille", locale=language)
    premise = make_premise(session)
    make_wish(session, user=resident, premise=premise, reason="Pain frais le matin")
    make_wish(session, premise=premise, code="butcher")
    return resident, premise.id


PAGES = [
    "/",
    "/premises/",
    "/premises/{premise}",
    "/wishes/new?premise={premise}",
    "/me/",
    "/account/",
    "/outcomes/",
]
PUBLIC_PAGES = ["/account/login", "/account/register", "/account/register/sent", "/account/reset"]


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_resident_pages_have_no_english(
    app: Flask, client: FlaskClient, session: Session, language: str
) -> None:
    resident, premise = _resident_world(session, language)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    leaks = {}
    for path in PUBLIC_PAGES:
        page = client.get(path)
        assert page.status_code == 200, path
        if found := english_words(page.get_data(as_text=True), language):
            leaks[path] = found
    # A form sent back with errors shows the validators' messages too.
    for path, data in [
        ("/account/login", {"email": "", "password": ""}),
        ("/account/register", {"email": "x", "password": "a", "confirm": "b"}),
    ]:
        app.config["WTF_CSRF_ENABLED"] = False
        page = client.post(path, data=data)
        app.config["WTF_CSRF_ENABLED"] = True
        if found := english_words(page.get_data(as_text=True), language):
            leaks[f"POST {path}"] = found
    log_in(client, resident)
    for template in PAGES:
        path = template.format(premise=premise)
        page = client.get(path)
        assert page.status_code == 200, path
        if found := english_words(page.get_data(as_text=True), language):
            leaks[path] = found
    # A service's refusal reaches the page as it was written: it must be translated too.
    app.config["WTF_CSRF_ENABLED"] = False
    wrong = {"current": "wrong one", "password": "x" * 12, "confirm": "x" * 12}
    refused = client.post("/account/password", data=wrong)
    app.config["WTF_CSRF_ENABLED"] = True
    assert refused.status_code == 400
    if found := english_words(refused.get_data(as_text=True), language):
        leaks["POST /account/password"] = found
    assert leaks == {}, leaks


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_outcome_email_speaks_the_residents_language_not_the_requests(
    app: Flask, session: Session, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident, premise_id = _resident_world(session, language)
    notification = Notification(
        user_id=resident.id, premise_id=premise_id, outcome="let", came_true=True
    )
    session.add(notification)
    session.commit()
    sent: list[tuple[str, str, str]] = []
    monkeypatch.setattr(
        "wishmap.mail.send_mail", lambda to, subject, body: sent.append((to, subject, body))
    )
    # The request asks for English: the e-mail must still be in the resident's language.
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert email_notifications(session, [notification], "https://example.org/me/") == 1
    [(to, subject, body)] = sent
    assert to == resident.email
    assert english_words(subject + "\n" + body, language, html=False) == set()
    assert "Camille" in body


def test_registering_in_french_then_confirming_lands_on_the_wish_and_mails_in_french(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    folder = tmp_path / "outbox"
    app.config.update(MAIL_BACKEND="folder", MAIL_OUTBOX=str(folder))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    password = "correct horse battery"
    response = client.post(
        "/account/register",
        data={
            "csrf_token": csrf_token(client),
            "email": "lea@example.org",
            "display_name": "Léa",
            "password": password,
            "confirm": password,
        },
    )
    assert response.status_code == 302
    user = session.scalar(select(User).where(User.email == "lea@example.org"))
    assert user is not None and user.locale == "fr"
    premise = make_premise(session)
    create_wish(session, user, shop_type(session).id, premise_id=premise.id)
    [message] = outbox_messages(folder)
    assert "Bonjour" in message.get_content()
    link = re.search(r"http://localhost(/account/verify/\S+)", message.get_content())
    assert link
    confirmed = client.post(link.group(1), data={"csrf_token": csrf_token(client)})
    # The confirmation lands on the premise whose wish now counts, not on the map.
    assert confirmed.headers["Location"].endswith(f"/premises/{premise.id}")
    # Later news reaches her in French even when the request that records it speaks English.
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    session.add(Notification(user_id=user.id, premise_id=premise.id, outcome="let"))
    session.commit()
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert send_pending_notifications(session) == 1
    news = outbox_messages(folder)[-1]
    assert "Bonjour" in news.get_content() and "Hello" not in news.get_content()
    assert english_words(str(news["Subject"]) + news.get_content(), "fr", html=False) == set()
