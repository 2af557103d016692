"""Every e-mail Wishmap sends speaks its recipient's language, whatever the request's: each one
is made for a resident (or a candidate) who chose French or Dutch, during a request whose
browser asks for the other language, and checked for English words (tests/english_leaks.py)
and for the greeting of the chosen language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import application_data
import pytest
from english_leaks import english_words
from factories import make_premise, make_user, make_wish
from flask import Flask
from sqlalchemy.orm import Session

from wishmap.models import Notification, PremiseStatus, User, WishStatus
from wishmap.services import accounts, follows, holds, notifications
from wishmap.services.applications import decisions, submission
from wishmap.services.users import set_password

GREETING = {"fr": "Bonjour", "nl": "Hallo"}
OTHER = {"fr": "nl", "nl": "fr"}
PASSWORD = "correct horse battery"


def _link(secret: str) -> str:
    return f"https://example.org/link/{secret}"


def _emails(session: Session, resident: User, language: str) -> dict[str, Callable[[], object]]:
    """Each e-mail of the app, by name, as a call that sends exactly one."""
    premise = make_premise(session, address="12 Rue du Pain", manager_id=None)
    held = make_wish(session, user=resident, premise=premise, status=WishStatus.HELD.value)
    follows.follow(session, resident.id, premise.id)
    data = application_data.plant(session, analyse=False)
    form = {**application_data.FORM, "premise": str(data["premise"].id)}

    def follow_news() -> int:
        premise.status = PremiseStatus.LET.value
        follows.note_outcome(session, premise, date(2026, 11, 2))
        session.commit()
        return follows.send_follow_news(session, "https://example.org")

    def outcome() -> int:
        note = Notification(user_id=resident.id, premise_id=premise.id, outcome="let")
        session.add(note)
        session.commit()
        return notifications.email_notifications(session, [note], "https://example.org/me/")

    def change_email() -> object:
        sent = accounts.request_email_change(
            session, resident, PASSWORD, f"new.{language}@example.org", _link, 24
        )
        return sent

    def email_changed() -> object:
        secrets: list[str] = []
        accounts.request_email_change(
            session, resident, PASSWORD, f"newer.{language}@example.org", secrets.append, 24
        )
        _SENT.clear()  # only the notice to the old address is checked here
        return accounts.confirm_email_change(session, secrets[0])

    def application_sent() -> object:
        return submission.submit_application(session, form, language, _link, 72)

    def application_rejected() -> object:
        application, _mailed = submission.submit_application(session, form, language, _link, 72)
        application.status = "submitted"
        session.commit()
        _SENT.clear()
        return decisions.decide(
            session, data["owner"], data["premise"].id, application.id, "reject"
        )

    return {
        "verification": lambda: accounts.send_verification(session, resident, _link, 24),
        "registered twice": lambda: accounts.register_account(
            session, resident.email, "X", PASSWORD, _link, 24, reset_link="https://example.org/r"
        ),
        "password reset": lambda: accounts.request_password_reset(
            session, resident.email, _link, 30
        ),
        "account made for you": lambda: accounts.send_set_password_link(
            session, resident, _link, 7
        ),
        "new address to confirm": change_email,
        "address changed": email_changed,
        "wish held": lambda: holds.mail_held(session, [held.id]),
        "premise news": follow_news,
        "wish came true": outcome,
        "application to confirm": application_sent,
        "application rejected": application_rejected,
    }


_SENT: list[tuple[str, str, str]] = []


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_every_email_speaks_the_recipients_language_not_the_browsers(
    app: Flask, session: Session, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident = make_user(session, display_name="Camille", locale=language)
    set_password(resident, PASSWORD)
    session.commit()
    _SENT.clear()
    monkeypatch.setattr(
        "wishmap.mail.send_mail", lambda to, subject, body: _SENT.append((to, subject, body))
    )
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    problems = {}
    for name, send in _emails(session, resident, language).items():
        _SENT.clear()
        # The browser asks for the other language; the e-mail must not follow it.
        headers = {"Accept-Language": OTHER[language]}
        with app.test_request_context("/", headers=headers):
            send()
        if len(_SENT) != 1:
            problems[name] = f"{len(_SENT)} e-mails"
            continue
        [(_to, subject, body)] = _SENT
        text = f"{subject}\n{body}"
        if found := english_words(text, language, html=False):
            problems[name] = sorted(found)
        elif not re.search(GREETING[language], body):
            problems[name] = f"no {GREETING[language]!r}: {body[:80]!r}"
    assert problems == {}, problems
