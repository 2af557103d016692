"""A premise's link previews well when shared: Open Graph title and description, a Share button."""

from __future__ import annotations

from factories import make_premise, make_wish
from flask.testing import FlaskClient
from sqlalchemy.orm import Session


def test_premise_page_has_a_preview_and_a_share_button_in_the_readers_language(
    client: FlaskClient, session: Session
) -> None:
    premise = make_premise(session)
    make_wish(session, premise=premise)
    make_wish(session, premise=premise)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    page = client.get(f"/premises/{premise.id}").get_data(as_text=True)
    assert f'<meta property="og:title" content="{premise.address} — Wishmap">' in page
    assert (
        f'content="Que devrait-il ouvrir au {premise.address}\xa0? 2 souhaits jusqu’ici. '
        "Boulangerie (2)" in page
    )
    assert f'content="http://localhost/premises/{premise.id}"' in page
    assert "Partager ce local" in page and "js/share.js" in page
