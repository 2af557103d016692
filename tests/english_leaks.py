"""Finding English on a French or Dutch screen or e-mail, shared by the leak tests.

The visible words of a page (text nodes and accessible attributes) or of a plain-text e-mail are
checked against common English words of Wishmap's interface: resident words and the words of the
professional pages (portfolio, reports, claims, statistics, administration).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Words a French or Dutch page has no business showing. Words that are also French or Dutch
# ("active" in French, "in"/"is"/"of" in Dutch, "let" as in Dutch "let op") are left out of
# that language's list.
_RESIDENT_WORDS = (
    "the your you password email wish wishes vacant let pending active held remember name "
    "submit log register withdraw support shop weekly daily monthly save with this here "
    "street opened search account settings repeat new forgot hello thank news what who how "
    "counts premises premise undo share follow"
)
_PROFESSIONAL_WORDS = (
    "report reports owner owners agency officer claim claims candidate candidates application "
    "applications exclusion exclusions portfolio dashboard statistics insights days rank "
    "download hide hidden dismiss release reject rejected accepted decide manager managers "
    "demand score surface rent wished types filter show back next previous page close open "
    "competitor competitors nearby residents map total roles jobs failed queue overview none "
    "nothing and for not all average between since month months week year people count shops "
    "district districts export audit texts introduction privacy notice days vacant "
    "from yes edit delete cancel confirm sent address phone opening hours business pitch why "
    "reason reasons changed role select choose date level group groups wishing owned managed "
    "letting approve approved decision shortlisted withdrawn unknown error refused must number "
    "within walking"
)
ENGLISH = set(_RESIDENT_WORDS.split()) | set(_PROFESSIONAL_WORDS.split())
_ALSO_FRENCH = (
    "active support new vacant application applications exclusion exclusions score surface "
    "page total district districts export audit notice introduction rank types"
)
_ALSO_DUTCH = (
    "let new account score filter open map total export audit dashboard week privacy "
    "download claim claims manager managers district districts log"
)
NOT_ENGLISH_IN = {"fr": set(_ALSO_FRENCH.split()), "nl": set(_ALSO_DUTCH.split())}
# Brand names and codes that stay as they are in every language.
ALLOWED = {"wishmap", "english", "openstreetmap", "leaflet", "odbl", "csv", "geojson", "xlsx"}

URL = re.compile(r"https?://\S+")
WORD = re.compile(r"[A-Za-zÀ-ÿ]+(?:-[A-Za-zÀ-ÿ]+)*")


class _Visible(HTMLParser):
    """Collect the text a reader sees or hears: text nodes and accessible attributes."""

    SKIP = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skipping += 1
        for name, value in attrs:
            if value and name in {"placeholder", "aria-label", "title", "alt"}:
                self.texts.append(value)
            # An input button shows its value; a <button>'s value is sent, never shown.
            submit = tag == "input" and dict(attrs).get("type") in {"submit", "button"}
            if value and name == "value" and submit:
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.texts.append(data)


def english_words(text: str, language: str, html: bool = True) -> set[str]:
    """Return the English UI words found in text (HTML or plain)."""
    if html:
        parser = _Visible()
        parser.feed(text)
        text = " ".join(parser.texts)
    # The language switcher names each language in its own tongue; a link is not a word.
    text = URL.sub(" ", text.replace("English", ""))
    words = ENGLISH - NOT_ENGLISH_IN[language] - ALLOWED
    found = set()
    for token in WORD.findall(text):
        for part in token.lower().split("-"):
            if part in words:
                found.add(part)
    return found
