"""The public premise page: reasons can be reported to the moderators from where they are read."""

from __future__ import annotations

from factories import make_premise, make_user, make_wish
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.models import Report


def test_reason_has_a_report_link_that_files_a_report(
    client: FlaskClient, session: Session
) -> None:
    premise = make_premise(session)
    wish = make_wish(session, premise=premise, reason="Un texte blessant")
    page = client.get(f"/premises/{premise.id}").get_data(as_text=True)
    link = f"/reports/wishes/{wish.id}"
    assert "Un texte blessant" in page and link in page
    reader = make_user(session)
    log_in(client, reader)
    response = client.post(
        link, data={"csrf_token": csrf_token(client, link), "reason": "Insulting to the neighbours"}
    )
    assert response.status_code == 302
    [report] = session.scalars(select(Report)).all()
    assert report.wish_id == wish.id and report.reporter_id == reader.id
