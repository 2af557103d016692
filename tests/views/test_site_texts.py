"""Site texts: an admin writes the district's name, introduction and privacy notice per language;
the map and the privacy page show them escaped, in the reader's language or a fallback."""

from __future__ import annotations

import json

import pytest
from factories import make_user
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.models import AuditEntry, Role, SiteText
from wishmap.services.site_texts import SiteTextError, paragraphs, save_texts, texts_for


def _admin(app: Flask, session: Session) -> FlaskClient:
    return log_in(app.test_client(), make_user(session, role=Role.ADMIN))


def _save(client: FlaskClient, language: str, **texts: str) -> object:
    data = {f"{language}-csrf_token": csrf_token(client, "/admin/texts")}
    for key in ("district_name", "introduction", "privacy_notice"):
        data[f"{language}-{key}"] = texts.get(key, "")
    return client.post(f"/admin/texts/{language}", data=data)


def _get(app: Flask, path: str, language: str) -> str:
    page = app.test_client().get(path, headers={"Accept-Language": language})
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_saved_texts_show_at_once_in_the_readers_language(app: Flask, session: Session) -> None:
    admin = _admin(app, session)
    before = _get(app, "/", "fr")
    assert "Belleville" not in before
    saved = _save(
        admin,
        "fr",
        district_name="Quartier Belleville",
        introduction="Dites-nous quel commerce manque.",
        privacy_notice="Nous gardons peu.\n\nVous pouvez tout effacer.",
    )
    assert saved.status_code == 302
    assert _save(admin, "nl", district_name="Wijk Belleville").status_code == 302
    # The very next page shows them: nothing is cached across requests.
    french = _get(app, "/", "fr")
    assert "Quartier Belleville" in french and "Dites-nous quel commerce manque." in french
    dutch = _get(app, "/", "nl")
    assert "Wijk Belleville" in dutch
    # No Dutch introduction: the French one, rather than the built-in wording.
    assert "Dites-nous quel commerce manque." in dutch
    privacy = _get(app, "/privacy", "fr")
    assert "<p>Nous gardons peu.</p>" in privacy and "<p>Vous pouvez tout effacer.</p>" in privacy
    # English has none of its own: the first other language that has each text.
    english = _get(app, "/", "en")
    assert "Quartier Belleville" in english


def test_without_texts_the_built_in_wording_shows(app: Flask, session: Session) -> None:
    french = _get(app, "/", "fr")
    assert 'class="district-name"' not in french
    assert "Touchez un local vacant" in french
    assert "Wishmap garde votre adresse e-mail" in _get(app, "/privacy", "fr")


def test_an_emptied_text_falls_back_again_and_every_change_is_audited(
    app: Flask, session: Session
) -> None:
    admin = _admin(app, session)
    assert _save(admin, "en", introduction="Tell us.").status_code == 302
    assert "Tell us." in _get(app, "/", "en")
    assert _save(admin, "en", introduction="").status_code == 302
    page = _get(app, "/", "en")
    assert "Tell us." not in page and "Tap a vacant premise" in page
    assert session.scalars(select(SiteText)).all() == []
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, json.loads(e.after)["text"]) for e in entries] == [
        ("site_text.update", "Tell us."),
        ("site_text.update", ""),
    ]
    assert json.loads(entries[1].before) == {
        "key": "introduction",
        "language": "en",
        "text": "Tell us.",
    }


def test_markup_is_shown_as_text_never_run(app: Flask, session: Session) -> None:
    admin = _admin(app, session)
    attack = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    assert (
        _save(admin, "en", district_name=attack, introduction=attack, privacy_notice=attack)
    ).status_code == 302
    for path in ("/", "/privacy", "/admin/texts"):
        page = (admin if path.startswith("/admin") else app.test_client()).get(path)
        html = page.get_data(as_text=True)
        assert "<script>alert(1)" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("district_name", "x" * 81),
        ("introduction", "x" * 501),
        ("privacy_notice", "x" * 10_001),
    ],
)
def test_too_long_texts_are_refused_with_a_reason(
    app: Flask, session: Session, field: str, value: str
) -> None:
    admin = _admin(app, session)
    assert _save(admin, "en", district_name="Belleville").status_code == 302
    refused = _save(admin, "nl", **{field: value})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert 'class="error"' in html
    # The page sent back keeps the other languages' stored texts in their forms.
    assert 'value="Belleville"' in html
    assert [row.language for row in session.scalars(select(SiteText))] == ["en"]


def test_requests_that_bypass_the_form_are_refused(app: Flask, session: Session) -> None:
    admin = _admin(app, session)
    # No CSRF token: refused before anything is stored.
    assert admin.post("/admin/texts/fr", data={"fr-district_name": "X"}).status_code == 400
    assert _save(admin, "de", district_name="Bezirk").status_code == 404
    resident = log_in(app.test_client(), make_user(session))
    assert resident.get("/admin/texts").status_code == 403
    assert session.scalars(select(SiteText)).all() == []


def test_service_refuses_unknown_languages_and_keys(session: Session) -> None:
    admin = make_user(session, role=Role.ADMIN)
    with pytest.raises(SiteTextError):
        save_texts(session, admin, "de", {"introduction": "Hallo"})
    with pytest.raises(SiteTextError):
        save_texts(session, admin, "en", {"motto": "Hi"})
    # The app refuses control characters in any request; the service does too, on its own.
    with pytest.raises(SiteTextError):
        save_texts(session, admin, "en", {"introduction": "bell \x07 rings"})
    assert save_texts(session, admin, "en", {"introduction": "  Hi\r\n\r\nthere  "}) == [
        "introduction"
    ]
    assert texts_for(session, "nl") == {"introduction": "Hi\n\nthere"}
    assert paragraphs("Hi\n\nthere") == ["Hi", "there"]
    # The schema holds one text per key and language, and only known ones.
    session.add(SiteText(key="introduction", language="en", text="twice"))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    session.add(SiteText(key="motto", language="en", text="unknown"))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
