"""How much an account has proven about its holder, and whether that is enough to count.

Levels, weakest first: none (nothing proven), "email" (an address confirmed by a link), "oidc"
(logged in through the city's OpenID Connect provider). A campaign asks for a minimum; today
the whole site is one campaign and its settings are the app's configuration, but every check
takes the settings as an argument so that a per-campaign scope needs no change here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from wishmap.models import OidcIdentity, User
from wishmap.services import integrity

EMAIL = "email"
OIDC = "oidc"
# Weakest first: a level meets every minimum at or before it.
LEVELS = (EMAIL, OIDC)


@dataclass(frozen=True)
class CountingSettings:
    """What a campaign asks of an account for its wishes to count."""

    min_verification: str = EMAIL

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> CountingSettings:
        """Return the settings in config; an unknown level is a deployment error, said at once."""
        level = str(config.get("MIN_VERIFICATION", EMAIL)).strip().lower()
        if level not in LEVELS:
            raise ValueError(f"MIN_VERIFICATION must be one of {', '.join(LEVELS)}, not {level!r}")
        return cls(min_verification=level)


def counting_settings() -> CountingSettings:
    """Return the counting settings of the current app (the one campaign there is today)."""
    return CountingSettings.from_config(current_app.config)


def has_provider_identity(session: Session, user: User) -> bool:
    """Return True when the account is linked to an identity at the OpenID Connect provider."""
    return bool(session.scalar(select(exists().where(OidcIdentity.user_id == user.id))))


def level_of(session: Session, user: User) -> str | None:
    """Return the strongest level the account has proven, or None."""
    if has_provider_identity(session, user):
        return OIDC
    return EMAIL if user.email_verified_at is not None else None


def meets_minimum(session: Session, user: User, settings: CountingSettings) -> bool:
    """Return True when the account's wishes count under these settings."""
    level = level_of(session, user)
    return level is not None and LEVELS.index(level) >= LEVELS.index(settings.min_verification)


def missing_level(session: Session, user: User, settings: CountingSettings) -> str | None:
    """Return the level the account still has to prove for its wishes to count, or None."""
    if meets_minimum(session, user, settings):
        return None
    if user.email_verified_at is None and settings.min_verification == EMAIL:
        return EMAIL
    return settings.min_verification


def settle_if_counting(session: Session, user: User) -> list[int]:
    """Let the account's pending wishes count (or hold them with their burst) once it meets
    the campaign's minimum level; return the ids of other wishes held with them. Not committed.
    """
    if not meets_minimum(session, user, counting_settings()):
        return []
    return integrity.settle_pending(session, user, integrity.burst_rule())
