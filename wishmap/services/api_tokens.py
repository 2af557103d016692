"""Personal API tokens: an officer makes one, the API reads with it, its owner revokes it.

A token is `wm_` + 32 random bytes (secrets.token_urlsafe); only its SHA-256 digest is stored,
so a copy of the database opens nothing. The prefix makes a leaked token recognisable to
secret scanners. A token grants its account's own access at the time of each request: a
revoked token, or one whose account was deleted or is no longer an officer or admin, stops
working on the next request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from wishmap.models import ApiToken, Role, User
from wishmap.models._types import utcnow
from wishmap.models.api_token import SCOPE_ALL
from wishmap.services import audit

PREFIX = "wm_"
# Accounts that may hold tokens; a token of an account demoted since stops working.
TOKEN_ROLES = frozenset({Role.OFFICER.value, Role.ADMIN.value})
MAX_NAME = 80
MAX_TOKENS = 20
# last_used_at is written at most this often per token: the API's reads stay reads.
USE_RESOLUTION = timedelta(minutes=1)


class ApiTokenError(ValueError):
    """A token could not be made or revoked; the message says why."""


@dataclass(frozen=True)
class NewToken:
    """A token just made, with its secret (shown once, never stored)."""

    token: ApiToken
    secret: str


def digest(secret: str) -> str:
    """Return the SHA-256 hex digest under which a token's secret is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def may_hold_tokens(user: User) -> bool:
    """Return True when the account's role may make and use API tokens."""
    return user.role in TOKEN_ROLES


def user_tokens(session: Session, user: User) -> list[ApiToken]:
    """Return the account's tokens that are not revoked, newest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def create_token(session: Session, user: User, name: str, scope: str = SCOPE_ALL) -> NewToken:
    """Make a named token for user, audit it and commit; return it with its secret."""
    if not may_hold_tokens(user):
        raise ApiTokenError(_("Only officers and admins can make API tokens."))
    name = " ".join((name or "").split())
    if not name:
        raise ApiTokenError(_("Give the token a name, such as the tool that will use it."))
    if len(name) > MAX_NAME:
        raise ApiTokenError(_("A token name has at most %(n)s characters.", n=MAX_NAME))
    if len(user_tokens(session, user)) >= MAX_TOKENS:
        raise ApiTokenError(_("You have %(n)s tokens already; revoke one first.", n=MAX_TOKENS))
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name, digest=digest(secret), hint=secret[:7], scope=scope
    )
    session.add(token)
    session.flush()
    audit.record(session, user, "create_api_token", "api_token", token.id, None, {"scope": scope})
    session.commit()
    return NewToken(token=token, secret=secret)


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    """Revoke one of user's tokens (it stops working at once), audit it and commit."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise ApiTokenError(_("No such token."))
    token.revoked_at = utcnow()
    audit.record(
        session,
        user,
        "revoke_api_token",
        "api_token",
        token.id,
        {"revoked": False},
        {"revoked": True},
    )
    session.commit()
    return token


def user_for_secret(session: Session, secret: str) -> tuple[User, ApiToken] | None:
    """Return the account and token a bearer secret names, None when it opens nothing.

    Refused: unknown or revoked tokens, and tokens of an account that may no longer hold one.
    Marks the token used (at most once a minute) and commits that alone.
    """
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    wanted = digest(secret)
    token = session.scalar(select(ApiToken).where(ApiToken.digest == wanted))
    # The digest was looked up by equality; compare again in constant time all the same.
    if token is None or not hmac.compare_digest(token.digest, wanted):
        return None
    user = session.get(User, token.user_id)
    if token.revoked_at is not None or user is None or not may_hold_tokens(user):
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= USE_RESOLUTION:
        session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        session.commit()
    return user, token
