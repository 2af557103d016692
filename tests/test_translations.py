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
    untranslated = [
        m.id
        for m in catalog
        if m.id and (not all(m.string) if isinstance(m.string, tuple) else not m.string)
    ]
    assert not untranslated, f"{locale}: untranslated {untranslated[:5]}"
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            assert compiled.ngettext(*message.id, 2) == message.string[1], message.id
        else:
            # A stale .mo means `make translations` was not run after editing the .po.
            assert compiled.gettext(message.id) == message.string, message.id


def test_every_ui_string_is_in_the_catalogs() -> None:
    """A string added to the code or templates without `make translations` fails here."""
    from babel.messages.extract import extract_from_dir

    root = TRANSLATIONS.parents[1]
    # The same extractors as babel.cfg, with patterns relative to each folder.
    folders = {
        "wishmap": [("**.py", "python")],
        "templates": [("**.html", "jinja2"), ("**.txt", "jinja2")],
    }
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    found = set()
    for folder, method_map in folders.items():
        for _file, _line, message, _comments, _context in extract_from_dir(
            root / folder, method_map, keywords=keywords
        ):
            found.add(message)
    assert "Report this text" in found and len(found) > 200
    with (TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        known = {m.id for m in read_po(handle)}
    missing = sorted(str(m) for m in found - known)
    assert not missing, f"run `make translations` and translate: {missing[:10]}"
