"""A let premise in the portfolio: unscored, never said to have no wishes around it."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from portfolio_data import plant
from sqlalchemy import delete
from sqlalchemy.orm import Session
from test_portfolio_views import row_of
from web import log_in

from wishmap.models.premise_gap import PremiseGap


def test_an_unscored_let_premise_is_not_said_to_have_no_wishes(
    client: FlaskClient, session: Session
) -> None:
    town = plant(session)
    # As `flask analyse` leaves it without --include-let: no scores for the let premise.
    let_premise = town["premises"]["south"]
    session.execute(delete(PremiseGap).where(PremiseGap.premise_id == let_premise.id))
    session.commit()
    log_in(client, town["agency"])
    html = client.get("/portfolio/?sort=address").get_data(as_text=True)
    let = row_of(html, "4 Rue Sud")
    assert "Let" in let
    assert "No wishes within walking distance yet" not in let
    assert re.search(r'data-label="Best-matching shop types">\s*—\s*</td>', let)
