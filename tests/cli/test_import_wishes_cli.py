"""import-wishes with respondents without an account (paper forms, anonymised survey ids)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from factories import make_premise, make_street, make_user, shop_type
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap.mail import outbox_messages
from wishmap.models import Notification, User, Wish
from wishmap.services.accounts import request_password_reset
from wishmap.services.moderation import NotFound, change_role
from wishmap.services.outcomes import record_outcome
from wishmap.services.premises import premise_demand
from wishmap.services.statistics import StatsQuery, statistics
from wishmap.services.users import UserError, authenticate, set_role


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _setup(session: Session) -> tuple[int, int]:
    """A street with one vacant premise P-1 and the taxonomy; return (street id, premise id)."""
    street = make_street(session, "Rue de Belleville")
    premise = make_premise(session, ref="P-1", street_id=street.id)
    shop_type(session, "bakery")
    return street.id, premise.id


def test_respondents_become_no_login_residents_that_count_once(
    app: Flask, runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    street_id, premise_id = _setup(session)
    account = make_user(session, email="anna@example.org")
    path = tmp_path / "enquete-belleville.csv"
    path.write_text(
        "email,numero_formulaire,shop_type,premise,reason\n"
        ",F-001,bakery,P-1,Plus de pain frais\n"
        ",F-002,bakery,P-1,\n"
        ",F-002,bakery,P-1,the same form twice: one voice\n"
        ",F-003,greengrocer,P-1,\n"
        "anna@example.org,,bakery,P-1,\n"
    )
    result = runner.invoke(args=["import-wishes", str(path)])
    assert result.exit_code == 0, result.output
    assert "4 created, 0 updated, 1 unchanged" in result.output
    assert "3 respondents without an account (3 new)" in result.output
    session.expire_all()
    respondents = session.scalars(select(User).where(User.respondent_key.is_not(None))).all()
    assert len(respondents) == 3
    for respondent in respondents:
        assert respondent.password_hash is None
        assert respondent.email.endswith("@respondent.invalid")
        assert respondent.display_name == "enquete-belleville"
        assert respondent.role == "resident" and respondent.email_verified_at is not None
    assert count(session, User) == 4
    # Statistics and the premise's counts treat respondents like any resident.
    table = statistics(session, StatsQuery(by=("street",)), min_residents=1)
    (row,) = table.rows
    assert row.keys == (street_id,)
    assert (row.wishes, row.residents) == (4, 4)
    demand = premise_demand(session, premise_id)
    assert demand is not None and demand.total == 4
    assert dict((t.code, n) for t, n in demand.types) == {"bakery": 3, "greengrocer": 1}
    assert [r.name for r in demand.reasons] == ["enquete-belleville"]
    # The public map's badge counts them too.
    features = app.test_client().get("/api/premises.geojson?bbox=2.37,48.87,2.40,48.89").json
    assert features is not None
    assert [f["properties"]["wishes"] for f in features["features"]] == [4]
    assert account.id in set(session.scalars(select(Wish.user_id)))

    # Re-importing the same file creates neither residents nor wishes.
    again = runner.invoke(args=["import-wishes", str(path)])
    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated, 5 unchanged" in again.output
    assert "3 respondents without an account (0 new)" in again.output
    session.expire_all()
    assert count(session, User) == 4
    assert count(session, Wish) == 4

    # The same form numbers in another campaign are other people.
    other = runner.invoke(args=["import-wishes", str(path), "--campaign", "Enquête 2027"])
    assert other.exit_code == 0, other.output
    assert "3 respondents without an account (3 new)" in other.output
    session.expire_all()
    assert count(session, User) == 7


def test_respondents_cannot_log_in_get_no_mail_and_no_notification(
    app: Flask, runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    _street_id, premise_id = _setup(session)
    outbox = tmp_path / "outbox"
    app.config.update(MAIL_BACKEND="folder", MAIL_OUTBOX=str(outbox))
    resident = make_user(session, email="bob@example.org")
    path = tmp_path / "forms.csv"
    path.write_text(
        "resident,respondent_nummer,shop_type,premise\n"
        ",17,bakery,P-1\n"
        "bob@example.org,,bakery,P-1\n"
    )
    assert runner.invoke(args=["import-wishes", str(path)]).exit_code == 0
    session.expire_all()
    respondent = session.scalar(select(User).where(User.respondent_key.is_not(None)))
    assert respondent is not None
    assert authenticate(session, respondent.email, "") is None
    request_password_reset(session, respondent.email, lambda secret: f"/r/{secret}", 60)
    assert outbox_messages(outbox) == []
    admin = make_user(session, role="admin")
    # Nobody can give a respondent a role: not the admin's page, not the command line.
    with pytest.raises(NotFound):
        change_role(session, admin, respondent.email, "owner")
    with pytest.raises(UserError):
        set_role(session, respondent.email, "owner")
    assert runner.invoke(args=["set-role", respondent.email, "admin"]).exit_code == 1
    session.expire_all()
    assert respondent.role == "resident"
    notifications = record_outcome(
        session, admin, premise_id, "opened", shop_type(session, "bakery").id, date(2026, 6, 1)
    )
    assert [n.user_id for n in notifications] == [resident.id]
    assert count(session, Notification) == 1
    assert [str(m["To"]) for m in outbox_messages(outbox)] == ["bob@example.org"]


def test_bad_rows_name_their_lines_and_change_nothing(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    _setup(session)
    path = tmp_path / "bad.csv"
    path.write_text(
        "email,form_number,shop_type,premise\n"
        ",F-1,bakery,P-1\n"
        ",,bakery,P-1\n"
        "nobody@example.org,,bakery,P-1\n"
        f",{'x' * 101},bakery,P-1\n"
        ",F-5,bakery,P-404\n"
        ",anna@example.org,bakery,P-1\n"
    )
    result = runner.invoke(args=["import-wishes", str(path)])
    assert result.exit_code == 1
    assert "nothing imported" in result.output
    assert "line 3: names neither a resident's e-mail nor a respondent id" in result.output
    assert "line 4: resident 'nobody@example.org' has no account" in result.output
    assert "line 5: respondent id is longer than 100 characters" in result.output
    assert "line 6: premise 'P-404' is unknown" in result.output
    assert "line 7: the respondent id is an e-mail address: put it in the email column" in (
        result.output
    )
    session.expire_all()
    assert count(session, User) == 0
    assert count(session, Wish) == 0


def test_empty_and_non_utf8_files_are_refused(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    _setup(session)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    header_only = tmp_path / "header.csv"
    header_only.write_text("respondent,shop_type,premise\n")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("répondant,shop_type,premise\nF-1,boulangerie,P-1\n".encode("cp1252"))
    for path in (empty, header_only, latin1):
        result = runner.invoke(args=["import-wishes", str(path)])
        assert result.exit_code == 1, (path.name, result.output)
        assert "nothing imported" in result.output, result.output
    assert "UTF-8" in runner.invoke(args=["import-wishes", str(latin1)]).output
    session.expire_all()
    assert count(session, User) == 0
    assert count(session, Wish) == 0
