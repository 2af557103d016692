"""Reporting a wish: the page repeats its text only to its author and admins; rate-limited."""

from __future__ import annotations

from factories import make_premise, make_user, make_wish
from flask import Flask
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.models import Role

SECRET = "Only my neighbours should not read this"


def test_the_report_page_shows_a_wishs_text_only_to_its_author_and_admins(
    app: Flask, session: Session
) -> None:
    author = make_user(session)
    free = make_wish(session, user=author, reason=SECRET)  # a free wish: its text is private
    stranger = log_in(app.test_client(), make_user(session))
    page = stranger.get(f"/reports/wishes/{free.id}")
    # Before: any logged-in person read the reason of any active wish here.
    assert page.status_code == 200 and SECRET not in page.get_data(as_text=True)
    assert "a point of the district" in page.get_data(as_text=True)
    mine = log_in(app.test_client(), author).get(f"/reports/wishes/{free.id}")
    assert SECRET in mine.get_data(as_text=True)
    admin = log_in(app.test_client(), make_user(session, role=Role.ADMIN))
    assert SECRET in admin.get(f"/reports/wishes/{free.id}").get_data(as_text=True)
    on_premise = make_wish(session, premise=make_premise(session), reason=SECRET)
    page = stranger.get(f"/reports/wishes/{on_premise.id}").get_data(as_text=True)
    assert SECRET not in page and "Rue de Test" in page


def test_reports_are_rate_limited_per_account(app: Flask, session: Session) -> None:
    app.config["REPORT_RATE_LIMIT"] = "2 per hour"
    wishes = [make_wish(session, reason=f"Text {n}") for n in range(3)]
    reporter = log_in(app.test_client(), make_user(session))
    statuses = [
        reporter.post(
            f"/reports/wishes/{wish.id}",
            data={"csrf_token": csrf_token(reporter, "/"), "reason": "Spam"},
        ).status_code
        for wish in wishes
    ]
    # Before: every report went through, however many.
    assert statuses == [302, 302, 429]
