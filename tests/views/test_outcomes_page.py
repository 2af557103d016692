"""The public outcomes page counts what was recorded here, premises only, never people."""

from __future__ import annotations

from datetime import date

from factories import make_premise, make_user, make_wish, shop_type
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from wishmap.models import Role
from wishmap.services.outcomes import outcomes_so_far, record_outcome


def test_outcomes_count_recorded_lettings_and_wishes_that_came_true(
    client: FlaskClient, session: Session
) -> None:
    make_premise(session, status="let")  # imported as already let: wishes changed nothing
    wished = make_premise(session)
    other = make_premise(session)
    resident = make_user(session, display_name="Zoé Secret")
    make_wish(session, user=resident, premise=wished)
    admin = make_user(session, role=Role.ADMIN)
    bakery = shop_type(session).id
    record_outcome(session, admin, wished.id, "opened", bakery, date(2026, 11, 2))
    record_outcome(session, admin, other.id, "let", None, date(2026, 11, 20))
    figures = outcomes_so_far(session)
    assert (figures.let, figures.opened, figures.came_true) == (1, 1, 1)
    assert [row.premise.id for row in figures.recent] == [other.id, wished.id]
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    page = client.get("/outcomes/").get_data(as_text=True)
    assert "2 locaux loués jusqu’ici" in page and "un souhait exaucé" in page
    assert wished.address in page and "Zoé Secret" not in page


def test_with_only_imported_lettings_the_page_says_since_when_it_counts(
    client: FlaskClient, session: Session
) -> None:
    # The demo imports hundreds of premises as let: "no premise has been let yet" read false.
    make_premise(session, status="let")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    page = client.get("/outcomes/").get_data(as_text=True)
    assert "Sinds de kaart online staat:" in page
    assert "Sinds de kaart online staat, is er nog geen pand verhuurd." in page
