"""Residents imported from a list (a city's participation panel, a neighbourhood mailing list).

The list lands whole or not at all: every row is checked first, and a bad address, role or
language, or an address given twice, names its line and changes nothing. Accounts already
there keep their role and password; a re-import only updates their name and language.
New accounts are either marked verified (the city vouches for its list) or get an invitation
with a link to choose their password (services/accounts.send_set_password_link).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from wishmap.models import Role, User
from wishmap.services import audit
from wishmap.services.accounts import LinkFn, send_set_password_link
from wishmap.services.importing import (
    ImportFailed,
    ImportReport,
    ProgressFn,
    Record,
    RowError,
    RowOutcome,
    check_rows,
    first,
    with_progress,
)
from wishmap.services.users import EMAIL_PATTERN, is_reserved_address, new_user

EMAIL_COLUMNS = ("email", "e-mail", "e_mail", "resident", "courriel", "adresse_email", "mail")
NAME_COLUMNS = ("name", "display_name", "nom", "naam")
ROLE_COLUMNS = ("role", "rôle", "rol")
LOCALE_COLUMNS = ("locale", "language", "langue", "taal", "lang")
MAX_NAME = 80


@dataclass
class ResidentImportReport(ImportReport):
    """What an import of residents did, including the invitations it e-mailed."""

    invited: int = 0
    invitations_failed: list[str] = field(default_factory=list)
    roles_kept: int = 0
    to_invite: list[int] = field(default_factory=list, repr=False)

    def summary(self) -> str:
        text = super().summary()
        if self.roles_kept:
            text += f"; {self.roles_kept} existing accounts kept their role (use set-role)"
        if self.invited or self.invitations_failed:
            text += f"; {self.invited} invitations sent"
        if self.invitations_failed:
            text += f", {len(self.invitations_failed)} could not be sent"
        return text


def _resident_row(record: Record, seen: dict[str, str], locales: Sequence[str]) -> RowOutcome:
    props, problems = record.props, []
    email = str(first(props, *EMAIL_COLUMNS) or "").strip().lower()
    if not email:
        problems.append("no e-mail address")
    elif not EMAIL_PATTERN.match(email):
        problems.append(f"{email!r} is not an e-mail address")
    elif is_reserved_address(email):
        problems.append(f"{email!r} cannot receive e-mail")
    elif email in seen:
        problems.append(f"{email} is already on {seen[email]}")
    name = str(first(props, *NAME_COLUMNS) or "").strip()
    if len(name) > MAX_NAME:
        problems.append(f"the name is longer than {MAX_NAME} characters")
    role = str(first(props, *ROLE_COLUMNS) or Role.RESIDENT.value).strip().lower()
    if role not in {r.value for r in Role}:
        problems.append(f"unknown role {role!r}; choose one of {', '.join(r.value for r in Role)}")
    locale = str(first(props, *LOCALE_COLUMNS) or "").strip().lower() or None
    if locale is not None and locale not in locales:
        problems.append(f"unknown language {locale!r}; choose one of {', '.join(locales)}")
    if problems:
        return "; ".join(problems)
    seen[email] = record.where
    return {"email": email, "name": name, "role": role, "locale": locale}


def import_residents(
    session: Session,
    records: list[Record],
    progress: ProgressFn | None = None,
    source: str = "",
    verified: bool = False,
    resend: bool = False,
    locales: Sequence[str] = ("en", "fr", "nl"),
) -> ResidentImportReport:
    """Create or update accounts from a list of residents (e-mail, name, role, language);
    all or nothing, committed. Audited as one command-line action, plus one entry per
    account given a role other than resident.

    New accounts are verified (verified=True) or listed in report.to_invite, with existing
    accounts that never chose a password when resend=True; invite() e-mails them.
    """
    if not records:
        raise ImportFailed([RowError("file", "no rows (the file is empty)")], source)
    report = ResidentImportReport()
    seen: dict[str, str] = {}
    rows = check_rows(
        records, lambda record: _resident_row(record, seen, locales), report, progress, source
    )
    emails = [row["email"] for row in rows]
    existing = {
        user.email: user
        for start in range(0, len(emails), 500)
        for user in session.scalars(select(User).where(User.email.in_(emails[start : start + 500])))
    }
    created: list[User] = []
    reinvite: list[User] = []
    for row in rows:
        user = existing.get(row["email"])
        if user is None:
            # The rows are checked and existing addresses known: no query per new account.
            user = new_user(row["email"], row["name"], None, row["role"], verified=verified)
            user.locale = row["locale"]
            session.add(user)
            created.append(user)
            report.created += 1
            continue
        changes = {"display_name": row["name"] or user.display_name, "locale": row["locale"]}
        changes = {key: value for key, value in changes.items() if value != getattr(user, key)}
        if row["locale"] is None:
            changes.pop("locale", None)
        for key, value in changes.items():
            setattr(user, key, value)
        if changes:
            report.updated += 1
        else:
            report.unchanged += 1
        if user.role != row["role"]:
            report.roles_kept += 1
        if resend and user.password_hash is None and user.email_verified_at is None:
            reinvite.append(user)
    session.flush()
    for user in created:
        if user.role != Role.RESIDENT.value:
            audit.record(session, None, "create_user", "user", user.id, None, {"role": user.role})
    audit.record(
        session,
        None,
        "import_residents",
        "user",
        None,
        None,
        {"created": report.created, "updated": report.updated},
    )
    session.commit()
    report.to_invite = [user.id for user in ([] if verified else created) + reinvite]
    return report


def invite(
    session: Session,
    report: ResidentImportReport,
    link: LinkFn,
    days: int,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """E-mail each account in report.to_invite a link to choose its password; count them."""
    for user_id in with_progress(report.to_invite, progress, every=50):
        user = session.get(User, user_id)
        if user is None:
            continue
        if send_set_password_link(session, user, link, days):
            report.invited += 1
        else:
            report.invitations_failed.append(user.email)
