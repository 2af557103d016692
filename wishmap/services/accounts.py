"""Account e-mails: verification, password reset and change of address, by single-use tokens.

A token is a random secret sent by e-mail; the database keeps only its SHA-256 digest, so a
leaked table lets nobody in. A token works once and until it expires.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wishmap.mail import try_send_mail
from wishmap.models import AccountToken, TokenPurpose, User, Wish, WishStatus
from wishmap.models._types import utcnow
from wishmap.services import holds, verification
from wishmap.services.users import (
    EMAIL_PATTERN,
    UserError,
    drop_reset_links,
    hash_password,
    password_matches,
    register,
    set_password,
    user_by_email,
)

LinkFn = Callable[[str], str]


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(
    session: Session,
    user: User,
    purpose: TokenPurpose,
    lifetime: timedelta,
    new_email: str | None = None,
) -> str:
    """Add a token for user and return its secret; earlier unused ones of that purpose lapse."""
    session.execute(
        delete(AccountToken).where(
            AccountToken.user_id == user.id, AccountToken.purpose == purpose.value
        )
    )
    secret = secrets.token_urlsafe(32)
    session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose.value,
            digest=_digest(secret),
            new_email=new_email,
            expires_at=utcnow() + lifetime,
        )
    )
    return secret


def valid_token(
    session: Session, secret: str, purpose: TokenPurpose, now: datetime | None = None
) -> AccountToken | None:
    """Return the unused, unexpired token with this secret and purpose, else None."""
    token = session.scalar(
        select(AccountToken).where(
            AccountToken.digest == _digest(secret), AccountToken.purpose == purpose.value
        )
    )
    if token is None or token.used_at is not None or token.expires_at <= (now or utcnow()):
        return None
    return token


def _use(session: Session, secret: str, purpose: TokenPurpose) -> tuple[AccountToken, User]:
    token = valid_token(session, secret, purpose)
    if token is None:
        raise UserError(_("This link is invalid, already used or expired."))
    token.used_at = utcnow()
    user = session.get(User, token.user_id)
    assert user is not None  # the token row is deleted with its user
    return token, user


def _in_language_of(user: User) -> AbstractContextManager[None]:
    """Speak the language the user chose (else the request's): e-mails reach them later, on
    whatever device, so the browser of the request that sends them does not choose."""
    return force_locale(user.locale) if user.locale else nullcontext()


def send_verification(session: Session, user: User, link: LinkFn, hours: int) -> bool:
    """E-mail user a link confirming their address (token committed first); return if sent."""
    secret = issue_token(session, user, TokenPurpose.VERIFY_EMAIL, timedelta(hours=hours))
    session.commit()
    with _in_language_of(user):
        subject = _("Confirm your e-mail address for Wishmap")
        body = _(
            "Hello %(name)s,\n\nplease confirm your address so that your wishes count:\n"
            "%(link)s\n\nThe link works once, for %(hours)s hours. If you did not register on "
            "Wishmap, ignore this message.",
            name=user.display_name,
            link=link(secret),
            hours=hours,
        )
    return try_send_mail(user.email, subject, body)


def register_account(
    session: Session,
    email: str,
    display_name: str,
    password: str,
    link: LinkFn,
    hours: int,
    reset_link: str = "",
    locale: str | None = None,
) -> bool:
    """Make a resident account and e-mail it a confirmation link; return whether the e-mail
    went out, or raise UserError.

    An address that already has an account is not revealed: its owner is e-mailed instead (a
    reset link if they forgot the password), the password is hashed all the same so that the
    answer takes as long, and the caller answers as for a new account. Nobody is logged in by
    registering: only the link sent to the address does that. The account stands even when
    the mail server is down (a reset link, asked for later, confirms the address as well).
    """
    existing = user_by_email(session, email)
    if existing is None or existing.is_respondent:
        try:
            user = register(session, email, display_name, password, locale)
        except (IntegrityError, UserError):
            session.rollback()
            # Registered at the same moment by another request: answered as taken. Any other
            # refusal (an address that cannot receive mail) stands.
            existing = user_by_email(session, email)
            if existing is None or existing.is_respondent:
                raise
        else:
            return send_verification(session, user, link, hours)
    hash_password(password)  # as slow as a registration: the timing tells nothing
    # In the owner's language when they chose one, else the page's.
    with _in_language_of(existing):
        subject = _("Someone tried to register on Wishmap with your address")
        body = _(
            "Hello %(name)s,\n\nsomeone tried to create a Wishmap account with this "
            "address, which already has one. If it was you, log in; if you forgot your "
            "password, choose a new one here:\n%(link)s\n\nIf it was not you, ignore "
            "this message: nothing was changed.",
            name=existing.display_name,
            link=reset_link,
        )
    return try_send_mail(existing.email, subject, body)


# The name an account gets when a reset link proves its address before it was confirmed: the
# name chosen then may be a stranger's who registered the address first.
NEUTRAL_NAME = "Resident"


def discard_unproven(session: Session, user: User) -> int:
    """Delete what an unconfirmed account did before its address was proven (pending wishes)
    and give it a neutral name; return how many wishes were discarded (not committed).

    Whoever registers someone else's address first can act only as "pending": when the real
    owner proves the address through a reset link, none of it becomes theirs.
    """
    discarded = session.execute(
        delete(Wish).where(Wish.user_id == user.id, Wish.status == WishStatus.PENDING.value)
    ).rowcount
    user.display_name = NEUTRAL_NAME
    return discarded or 0


def verify_email(session: Session, secret: str) -> User:
    """Mark the address verified and let the user's pending wishes count (or hold them)."""
    _token, user = _use(session, secret, TokenPurpose.VERIFY_EMAIL)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    # A campaign asking for more than an address (MIN_VERIFICATION "oidc") keeps them pending.
    held = verification.settle_if_counting(session, user)
    session.commit()
    holds.tell_held(session, held)
    return user


def request_password_reset(session: Session, email: str, link: LinkFn, minutes: int) -> None:
    """E-mail a reset link if an account has this address; silent otherwise (no enumeration).

    A mail failure is logged and not reported either: reporting it would reveal the account.
    """
    user = user_by_email(session, email)
    # A respondent without an account has no mailbox and must never get a password.
    if user is None or user.is_respondent:
        return
    secret = issue_token(session, user, TokenPurpose.RESET_PASSWORD, timedelta(minutes=minutes))
    session.commit()
    with _in_language_of(user):
        subject = _("Reset your Wishmap password")
        body = _(
            "Hello %(name)s,\n\nsomeone asked to reset the password of your Wishmap account. "
            "To choose a new one, open:\n%(link)s\n\nThe link works once, for %(minutes)s "
            "minutes. If it was not you, ignore this message: your password stays as it is.",
            name=user.display_name,
            link=link(secret),
            minutes=minutes,
        )
    try_send_mail(user.email, subject, body)


def send_set_password_link(
    session: Session, user: User, link: LinkFn, days: int, default_locale: str = "en"
) -> bool:
    """E-mail a new account (made by an admin or an import) a link to choose its password, in
    its language; the token is committed first. Return whether the e-mail went out.

    The link is a password-reset token with a longer life: following it sets the password and
    confirms the address, through the same page as a reset.
    """
    if user.is_respondent:
        return False
    secret = issue_token(session, user, TokenPurpose.RESET_PASSWORD, timedelta(days=days))
    session.commit()
    with force_locale(user.locale or default_locale):
        subject = _("Your Wishmap account is ready")
        body = _(
            "Hello %(name)s,\n\nan account on Wishmap was made for you with this address. To "
            "choose your password and log in, open:\n%(link)s\n\nThe link works once, for "
            "%(days)s days; afterwards, ask for a new one with “Forgot your password?”. If you "
            "do not want an account, ignore this message.",
            name=user.display_name,
            link=link(secret),
            days=days,
        )
    return try_send_mail(user.email, subject, body)


def reset_password(session: Session, secret: str, password: str) -> tuple[User, bool]:
    """Set a new password through a reset token and log out every session; return the user
    and whether an unconfirmed account's earlier doings were discarded; raises UserError."""
    _token, user = _use(session, secret, TokenPurpose.RESET_PASSWORD)
    set_password(user, password)
    drop_reset_links(session, user)
    # Following the e-mailed link proved the address, but not that the account's earlier
    # (unconfirmed) wishes and name were the owner's: they are discarded, not made to count.
    proven = user.email_verified_at is None
    if proven:
        discard_unproven(session, user)
        user.email_verified_at = utcnow()
    session.commit()
    return user, proven


def request_email_change(
    session: Session, user: User, password: str, new_email: str, link: LinkFn, hours: int
) -> bool:
    """Send a confirmation link to the new address (old one kept until followed); return if sent."""
    new_email = new_email.strip().lower()
    if not password_matches(user, password):
        raise UserError(_("The current password is wrong."))
    if not EMAIL_PATTERN.match(new_email):
        raise UserError(_("This is not an e-mail address."))
    if user_by_email(session, new_email) is not None:
        raise UserError(_("Another account already uses this address."))
    secret = issue_token(
        session, user, TokenPurpose.CHANGE_EMAIL, timedelta(hours=hours), new_email=new_email
    )
    session.commit()
    with _in_language_of(user):
        subject = _("Confirm your new e-mail address for Wishmap")
        body = _(
            "Hello %(name)s,\n\nto use this address for your Wishmap account, open:\n%(link)s\n"
            "\nThe link works once, for %(hours)s hours.",
            name=user.display_name,
            link=link(secret),
            hours=hours,
        )
    return try_send_mail(new_email, subject, body)


def confirm_email_change(session: Session, secret: str) -> User:
    """Switch the account to the confirmed new address; raises UserError."""
    token, user = _use(session, secret, TokenPurpose.CHANGE_EMAIL)
    new_email = token.new_email or ""
    if user_by_email(session, new_email) is not None:
        raise UserError(_("Another account already uses this address."))
    old_email = user.email
    user.email = new_email
    user.email_verified_at = utcnow()
    # The address is erased from the token as soon as it has served.
    token.new_email = None
    session.commit()
    with _in_language_of(user):
        subject = _("Your Wishmap e-mail address was changed")
        body = _(
            "Hello %(name)s,\n\nthe e-mail address of your Wishmap account was changed. If it "
            "was not you, reset your password and write to the site's administrators.",
            name=user.display_name,
        )
    try_send_mail(old_email, subject, body)
    return user
