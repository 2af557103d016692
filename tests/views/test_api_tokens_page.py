"""The API-token page as an officer reads it: the header to send, whole, in each language."""

from __future__ import annotations

import pytest
from factories import make_user
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web import log_in


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "Authorization: Bearer &lt;token&gt;"),
        ("fr", "Authorization: Bearer &lt;jeton&gt;"),
        ("nl", "Authorization: Bearer &lt;token&gt;"),
    ],
)
def test_token_page_shows_the_placeholder_of_the_header(
    client: FlaskClient, session: Session, language: str, shown: str
) -> None:
    # An unescaped <token> is an unknown HTML element: the browser showed "Bearer ." instead.
    officer = make_user(session, role="officer", locale=language)
    page = log_in(client, officer).get("/account/api-tokens/").get_data(as_text=True)
    assert shown in page
    assert "Bearer <" not in page
