"""Accounts through the city's OpenID Connect provider: create or link by the provider's `sub`.

An account is found by the provider's issuer and `sub` (stable for one person at one provider),
never by the e-mail address alone. A first log-in links to an existing account with the same
address only when the provider says the address is verified (`email_verified`): a provider
that lets people type any address would otherwise hand them someone else's account. Such a
link proves the address as a reset link does, so what an unconfirmed account did before is
discarded (accounts.discard_unproven) — whoever registered the address first gains nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wishmap.models import OidcIdentity, User
from wishmap.models._types import utcnow
from wishmap.services import holds, verification
from wishmap.services.accounts import NEUTRAL_NAME, discard_unproven
from wishmap.services.users import UserError, new_user, user_by_email


class IdentityError(ValueError):
    """The provider's answer cannot log anyone in; the message says why, for the visitor."""


def _verified_email(claims: Mapping[str, Any]) -> tuple[str | None, bool]:
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        return None, False
    # Only a JSON true counts: some providers send the string "false".
    return email.strip().lower(), claims.get("email_verified") is True


def _display_name(claims: Mapping[str, Any]) -> str:
    # The first name at most: the name is shown beside public reasons, and a provider such as
    # FranceConnect gives the full legal name, which a resident did not choose to publish.
    given = claims.get("given_name")
    return given.strip()[:80] if isinstance(given, str) and given.strip() else NEUTRAL_NAME


def _identity(session: Session, issuer: str, subject: str) -> OidcIdentity | None:
    return session.scalar(
        select(OidcIdentity).where(OidcIdentity.issuer == issuer, OidcIdentity.subject == subject)
    )


def _new_link(session: Session, issuer: str, claims: Mapping[str, Any]) -> User:
    """Return the account a first log-in through the provider links to, made if need be."""
    email, email_verified = _verified_email(claims)
    if email is None:
        raise IdentityError(
            _("The identity provider did not share your e-mail address; Wishmap needs one.")
        )
    user = user_by_email(session, email)
    if user is not None:
        if not email_verified or user.is_respondent:
            raise IdentityError(
                _(
                    "The identity provider did not confirm this e-mail address, so it cannot "
                    "be linked to an account. Log in with your e-mail address and password."
                )
            )
        if user.email_verified_at is None:
            discard_unproven(session, user)
    else:
        try:
            user = new_user(email, _display_name(claims), None)
        except UserError as error:
            raise IdentityError(str(error)) from None
        session.add(user)
        session.flush()
    session.add(OidcIdentity(user_id=user.id, issuer=issuer, subject=str(claims["sub"])))
    return user


def _link_current(session: Session, issuer: str, subject: str, current: User) -> User:
    session.add(OidcIdentity(user_id=current.id, issuer=issuer, subject=subject))
    return current


def log_in_with_provider(
    session: Session, issuer: str, claims: Mapping[str, Any], current: User | None = None
) -> User:
    """Return the account for the provider's verified id_token claims, creating or linking it;
    commits. Its pending wishes count from now on if it meets the campaign's minimum.

    current is the account already logged in, if any: a first provider log-in links to it
    (the person holds both), whatever address the provider gives.
    """
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise IdentityError(_("The identity provider's answer has no usable subject."))
    identity = _identity(session, issuer, subject)
    if identity is not None and current is not None and identity.user_id != current.id:
        raise IdentityError(
            _("This identity is already linked to another Wishmap account. Log out first.")
        )
    try:
        if identity is not None:
            user = session.get(User, identity.user_id)
        elif current is not None:
            user = _link_current(session, issuer, subject, current)
        else:
            user = _new_link(session, issuer, claims)
        session.flush()
    except IntegrityError:
        # The same person's second callback won the race: use the identity it stored.
        session.rollback()
        identity = _identity(session, issuer, subject)
        if identity is None:
            raise
        user = session.get(User, identity.user_id)
    assert user is not None  # an identity is deleted with its account
    email, email_verified = _verified_email(claims)
    if email_verified and email == user.email and user.email_verified_at is None:
        user.email_verified_at = utcnow()
    if identity is not None:
        identity.last_login_at = utcnow()
    held = verification.settle_if_counting(session, user)
    session.commit()
    holds.tell_held(session, held)
    return user
