"""Admin lists stay a screenful however long the moderation queue grows."""

from __future__ import annotations

from factories import make_premise, make_user, make_wish
from flask import Flask
from sqlalchemy.orm import Session
from web import log_in

from wishmap.models import Report, Role
from wishmap.services import moderation
from wishmap.views.admin import REPORTS_SHOWN


def test_the_report_queue_shows_the_oldest_and_counts_the_rest(
    app: Flask, session: Session
) -> None:
    premise = make_premise(session)
    reporter = make_user(session)
    wishes = [make_wish(session, premise=premise, reason=f"text {n}") for n in range(3)]
    session.add_all(
        Report(wish_id=wishes[n % 3].id, reporter_id=reporter.id, reason=f"report-{n:03d}")
        for n in range(REPORTS_SHOWN + 5)
    )
    session.commit()
    assert moderation.open_report_count(session) == REPORTS_SHOWN + 5
    assert len(moderation.open_reports(session, limit=7)) == 7
    client = log_in(app.test_client(), make_user(session, role=Role.ADMIN))
    page = client.get("/admin/reports").get_data(as_text=True)
    assert page.count("report-") == REPORTS_SHOWN
    assert "report-000" in page and f"report-{REPORTS_SHOWN + 4:03d}" not in page
    assert f"The {REPORTS_SHOWN} oldest of {REPORTS_SHOWN + 5} open reports" in page
    overview = client.get("/admin/").get_data(as_text=True)
    assert str(REPORTS_SHOWN + 5) in overview
