"""Flask commands for accounts: create-user, set-role, import-residents.

The first admin of a fresh installation is made here; so are the city's officers and a
participation panel's residents. Each command checks everything before it changes anything,
exits with status 1 and a message saying why when it cannot, and is audited (actor: the
command line).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app, url_for

from wishmap import db
from wishmap.i18n import LANGUAGES
from wishmap.models import Role
from wishmap.services.accounts import LinkFn
from wishmap.services.importing import ImportFailed, ProgressFn, read_records
from wishmap.services.respondents import is_reserved_address
from wishmap.services.users import EMAIL_PATTERN, MIN_PASSWORD, UserError, user_by_email

ROLES = ", ".join(role.value for role in Role)
LINK_DAYS = click.option(
    "--link-days",
    type=click.IntRange(1, 60),
    default=7,
    show_default=True,
    help="How long the e-mailed link to choose a password works.",
)


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _role(value: str) -> str:
    """Return value as a role, or exit 1 naming the roles (click.Choice would exit 2)."""
    role = value.strip().lower()
    if role not in {r.value for r in Role}:
        _fail(f"unknown role {value!r}; choose one of {ROLES}")
    return role


def _set_password_link() -> LinkFn:
    """Return a function turning a token secret into the public URL of the password page."""
    base_url = current_app.config["PUBLIC_URL"]

    def link(secret: str) -> str:
        # No request is running: build the URL as if one had come to the public address.
        with current_app.test_request_context(base_url=base_url):
            return url_for("accounts.reset_password", token=secret, _external=True)

    return link


@click.command("create-user")
@click.argument("email")
@click.option("--role", required=True, metavar="ROLE", help=f"One of: {ROLES}.")
@click.option("--name", default="", help="Display name (default: the part before the @).")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)
@click.option(
    "--send-link",
    is_flag=True,
    help="Set no password; e-mail a link with which the person chooses one.",
)
@LINK_DAYS
def create_user_command(
    email: str, role: str, name: str, password_stdin: bool, send_link: bool, link_days: int
) -> None:
    """Create a verified account with a role, e.g. the first admin.

    The password is asked for twice (hidden) unless --password-stdin or --send-link is given.
    It needs at least 10 characters, as on the registration page.
    """
    from wishmap.services.accounts import send_set_password_link
    from wishmap.services.users import create_account

    if password_stdin and send_link:
        _fail("give either --password-stdin or --send-link, not both")
    role = _role(role)
    email = email.strip().lower()
    if not EMAIL_PATTERN.match(email):
        _fail(f"{email!r} is not an e-mail address")
    if is_reserved_address(email):
        _fail(f"{email!r} cannot receive e-mail")
    db.upgrade(db.engine())
    session = db.session()
    if user_by_email(session, email) is not None:
        _fail(f"an account for {email} already exists (change its role with set-role)")
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not send_link:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if password is not None and len(password) < MIN_PASSWORD:
        _fail(f"a password needs at least {MIN_PASSWORD} characters; no account was created")
    try:
        user = create_account(session, email, name, role, password)
    except UserError as error:
        _fail(str(error))
    click.echo(f"account #{user.id} created for {user.email}, role {user.role}, verified")
    if send_link:
        default_locale = current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
        if not send_set_password_link(
            session, user, _set_password_link(), link_days, default_locale
        ):
            _fail(
                "the account stands, but the e-mail with the link could not be sent; the "
                "person can ask for one with “Forgot your password?” on the log-in page"
            )
        click.echo(f"a link to choose the password was e-mailed (it works for {link_days} days)")


@click.command("set-role")
@click.argument("email")
@click.argument("role", metavar="ROLE")
def set_role_command(email: str, role: str) -> None:
    """Give the account with this e-mail address ROLE (resident, owner, agency, officer, admin).

    Written to the audit log like a change on Admin → Roles.
    """
    from wishmap.services.users import set_role

    role = _role(role)
    db.upgrade(db.engine())
    session = db.session()
    user = user_by_email(session, email)
    before = user.role if user is not None else None
    try:
        user = set_role(session, email, role)
    except UserError as error:
        _fail(str(error))
    if before == user.role:
        click.echo(f"account #{user.id} already has role {user.role}; nothing changed")
    else:
        click.echo(f"account #{user.id}: role {before} → {user.role}")


@click.command("import-residents")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--verified",
    is_flag=True,
    help="Mark new accounts verified and send no invitation (they use “Forgot your password?”).",
)
@click.option(
    "--resend-invitations",
    is_flag=True,
    help="Also invite the file's existing accounts that never chose a password.",
)
@LINK_DAYS
def import_residents_command(
    path: Path, verified: bool, resend_invitations: bool, link_days: int
) -> None:
    """Create or update accounts from a CSV of residents: email, name, optional role, locale.

    All or nothing: a bad address, role or language, or an address given twice, is named with
    its line and nothing changes. Existing accounts keep their role and password; their name
    and language are updated. New accounts get an e-mail with a link to choose their password,
    unless --verified.
    """
    from wishmap.services.residents import import_residents, invite

    db.upgrade(db.engine())
    session = db.session()
    try:
        records = read_records(path, "csv")
        click.echo(f"residents: {len(records)} rows in {path}", err=True)
        report = import_residents(
            session,
            records,
            progress=_progress("residents", "rows checked"),
            source=str(path),
            verified=verified,
            resend=resend_invitations,
            locales=list(LANGUAGES),
        )
    except ImportFailed as failure:
        click.echo(str(failure), err=True)
        sys.exit(1)
    if report.to_invite:
        invite(
            session,
            report,
            _set_password_link(),
            link_days,
            progress=_progress("invitations", "e-mailed"),
        )
    click.echo(f"residents: {report.summary()}")
    if report.invitations_failed:
        click.echo(
            "these invitations could not be sent (the accounts stand; run the import again "
            "with --resend-invitations):\n  " + "\n  ".join(report.invitations_failed),
            err=True,
        )
        sys.exit(1)


def _progress(label: str, verb: str) -> ProgressFn:
    """Return a progress callback printing 'label: done/total verb' on stderr."""

    def report(done: int, total: int) -> None:
        click.echo(f"  {label}: {done}/{total} {verb}", err=True)

    return report


ACCOUNT_COMMANDS = [create_user_command, set_role_command, import_residents_command]
