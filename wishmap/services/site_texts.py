"""The texts a deployer writes for the site: the district's name, the map's introduction and the
privacy notice, in each language, as plain text.

Pages read them for the reader's language, falling back to another language's text, then to the
page's built-in wording. Nothing is cached across requests, so a saved text shows on the next page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from wishmap.models import SiteText, User
from wishmap.models.site_text import SITE_TEXT_KEYS, SITE_TEXT_LANGUAGES
from wishmap.services.audit import record

# Longest text of each kind, in characters: a name fits a heading, an introduction a few lines
# of the map's panel, a privacy notice a page.
MAX_LENGTH = {"district_name": 80, "introduction": 500, "privacy_notice": 10_000}

# Control characters other than tab and newlines: PostgreSQL refuses NUL in text, and none of
# them belongs in a sentence.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_LINES = re.compile(r"\n\s*\n")


class SiteTextError(ValueError):
    """A text was refused; the message says why."""


def clean(text: str) -> str:
    """Return text with its line endings made \\n and its outer blanks removed."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def problem(key: str, text: str) -> str | None:
    """Return why text cannot be saved as key (in the current language), or None when it can."""
    if key not in MAX_LENGTH:
        return _("Unknown text.")
    if len(text) > MAX_LENGTH[key]:
        return _("At most %(num)d characters.", num=MAX_LENGTH[key])
    if _CONTROL.search(text):
        return _("The text holds control characters.")
    return None


def texts_for(session: Session, language: str) -> dict[str, str]:
    """Return each written text in language, else in the first other language that has it
    (English, French, Dutch); a key no language has is absent."""
    rows = session.execute(select(SiteText.key, SiteText.language, SiteText.text)).all()
    written = {(key, lang): text for key, lang, text in rows}
    order = [language, *(other for other in SITE_TEXT_LANGUAGES if other != language)]
    found = {}
    for key in SITE_TEXT_KEYS:
        for lang in order:
            if written.get((key, lang)):
                found[key] = written[(key, lang)]
                break
    return found


def texts_by_language(session: Session) -> dict[str, dict[str, str]]:
    """Return {language: {key: text}} of every written text, for the admin form."""
    result: dict[str, dict[str, str]] = {lang: {} for lang in SITE_TEXT_LANGUAGES}
    for row in session.scalars(select(SiteText)):
        result.setdefault(row.language, {})[row.key] = row.text
    return result


def save_texts(
    session: Session, actor: User, language: str, values: Mapping[str, str]
) -> list[str]:
    """Store the texts of one language (an empty text removes it, so pages fall back), audit
    each change and commit; return the keys that changed."""
    if language not in SITE_TEXT_LANGUAGES:
        raise SiteTextError(_("Unknown language."))
    cleaned = {key: clean(text) for key, text in values.items()}
    for key, text in cleaned.items():
        if reason := problem(key, text):
            raise SiteTextError(reason)
    existing = {
        row.key: row
        for row in session.scalars(select(SiteText).where(SiteText.language == language))
    }
    changed = []
    for key, text in cleaned.items():
        row = existing.get(key)
        before = row.text if row is not None else ""
        if text == before:
            continue
        if row is None:
            row = SiteText(key=key, language=language, text=text, updated_by_id=actor.id)
            session.add(row)
            session.flush()
        elif text:
            row.text = text
            row.updated_by_id = actor.id
        else:
            session.delete(row)
        # The deployer's public wording, not personal data: the log keeps it whole.
        record(
            session,
            actor,
            "site_text.update",
            "site_text",
            row.id,
            before={"key": key, "language": language, "text": before},
            after={"key": key, "language": language, "text": text},
        )
        changed.append(key)
    session.commit()
    return changed


def paragraphs(text: str) -> list[str]:
    """Return text split at blank lines: each part becomes one escaped paragraph on a page."""
    return [part.strip() for part in _BLANK_LINES.split(clean(text)) if part.strip()]
