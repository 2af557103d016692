"""A premises import that lets or opens a premise vacant on the map tells its followers, as when
its manager records it: one news item in the import's own transaction, one e-mail per follower
in their language after the commit, nothing again on a re-import, nothing when it fails."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from factories import make_user, shop_type
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap.mail import outbox_messages
from wishmap.models import Premise, PremiseNews
from wishmap.services import follows
from wishmap.services.importing import ImportFailed, read_records
from wishmap.services.imports import premises as premises_import
from wishmap.services.imports.osm_import import _one_transaction
from wishmap.services.premises import import_premises

HEADER = "ref,address,lat,lon,surface_m2,status\n"
DAY = date(2026, 11, 30)


@pytest.fixture
def outbox(outbox: Path, app: Flask) -> Path:
    # The e-mails' links start with the site's public address.
    app.config["PUBLIC_URL"] = "https://w.example"
    return outbox


def _csv(tmp_path: Path, a1: str, a2: str = "vacant", extra: str = "") -> Path:
    path = tmp_path / f"premises-{a1}-{a2}-{len(extra)}.csv"
    path.write_text(
        HEADER
        + f"A1,12 Rue de Belleville,48.8720,2.3770,60,{a1}\n"
        + f"A2,14 Rue de Belleville,48.8721,2.3772,45,{a2}\n"
        + extra,
        encoding="utf-8",
    )
    return path


def _premise(session: Session, ref: str) -> Premise:
    found = session.scalar(select(Premise).where(Premise.ref == ref))
    assert found is not None
    return found


def _news(session: Session) -> list[tuple[str, str, date]]:
    return [
        (premise.ref, news.kind, news.happened_on)
        for news, premise in session.execute(
            select(PremiseNews, Premise)
            .join(Premise, Premise.id == PremiseNews.premise_id)
            .order_by(PremiseNews.id)
        )
    ]


def _followed(session: Session, tmp_path: Path, *locales: str) -> list[int]:
    """Import A1 and A2 vacant; one follower of A1 per locale, and one of A2. Return A1's."""
    import_premises(session, read_records(_csv(tmp_path, "vacant")))
    a1, a2 = _premise(session, "A1"), _premise(session, "A2")
    users = [make_user(session, locale=locale) for locale in locales]
    for user in users:
        follows.follow(session, user.id, a1.id)
    follows.follow(session, make_user(session, locale="en").id, a2.id)
    return [user.id for user in users]


def test_an_import_that_lets_a_followed_premise_tells_each_follower_once(
    session: Session, tmp_path: Path, outbox: Path
) -> None:
    _followed(session, tmp_path, "fr", "nl")

    report = import_premises(session, read_records(_csv(tmp_path, "let")), on=DAY)

    assert (report.let, report.opened, report.followers) == (1, 0, 2)
    assert "1 no longer vacant (1 let, 0 opened), 2 followers to tell" in report.summary()
    assert _news(session) == [("A1", "let", DAY)]
    a1 = _premise(session, "A1")
    assert (a1.status, a1.let_on, a1.opened_on) == ("let", DAY, None)
    # One e-mail per follower of A1, each in its reader's language; A2's follower hears nothing.
    mails = outbox_messages(outbox)
    bodies = sorted(message.get_content() for message in mails)
    assert len(mails) == 2, [m["To"] for m in mails]
    assert sorted(message["Subject"] for message in mails) == [
        "Des nouvelles du 12 Rue de Belleville",
        "Nieuws over 12 Rue de Belleville",
    ]
    assert "- 30 nov. 2026\xa0: Loué." in bodies[0] and "- 30 nov 2026: Verhuurd." in bodies[1]

    # The same file again: the premise is already let, so no news and no e-mail.
    again = import_premises(session, read_records(_csv(tmp_path, "let")), on=date(2026, 12, 1))
    assert (again.let, again.opened, again.followers) == (0, 0, 0)
    assert (again.updated, again.unchanged) == (0, 2)
    assert "no longer vacant" not in again.summary()
    assert _news(session) == [("A1", "let", DAY)]
    assert len(outbox_messages(outbox)) == 2
    assert follows.send_follow_news(session, "https://w.example") == 0


def test_an_opened_premise_is_dated_and_news_without_an_untrue_shop_type(
    session: Session, tmp_path: Path, outbox: Path
) -> None:
    _followed(session, tmp_path, "en")
    # Once a bakery, vacant since: the file names no type, so the old one must not be news.
    _premise(session, "A1").opened_shop_type_id = shop_type(session).id
    session.commit()
    report = import_premises(session, read_records(_csv(tmp_path, "opened")), on=DAY)

    assert (report.let, report.opened, report.followers) == (0, 1, 1)
    assert _news(session) == [("A1", "opened", DAY)]
    a1 = _premise(session, "A1")
    assert (a1.status, a1.let_on, a1.opened_on, a1.opened_shop_type_id) == (
        "opened",
        DAY,
        DAY,
        None,
    )
    (mail,) = outbox_messages(outbox)
    assert "Opened." in mail.get_content() and "Bakery" not in mail.get_content()


def test_new_premises_imported_let_and_going_back_to_vacant_are_not_news(
    session: Session, tmp_path: Path, outbox: Path
) -> None:
    # Imported let from the start: never vacant on the map, nobody could have followed it.
    first = import_premises(session, read_records(_csv(tmp_path, "let", "opened")))
    assert (first.created, first.let, first.opened) == (2, 0, 0)
    a1 = _premise(session, "A1")
    follows.follow(session, make_user(session).id, a1.id)

    # Vacant again (the tenant left, or the register corrects itself): no news, no e-mail.
    back = import_premises(session, read_records(_csv(tmp_path, "vacant", "opened")), on=DAY)
    assert (back.updated, back.let, back.followers) == (1, 0, 0)
    assert _news(session) == [] and outbox_messages(outbox) == []

    # Let again afterwards is a new letting, told once.
    later = date(2027, 2, 1)
    import_premises(session, read_records(_csv(tmp_path, "let", "opened")), on=later)
    assert _news(session) == [("A1", "let", later)]
    assert _premise(session, "A1").let_on == later
    assert len(outbox_messages(outbox)) == 1


def test_a_failing_import_adds_no_news_and_sends_nothing(
    session: Session, tmp_path: Path, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _followed(session, tmp_path, "fr")
    bad_row = "A3,16 Rue de Belleville,48.8722,2.3774,soixante,vacant\n"
    with pytest.raises(ImportFailed, match="surface 'soixante' is not a number"):
        import_premises(session, read_records(_csv(tmp_path, "let", extra=bad_row)), on=DAY)
    session.rollback()
    assert _premise(session, "A1").status == "vacant"
    assert _news(session) == [] and outbox_messages(outbox) == []

    # A failure after the news was added (here the zoning links) takes the news back with it.
    def broken(_session: Session) -> None:
        raise RuntimeError("zoning failed")

    monkeypatch.setattr(premises_import, "link_premises", broken)
    with pytest.raises(RuntimeError, match="zoning failed"):
        import_premises(session, read_records(_csv(tmp_path, "let")), on=DAY)
    session.rollback()
    assert _premise(session, "A1").status == "vacant"
    assert session.scalar(select(func.count()).select_from(PremiseNews)) == 0
    assert outbox_messages(outbox) == []


def test_the_emails_are_queued_as_a_job_after_the_commit(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _followed(session, tmp_path, "fr")
    queued: list[tuple[str, bool, int]] = []

    def enqueue(name: str, *args: object) -> str:
        # What a worker would see: is the import's transaction still open, is the news there?
        still_open = session.in_transaction()  # asked first: the count below opens one
        news = session.scalar(select(func.count()).select_from(PremiseNews)) or 0
        queued.append((name, still_open, news))
        return "queued"

    monkeypatch.setattr("wishmap.jobs.enqueue", enqueue)
    import_premises(session, read_records(_csv(tmp_path, "let")), on=DAY)
    assert queued == [("send-follow-news", False, 1)]
    import_premises(session, read_records(_csv(tmp_path, "let")), on=DAY)
    assert len(queued) == 1  # nothing new, nothing queued


def test_inside_a_larger_transaction_nothing_is_sent_before_it_commits(
    session: Session, tmp_path: Path, outbox: Path
) -> None:
    _followed(session, tmp_path, "fr")
    # import_osm runs its importers so, their commits turned into flushes.
    with _one_transaction(session):
        report = import_premises(session, read_records(_csv(tmp_path, "let")), on=DAY)
        assert report.let == 1
        assert outbox_messages(outbox) == []
    assert _news(session) == [("A1", "let", DAY)]
    # The news landed with the import; the next send-follow-news pass mails it.
    assert follows.send_follow_news(session, "https://w.example") == 1


def test_the_import_command_says_how_many_were_let_and_who_will_hear(
    runner: FlaskCliRunner, session: Session, tmp_path: Path, outbox: Path
) -> None:
    _followed(session, tmp_path, "nl", "fr")
    result = runner.invoke(args=["import-premises", str(_csv(tmp_path, "verhuurd", "leeg"))])
    assert result.exit_code == 0, result.output
    assert (
        "premises: 0 created, 1 updated, 1 unchanged; 1 no longer vacant (1 let, 0 opened), "
        "2 followers to tell" in result.output
    ), result.output
    assert len(outbox_messages(outbox)) == 2
