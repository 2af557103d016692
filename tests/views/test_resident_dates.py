"""Residents read dates in their language ("30 nov. 2026", "30 nov 2026", "Nov 30, 2026"), never
as ISO 2026-11-30: premise news on My wishes and the premise page, notifications, outcomes."""

from __future__ import annotations

import re
from datetime import date

import pytest
from factories import make_premise, make_user, make_wish, shop_type
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web import log_in

from wishmap.models import Role
from wishmap.services import follows
from wishmap.services.outcomes import record_outcome

ISO = re.compile(r"\b20\d\d-\d\d-\d\d\b")
READ = {"fr": "30 nov. 2026", "nl": "30 nov 2026", "en": "Nov 30, 2026"}


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_resident_pages_show_dates_in_the_readers_language(
    client: FlaskClient, session: Session, language: str
) -> None:
    resident = make_user(session, locale=language)
    wished = make_premise(session, address="3 Rue des Dates")
    followed = make_premise(session, address="4 Rue Suivie")
    make_wish(session, user=resident, premise=wished, code="books")
    follows.follow(session, resident.id, followed.id)
    admin = make_user(session, role=Role.ADMIN)
    books = shop_type(session, "books").id
    for premise in (wished, followed):
        record_outcome(session, admin, premise.id, "let", books, date(2026, 11, 30))
    log_in(client, resident)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language

    mine = client.get("/me/").get_data(as_text=True)
    # The wish's news, the followed premise's news, and the notification's own date.
    assert mine.count(f"({READ[language]})") == 2, mine
    assert not ISO.search(mine), ISO.findall(mine)
    for path in (f"/premises/{wished.id}", "/outcomes/"):
        page = client.get(path).get_data(as_text=True)
        assert READ[language] in page, path
        assert not ISO.search(re.sub(r'value="[^"]*"|min="[^"]*"|max="[^"]*"', "", page)), (
            path,
            ISO.findall(page),
        )
