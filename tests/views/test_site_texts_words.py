"""The site-texts page names each language in the reader's language inside its sentences."""

from __future__ import annotations

import pytest
from factories import make_user
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web import log_in


@pytest.mark.parametrize(
    ("language", "button", "not_shown"),
    [
        ("en", "Save the texts in French", "Save the texts in Français"),
        ("fr", "Enregistrer les textes en anglais", "Enregistrer les textes en English"),
        ("nl", "De teksten in het Frans bewaren", "De teksten in het Français bewaren"),
    ],
)
def test_save_buttons_name_the_language_in_the_readers_words(
    client: FlaskClient, session: Session, language: str, button: str, not_shown: str
) -> None:
    admin = make_user(session, role="admin", locale=language)
    page = log_in(client, admin).get("/admin/texts").get_data(as_text=True)
    assert button in page
    assert not_shown not in page
