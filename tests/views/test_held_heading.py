"""The held-wishes queue's burst headings read right in French (no English colon)."""

from __future__ import annotations

from factories import make_premise, make_user, make_wish, shop_type
from flask import Flask
from sqlalchemy.orm import Session
from web import log_in

from wishmap.models import Role
from wishmap.services import holds


def test_burst_heading_in_french(app: Flask, session: Session) -> None:
    bakery = shop_type(session)
    premise = make_premise(session, address="20 Rue de Chaumont")
    ids = [make_wish(session, premise=premise, status="held").id for _wish in range(2)]
    holds.record_holds(session, ids, "active", "one-network", f"premise:{premise.id}:type:1")
    session.commit()
    admin = log_in(app.test_client(), make_user(session, role=Role.ADMIN, locale="fr"))
    page = admin.get("/admin/held").get_data(as_text=True)
    # It read "2 souhaits retenus: Boulangerie, …": French wants a space before a colon.
    assert "2 souhaits retenus —" in page
    assert "retenus:" not in page
    assert bakery.label("fr") in page and "20 Rue de Chaumont" in page
