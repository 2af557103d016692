"""The French and Dutch catalogs: complete, and their compiled .mo files up to date."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[1] / "wishmap" / "translations"


@pytest.mark.parametrize("locale", ["fr", "nl"])
def test_catalog_is_complete_and_compiled(locale: str) -> None:
    folder = TRANSLATIONS / locale / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    with (folder / "messages.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert not untranslated, f"{locale}: untranslated {untranslated[:5]}"
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            assert compiled.ngettext(*message.id, 2) == message.string[1], message.id
        else:
            # A stale .mo means `make translations` was not run after editing the .po.
            assert compiled.gettext(message.id) == message.string, message.id
