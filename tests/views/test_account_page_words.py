"""The account page reads in the reader's language: the role in words, not its code."""

from __future__ import annotations

import pytest
from factories import make_user
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web import log_in


@pytest.mark.parametrize(
    ("language", "role", "word"),
    [
        ("fr", "resident", "Habitant"),
        ("nl", "resident", "Bewoner"),
        ("en", "officer", "City officer"),
    ],
)
def test_account_page_names_the_role_in_words(
    client: FlaskClient, session: Session, language: str, role: str, word: str
) -> None:
    user = make_user(session, role=role, locale=language)
    page = log_in(client, user).get("/account/").get_data(as_text=True)
    assert f"<dd>{word}</dd>" in page
    assert f"<dd>{role}</dd>" not in page
