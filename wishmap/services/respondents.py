"""Respondents: residents without an account, from a paper form or an anonymised survey id.

`import-wishes` turns each distinct respondent id of a file into one no-login resident, who
then counts like any resident: one voice per premise and shop type, one distinct resident in
the statistics. The same campaign and id always give the same resident, so importing a file
again (or a later file of the same campaign) never makes a second one.

A respondent has no password, so nobody logs in as them; their e-mail address is a reserved
one under `.invalid` (see models/user.py for why), which wishmap/mail.py never sends to, and
password resets and notifications leave them out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from wishmap.mail import deliverable
from wishmap.models import Role, User
from wishmap.models._types import utcnow

# Column names of the respondent id, tried in this order (lower case; accents both ways).
RESPONDENT_COLUMNS = (
    "respondent",
    "respondent_id",
    "respondent_ref",
    "form_number",
    "form_id",
    "anonymous_id",
    "anon_id",
    # French
    "repondant",
    "répondant",
    "id_repondant",
    "id_répondant",
    "numero_formulaire",
    "numéro_formulaire",
    "no_formulaire",
    "formulaire",
    "identifiant_anonyme",
    # Dutch
    "respondent_nummer",
    "respondentnummer",
    "formuliernummer",
    "formulier_nummer",
    "anoniem_id",
)
# RFC 2606 reserves .invalid: an address under it can never be delivered.
RESERVED_DOMAIN = "respondent.invalid"
MAX_RESPONDENT_ID = 100


def campaign_of(source: str) -> str:
    """Return the default campaign of an import file: its name without folder or extension."""
    return Path(source).stem if source else "import"


def respondent_key(campaign: str, respondent_id: str) -> str:
    """Return the stable key of a respondent: SHA-256 of campaign and id.

    A digest keeps the key one fixed length whatever the ids look like; it is not meant as a
    secret (form numbers are easy to guess), which is why no secret key is mixed in: a new
    SECRET_KEY must not turn every respondent into a new resident.
    """
    return hashlib.sha256(f"{campaign.strip()}\x1f{respondent_id.strip()}".encode()).hexdigest()


def respondent_address(key: str) -> str:
    """Return the reserved, undeliverable address standing in for a respondent's e-mail."""
    return f"{key}@{RESERVED_DOMAIN}"


def is_reserved_address(address: str) -> bool:
    """Return True for an address nobody can receive mail at (the .invalid top-level domain)."""
    return not deliverable(address)


def ensure_respondents(
    session: Session, campaign: str, respondent_ids: Iterable[str]
) -> tuple[dict[str, int], int]:
    """Return {respondent id: user id}, adding a no-login resident for each new one (flushed,
    not committed), and how many were added."""
    keys = {
        respondent_id: respondent_key(campaign, respondent_id)
        for respondent_id in set(respondent_ids)
    }
    existing: dict[str, int] = {}
    for chunk in _chunks(sorted(keys.values()), 500):
        existing.update(
            session.execute(
                select(User.respondent_key, User.id).where(User.respondent_key.in_(chunk))
            ).all()
        )
    now = utcnow()
    # Nobody verifies an address that does not exist: whoever imports the survey vouches for
    # its forms, so their wishes count at once (and again if a moderator restores one).
    new = {
        key: User(
            email=respondent_address(key),
            display_name=campaign.strip()[:80] or "import",
            password_hash=None,
            role=Role.RESIDENT.value,
            respondent_key=key,
            email_verified_at=now,
        )
        for key in sorted(set(keys.values()) - set(existing))
    }
    session.add_all(new.values())
    session.flush()
    existing.update((key, user.id) for key, user in new.items())
    return {respondent_id: existing[key] for respondent_id, key in keys.items()}, len(new)


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
