"""Addresses as cities write them: the house number apart from the street name, and street
names folded so that "149 bd de la Villette" finds "Boulevard de la Villette".

The parser never strips characters by class (the old `lstrip("0123456789 ,-bister")` turned
"112 rue de Belleville" into "ue de Belleville"): it recognises a whole house-number token —
digits with an optional letter, range or suffix — before or after the street, and leaves every
other character alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# One house number: 12, 12A, 12a, 12bis, 12-14, 12/14, 36 - 42, 12-3 (Dutch floor), 5/12.
_CORE = r"\d+[a-zA-Z]?(?:\s*[-/–]\s*\d+[a-zA-Z]?)?"
# Words that follow a number and belong to it. French repetition indices (bis, ter…), Dutch
# and Belgian floor/door marks (hs = ground-floor house, bg = begane grond, I–IV = floors,
# bus/bte = letterbox), a lone letter ("12 A", Finnish staircase) — but not N/S/E/W, which in
# "5 E 42nd St" is the direction of the street, not a door.
_SUFFIX_WORDS = (
    r"bis|ter|quater|quinquies|hs|huis|bg|boven|beneden|i{1,3}|iv"
    r"|(?:bus|bte|boîte)\s*\d+[a-z]?|[a-df-mo-rt-vx-z]"
)
_SUFFIX = rf"(?:[\s-]*(?:{_SUFFIX_WORDS})(?![\w']))"
# Finnish and Swedish addresses end "staircase + flat": "Mannerheimintie 5 C 21".
_NUMBER = rf"{_CORE}{_SUFFIX}*(?:\s+\d{{1,3}}(?![\w']))?"
_NUMBER_PREFIX = r"(?:n°|nº|no\.?|nr\.?|#)\s*"

_LEADING = re.compile(
    rf"^\s*(?:{_NUMBER_PREFIX})?(?P<number>{_CORE}{_SUFFIX}*)(?P<rest>[\s,.].*)$", re.I
)
_TRAILING = re.compile(rf"^(?P<street>.*?[^\d\s,])[\s,]+(?P<number>{_NUMBER})\s*$", re.I)
_BARE_NUMBER = re.compile(rf"^\s*(?:{_NUMBER_PREFIX})?(?P<number>{_NUMBER})\s*$", re.I)
# Flat, apartment, unit or suite: kept apart from the house number ("Apt 4B", "Flat 2", "#5").
_UNIT = re.compile(
    r"(?:^|\s+)(?P<unit>(?:apt|apartment|appt|appartement|unit|suite|flat|floor"
    r"|bâtiment|bat|bât|escalier|esc|app)\.?\s*#?\s*[\w-]+|#\s*\d+\w*)\s*$",
    re.I,
)
_LEADING_UNIT = re.compile(
    r"^\s*(?:apt|apartment|appt|appartement|unit|suite|flat|app|bâtiment|batiment|bât|bat"
    r"|building|bldg|escalier|esc)\.?\s*#?\s*[\w-]+\s*$",
    re.I,
)
# " - " with spaces separates an address from a building name ("211 Avenue Jean Jaurès - Parc
# de La Villette"); a hyphen without spaces is part of a name ("Rue du Faubourg-Saint-Denis").
_SEPARATOR = re.compile(r"\s+[-–—]\s+")
# A postcode and city left after the street without a comma: "Damrak 1 1012 LM Amsterdam".
_POSTCODE_TAIL = re.compile(r"\s+(?:\d{4}\s?[A-Z]{2}|\d{5}|\d{4})\s+[^\d\s][^\d]*$")
# French street names that end in a date ("Place du 8 Mai 1945") must not lose the year; "Rue
# du 4 Septembre 10" still has its house number.
_MONTHS = frozenset(
    {
        *("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout"),
        *("septembre", "octobre", "novembre", "decembre", "january", "february", "march"),
        *("april", "may", "june", "july", "august", "september", "october", "november"),
        *("december", "januari", "februari", "maart", "mei", "juni", "juli", "augustus"),
        "oktober",
    }
)


@dataclass(frozen=True)
class Address:
    """An address split into its house number (None when it has none), street and unit."""

    number: str | None
    street: str
    unit: str | None = None


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" ,;.-–\t")


def _tidy_number(number: str) -> str:
    """Return a number token with one space between words and none around range signs."""
    number = re.sub(r"\s*([-/–])\s*(?=\d)", r"\1", number.strip())
    return re.sub(r"\s+", " ", number)


def _is_year_of_date(street: str, number: str) -> bool:
    words = fold(street).split()
    return (
        bool(words) and words[-1] in _MONTHS and bool(re.fullmatch(r"1[0-9]{3}|20[0-9]{2}", number))
    )


def split_address(text: str | None) -> Address:
    """Return the house number, street and unit of a one-line postal address.

    Handles numbers before the street (French, English: "112 rue de Belleville", "4806 7
    AVENUE") and after it (Dutch, German, Finnish, Italian: "Damrak 1", "Siltasaarenkatu 12 A",
    "Calle de Alcalá, 45"), ranges, bis/ter and letters; drops a postcode and city after a
    comma. An address without a number keeps its whole text as the street.
    """
    text = unicodedata.normalize("NFC", str(text or "")).strip()
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        return Address(None, "")
    unit = None
    # "Flat 2, 10 Downing Street", "Apt 4, 123 Main St": the unit comes first.
    if len(parts) > 1 and _LEADING_UNIT.match(parts[0]):
        unit = _clean(parts.pop(0))
    number = None
    # "12, rue de la Solidarité": the number stands alone before the first comma.
    bare = _BARE_NUMBER.match(parts[0])
    if bare and len(parts) > 1:
        number = bare.group("number")
        parts.pop(0)
    head = parts[0]
    if number is None:
        leading = _LEADING.match(head)
        if leading and re.search(r"\w", leading.group("rest")):
            number, head = leading.group("number"), leading.group("rest")
    head = _SEPARATOR.split(head.strip())[0]
    found = _UNIT.search(head)
    if found and found.start() > 0:
        unit = unit or _clean(found.group("unit"))
        head = head[: found.start()]
    if number is None:
        # A postcode tail goes only if a house number then ends the street ("Damrak 1
        # 1012 LM Amsterdam"); "Route 2000 Nord" is a street name and stays whole.
        trailing = _TRAILING.match(_POSTCODE_TAIL.sub("", head)) or _TRAILING.match(head)
        if trailing and not _is_year_of_date(trailing.group("street"), trailing.group("number")):
            number, head = trailing.group("number"), trailing.group("street")
        elif len(parts) > 1 and (after := _BARE_NUMBER.match(parts[1])):
            # "Calle de Alcalá, 45", "Rua Augusta, 274": the number after a comma.
            number = after.group("number")
    street = _clean(head)
    return Address(_tidy_number(number) if number else None, street or _clean(text), unit)


# Street-type words and their abbreviations, folded onto one short key on both sides of a
# comparison, so no language needs guessing: "boulevard", "bd" and "bld" all become "bd".
_ABBREVIATIONS = {
    "bd": ("boulevard", "bld", "blvd", "boul", "bvd", "bd"),
    "av": ("avenue", "ave", "av", "avda", "avenida"),
    "pl": ("place", "pl", "plaza", "plein", "platz", "pza", "plaza"),
    "fbg": ("faubourg", "fbg", "fg", "faub"),
    "imp": ("impasse", "imp"),
    "sq": ("square", "sq"),
    "ch": ("chemin", "ch", "chem"),
    "rte": ("route", "rte"),
    "pass": ("passage", "pass", "psge"),
    "all": ("allee", "all"),
    "crs": ("cours", "crs"),
    "qu": ("quai", "qu"),
    "st": ("saint", "st", "street", "str"),
    "ste": ("sainte", "ste"),
    "dr": ("docteur", "dr", "drive", "doctor"),
    "gen": ("general", "gal", "gen", "gl"),
    "mal": ("marechal", "mal", "mar"),
    "pres": ("president", "pdt", "pres"),
    "rd": ("road", "rd"),
    "ln": ("lane", "ln"),
    "pkwy": ("parkway", "pkwy", "pky"),
    "ct": ("court", "ct"),
    "hwy": ("highway", "hwy"),
    "n": ("north", "n", "nord"),
    "s": ("south", "s", "sud"),
    "e": ("east", "e", "est"),
    "w": ("west", "w"),
}
_WORD_KEYS = {word: key for key, words in _ABBREVIATIONS.items() for word in words}
# Street words glued to the name in Dutch and German: Kalverstraat, Kalverstr., Hauptstraße.
_GLUED = re.compile(r"(?<=\w)(straat|strasse|str|weg|laan|plein|gracht|gr)$")
_GLUED_KEYS = {
    "straat": "str",
    "strasse": "str",
    "str": "str",
    "weg": "wg",
    "laan": "ln",
    "plein": "pl",
    "gracht": "gr",
    "gr": "gr",
}
# Only as the first word is "r" the abbreviation of "rue".
_FIRST_WORD_KEYS = {"r": "rue"}
# Articles and prepositions that addresses often leave out ("39 avenue Laumière" for Avenue de
# Laumière). They stay in street_key; loose_street_key drops them, for a second try near the point.
_LINKING_WORDS = frozenset(
    {
        *("de", "du", "des", "la", "le", "les", "l", "d", "van", "der", "den", "het", "t"),
        *("op", "aan", "of", "the", "di", "del", "della", "da", "do", "dos", "das"),
    }
)


def fold(text: str) -> str:
    """Return text without accents, in lower case, words separated by one space.

    ß becomes ss and apostrophes and hyphens separate words, so "D'INDOCHINE", "d’Indochine"
    and "d-indochine" fold alike.
    """
    decomposed = unicodedata.normalize("NFKD", str(text).replace("ß", "ss").replace("ẞ", "ss"))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.split(r"[^a-z0-9]+", stripped.casefold())).strip()


def street_key(name: str | None) -> str:
    """Return the key under which two spellings of one street name compare equal.

    Case, accents, apostrophes, hyphens and common abbreviations ("bd", "av.", "str.", "St")
    are ignored; the words themselves and their order are kept.
    """
    if not name:
        return ""
    words = fold(name).split()
    keys = []
    for index, word in enumerate(words):
        if index == 0 and word in _FIRST_WORD_KEYS:
            word = _FIRST_WORD_KEYS[word]
        if word in _WORD_KEYS:
            keys.append(_WORD_KEYS[word])
            continue
        glued = _GLUED.search(word)
        if glued and len(word) > len(glued.group(1)) + 2:
            word = word[: glued.start()] + _GLUED_KEYS[glued.group(1)]
        keys.append(word)
    return " ".join(keys)


def loose_street_key(name: str | None) -> str:
    """Return street_key without articles and prepositions ("de", "la", "van", "of"…)."""
    return " ".join(word for word in street_key(name).split() if word not in _LINKING_WORDS)
