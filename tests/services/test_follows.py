"""Following a premise: follow and unfollow, news when it is let or its report changes, e-mailed
once to each follower in the language they chose, with a link that stops the follow."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from factories import make_premise, make_street, make_user, make_wish, shop_type
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from wishmap.mail import outbox_messages
from wishmap.models import PremiseFollow, PremiseNews, Role
from wishmap.services import follows
from wishmap.services.analysis import run_analysis
from wishmap.services.outcomes import record_outcome


@pytest.fixture
def outbox(outbox: Path, app: Flask) -> Path:
    # The e-mails' links start with the site's public address.
    app.config["PUBLIC_URL"] = "https://w.example"
    return outbox


def test_follow_is_once_per_resident_and_premise_and_unfollow_ends_it(session: Session) -> None:
    resident, premise = make_user(session), make_premise(session)
    assert follows.follow(session, resident.id, premise.id) is True
    assert follows.follow(session, resident.id, premise.id) is False  # again: still one
    assert follows.following(session, resident.id, premise.id)
    assert [p.id for p in follows.followed_premises(session, resident.id)] == [premise.id]
    assert len(session.scalars(select(PremiseFollow)).all()) == 1
    assert follows.unfollow(session, resident.id, premise.id) is True
    assert follows.unfollow(session, resident.id, premise.id) is False
    assert not follows.following(session, resident.id, premise.id)
    with pytest.raises(follows.FollowError):
        follows.follow(session, resident.id, premise.id + 1000)


def test_followers_get_the_letting_in_their_own_language_once(
    app: Flask, session: Session, outbox: Path
) -> None:
    premise = make_premise(session, address="12 Rue de Belleville")
    french = make_user(session, locale="fr")
    dutch = make_user(session, locale="nl")
    unfollowed = make_user(session, locale="fr")
    for user in (french, dutch, unfollowed):
        follows.follow(session, user.id, premise.id)
    follows.unfollow(session, unfollowed.id, premise.id)
    admin = make_user(session, role=Role.ADMIN)
    bakery = shop_type(session).id

    # The admin's request speaks English; each follower reads their own language.
    with app.test_request_context(headers={"Accept-Language": "en"}):
        record_outcome(session, admin, premise.id, "let", bakery, date(2026, 11, 30))

    mails = {message["To"]: message for message in outbox_messages(outbox)}
    assert set(mails) == {french.email, dutch.email}
    fr, nl = mails[french.email], mails[dutch.email]
    assert fr["Subject"] == "Des nouvelles du 12 Rue de Belleville"
    # The date in the follower's language too, not the admin's request's (nor ISO).
    assert "- 30 nov. 2026\xa0: Loué, pour\xa0: Boulangerie.\n" in fr.get_content()
    assert "Le local\xa0: https://w.example/premises/" in fr.get_content()
    assert "- 30 nov 2026: Verhuurd, voor: Bakkerij." in nl.get_content()
    link = re.search(r"https://w\.example/premises/unfollow/(\S+)", fr.get_content())
    assert link, fr.get_content()
    assert follows.read_unfollow_token(session, link.group(1))[0] == french.id  # type: ignore[index]
    assert "Boulangerie" not in nl.get_content() and "Let, for" not in fr.get_content()

    # Sent once: the next pass finds nothing new.
    assert follows.send_follow_news(session, "https://w.example") == 0
    assert len(outbox_messages(outbox)) == 2
    news = session.scalars(select(PremiseNews)).all()
    assert [(n.kind, n.happened_on, n.shop_type_id) for n in news] == [
        ("let", date(2026, 11, 30), bakery)
    ]


def test_a_mail_server_that_is_down_only_delays_the_news(
    app: Flask, session: Session, outbox: Path, runner: FlaskCliRunner
) -> None:
    premise = make_premise(session)
    follower = make_user(session)
    follows.follow(session, follower.id, premise.id)
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=9)
    record_outcome(
        session, make_user(session, role=Role.ADMIN), premise.id, "let", None, date.today()
    )
    assert outbox_messages(outbox) == []
    app.config.update(MAIL_BACKEND="folder")
    # The command that retries residents' e-mails beside the web server sends it now.
    result = runner.invoke(args=["send-notifications"])
    assert "premise news: 1 e-mails sent to followers" in result.output, result.output
    assert "has been let" not in outbox_messages(outbox)[0].get_content()
    assert "Let." in outbox_messages(outbox)[0].get_content()


def _bread_street(session: Session) -> tuple[int, object]:
    street = make_street(session, "Rue du Pain")
    premise = make_premise(session, street_id=street.id, street_name="Rue du Pain", lat=48.8801)
    return street.id, premise


def test_followers_hear_when_the_reports_top_types_change(
    app: Flask, session: Session, outbox: Path
) -> None:
    _street, premise = _bread_street(session)
    follower = make_user(session, locale="fr")
    follows.follow(session, follower.id, premise.id)
    for _ in range(3):
        make_wish(session, premise=premise, code="bakery")

    run_analysis(session)
    first = outbox_messages(outbox)
    assert len(first) == 1
    assert "les plus souhaités autour de lui sont maintenant Boulangerie." in first[0].get_content()

    # The same wishes again: the same top types, no news and no e-mail.
    run_analysis(session)
    assert len(outbox_messages(outbox)) == 1

    for _ in range(4):
        make_wish(session, premise=premise, code="books")
    run_analysis(session)
    mails = outbox_messages(outbox)
    assert len(mails) == 2
    body = mails[1].get_content()
    assert "Librairie" in body and "Boulangerie" in body and "/premises/unfollow/" in body
    kinds = session.scalars(
        select(PremiseNews.kind).where(PremiseNews.premise_id == premise.id)
    ).all()
    assert kinds == ["report", "report"]


def test_news_from_before_the_follow_is_not_sent(
    app: Flask, session: Session, outbox: Path
) -> None:
    _street, premise = _bread_street(session)
    make_wish(session, premise=premise, code="bakery")
    run_analysis(session)  # a report before anyone follows
    follower = make_user(session)
    follows.follow(session, follower.id, premise.id)
    assert follows.send_follow_news(session, "https://w.example") == 0
    assert outbox_messages(outbox) == []


def test_latest_news_per_premise_and_dates_of_lettings_recorded_before_news(
    session: Session,
) -> None:
    let_earlier = make_premise(session, status="let", let_on=date(2025, 3, 1))
    vacant = make_premise(session)
    recorded = make_premise(session)
    record_outcome(
        session,
        make_user(session, role=Role.ADMIN),
        recorded.id,
        "opened",
        shop_type(session, "books").id,
        date(2026, 10, 1),
    )
    news = follows.latest_news(session, [let_earlier, vacant, recorded])
    assert set(news) == {let_earlier.id, recorded.id}
    assert (news[let_earlier.id].kind, news[let_earlier.id].on) == ("let", date(2025, 3, 1))
    assert news[recorded.id].kind == "opened" and news[recorded.id].shop_type.code == "books"


def test_a_let_premise_scored_with_include_let_gets_no_report_news(session: Session) -> None:
    _street, premise = _bread_street(session)
    make_wish(session, premise=premise, code="bakery")
    record_outcome(
        session, make_user(session, role=Role.ADMIN), premise.id, "let", None, date(2026, 11, 1)
    )
    run_analysis(session, premise_statuses=("vacant", "let", "opened"))
    kinds = session.scalars(select(PremiseNews.kind).where(PremiseNews.premise_id == premise.id))
    assert list(kinds) == ["let"]
