"""Accounts from the command line: create-user, set-role, import-residents."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from factories import make_user
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from web import log_in

from wishmap.mail import outbox_messages
from wishmap.models import AuditEntry, User
from wishmap.services.accounts import reset_password
from wishmap.services.users import authenticate


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def outbox(app: Flask, tmp_path: Path) -> Path:
    folder = tmp_path / "outbox"
    app.config.update(MAIL_BACKEND="folder", MAIL_OUTBOX=str(folder))
    return folder


def _secret(message: object) -> str:
    """Return the token secret of the set-password link in an e-mail."""
    body = message.get_content()  # type: ignore[attr-defined]
    match = re.search(r"http://127\.0\.0\.1:5000/account/reset/(\S+)", body)
    assert match, body
    return match.group(1)


def test_create_user_prompts_twice_and_makes_a_verified_admin(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(
        args=["create-user", " Chief@City.example ", "--role", "admin", "--name", "Chief"],
        input="a long passphrase\na long passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output
    assert "a long passphrase" not in result.output  # hidden input
    session.expire_all()
    user = authenticate(session, "chief@city.example", "a long passphrase")
    assert user is not None
    assert (user.role, user.display_name) == ("admin", "Chief")
    assert user.email_verified_at is not None
    entry = session.scalar(select(AuditEntry))
    assert entry is not None
    assert (entry.action, entry.target_id, entry.actor_id, entry.actor_role) == (
        "create_user",
        user.id,
        None,
        "cli",
    )


def test_create_user_password_from_stdin(runner: FlaskCliRunner, session: Session) -> None:
    result = runner.invoke(
        args=["create-user", "officer@city.example", "--role", "officer", "--password-stdin"],
        input="ten chars!!\n",
    )
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert authenticate(session, "officer@city.example", "ten chars!!") is not None


def test_create_user_send_link_sets_the_password_through_the_reset_page(
    runner: FlaskCliRunner, session: Session, outbox: Path
) -> None:
    result = runner.invoke(
        args=["create-user", "agency@city.example", "--role", "agency", "--send-link"]
    )
    assert result.exit_code == 0, result.output
    (message,) = outbox_messages(outbox)
    assert str(message["To"]) == "agency@city.example"
    assert "7 days" in message.get_content()
    session.expire_all()
    user = session.scalar(select(User).where(User.email == "agency@city.example"))
    assert user is not None and user.password_hash is None and user.role == "agency"
    reset_password(session, _secret(message), "chosen by the agency")
    assert authenticate(session, "agency@city.example", "chosen by the agency") is not None


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["taken@example.org", "--role", "admin"], "long enough pw\nlong enough pw\n",
         "an account for taken@example.org already exists"),
        (["new@example.org", "--role", "mayor"], "", "unknown role 'mayor'; choose one of"),
        (["new@example.org", "--role", "admin"], "short\nshort\n",
         "a password needs at least 10 characters; no account was created"),
        (["new@example.org", "--role", "admin", "--password-stdin"], "short\n",
         "a password needs at least 10 characters"),
        (["not-an-address", "--role", "admin"], "", "'not-an-address' is not an e-mail address"),
        (["x@respondent.invalid", "--role", "admin"], "", "cannot receive e-mail"),
        (["new@example.org", "--role", "admin", "--send-link", "--password-stdin"], "",
         "either --password-stdin or --send-link"),
    ],
)  # fmt: skip
def test_create_user_bad_input_exits_1_and_changes_nothing(
    runner: FlaskCliRunner, session: Session, args: list[str], stdin: str, message: str
) -> None:
    make_user(session, email="taken@example.org")
    result = runner.invoke(args=["create-user", *args], input=stdin)
    assert result.exit_code == 1, result.output
    assert message in result.output
    session.expire_all()
    assert count(session, User) == 1
    assert count(session, AuditEntry) == 0


def test_set_role_is_audited_and_refuses_bad_input(
    runner: FlaskCliRunner, session: Session
) -> None:
    user = make_user(session, email="shop@example.org")
    result = runner.invoke(args=["set-role", "SHOP@example.org", "owner"])
    assert result.exit_code == 0, result.output
    assert f"account #{user.id}: role resident → owner" in result.output
    session.expire_all()
    assert session.get(User, user.id).role == "owner"  # type: ignore[union-attr]
    entry = session.scalar(select(AuditEntry))
    assert entry is not None
    assert (entry.action, entry.target_type, entry.target_id, entry.actor_role) == (
        "change_role",
        "user",
        user.id,
        "cli",
    )
    assert (entry.before, entry.after) == ('{"role": "resident"}', '{"role": "owner"}')
    for args, message in (
        (["nobody@example.org", "admin"], "no account has the address 'nobody@example.org'"),
        (["shop@example.org", "king"], "unknown role 'king'"),
    ):
        result = runner.invoke(args=["set-role", *args])
        assert result.exit_code == 1, result.output
        assert message in result.output
    session.expire_all()
    assert session.get(User, user.id).role == "owner"  # type: ignore[union-attr]
    assert count(session, AuditEntry) == 1


def test_audit_page_names_the_command_line(app: Flask, session: Session) -> None:
    from wishmap.services.users import set_role

    admin = make_user(session, role="admin", email="boss@example.org")
    make_user(session, email="shop@example.org")
    set_role(session, "shop@example.org", "owner")
    page = log_in(app.test_client(), admin).get("/admin/audit")
    assert page.status_code == 200
    assert "command line on the server" in page.get_data(as_text=True)


RESIDENTS = (
    "email,name,role,locale\n"
    "ana@example.org,Ana,,fr\n"
    "Bert@Example.org,Bert,owner,nl\n"
    "cleo@example.org,,,\n"
)


def test_import_residents_invites_and_reimport_updates_names(
    runner: FlaskCliRunner, session: Session, outbox: Path, tmp_path: Path
) -> None:
    path = tmp_path / "panel.csv"
    path.write_text(RESIDENTS)
    result = runner.invoke(args=["import-residents", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated, 0 unchanged" in result.output
    assert "3 invitations sent" in result.output
    assert "residents: 3/3 rows checked" in result.output  # progress (stderr)
    mails = {str(m["To"]): m for m in outbox_messages(outbox)}
    assert set(mails) == {"ana@example.org", "bert@example.org", "cleo@example.org"}
    # Each invitation speaks the resident's language.
    assert "Bonjour Ana" in mails["ana@example.org"].get_content()
    assert "Hallo Bert" in mails["bert@example.org"].get_content()
    session.expire_all()
    users = {u.email: u for u in session.scalars(select(User))}
    assert (users["bert@example.org"].role, users["bert@example.org"].locale) == ("owner", "nl")
    assert users["cleo@example.org"].display_name == "cleo"
    assert all(u.email_verified_at is None and u.password_hash is None for u in users.values())
    reset_password(session, _secret(mails["ana@example.org"]), "ana's own password")
    assert authenticate(session, "ana@example.org", "ana's own password") is not None

    path.write_text(
        "email,name,role\nana@example.org,Ana Martin,\nbert@example.org,Bert,admin\n"
        "dora@example.org,Dora,\n"
    )
    result = runner.invoke(args=["import-residents", str(path), "--verified"])
    assert result.exit_code == 0, result.output
    assert "1 created, 1 updated, 1 unchanged" in result.output
    assert "1 existing accounts kept their role (use set-role)" in result.output
    session.expire_all()
    assert count(session, User) == 4
    users = {u.email: u for u in session.scalars(select(User))}
    assert users["ana@example.org"].display_name == "Ana Martin"
    assert users["bert@example.org"].role == "owner"
    assert users["dora@example.org"].email_verified_at is not None
    assert len(outbox_messages(outbox)) == 3  # --verified: no new invitation

    result = runner.invoke(args=["import-residents", str(path), "--resend-invitations"])
    assert result.exit_code == 0, result.output
    # Bert never chose a password; Ana did, Dora is verified.
    assert "1 invitations sent" in result.output
    assert [str(m["To"]) for m in outbox_messages(outbox)][3:] == ["bert@example.org"]


def test_import_residents_bad_rows_change_nothing(
    runner: FlaskCliRunner, session: Session, outbox: Path, tmp_path: Path
) -> None:
    make_user(session, email="kept@example.org", display_name="Kept")
    path = tmp_path / "bad.csv"
    path.write_text(
        "email,name,role,locale\n"
        "kept@example.org,Renamed,,\n"
        "new@example.org,New,,\n"
        "not an address,X,,\n"
        "boss@example.org,Boss,mayor,\n"
        "NEW@example.org,Twice,,\n"
        "de@example.org,De,,de\n"
        f"long@example.org,{'n' * 81},,\n"
        ",No address,,\n"
    )
    result = runner.invoke(args=["import-residents", str(path)])
    assert result.exit_code == 1
    output = result.output
    assert "nothing imported" in output
    assert "line 4: 'not an address' is not an e-mail address" in output
    assert "line 5: unknown role 'mayor'" in output
    assert "line 6: new@example.org is already on line 3" in output
    assert "line 7: unknown language 'de'; choose one of en, fr, nl" in output
    assert "line 8: the name is longer than 80 characters" in output
    assert "line 9: no e-mail address" in output
    session.expire_all()
    assert [u.display_name for u in session.scalars(select(User))] == ["Kept"]
    assert count(session, AuditEntry) == 0
    assert outbox_messages(outbox) == []


def test_import_residents_refuses_empty_and_non_utf8_files(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    header = tmp_path / "header.csv"
    header.write_text("email,name\n")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("email,name\nzoe@example.org,Zoé\n".encode("cp1252"))
    for path in (empty, header, latin1):
        result = runner.invoke(args=["import-residents", str(path)])
        assert result.exit_code == 1, (path.name, result.output)
        assert "nothing imported" in result.output
    assert "UTF-8" in runner.invoke(args=["import-residents", str(latin1)]).output
    session.expire_all()
    assert count(session, User) == 0


def test_account_commands_have_help(runner: FlaskCliRunner) -> None:
    for command in ("create-user", "set-role", "import-residents", "import-wishes"):
        result = runner.invoke(args=[command, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, command
    assert "--campaign" in runner.invoke(args=["import-wishes", "--help"]).output
