"""Premise statuses as registers write them, in several languages, onto vacant / let / opened.

A city's storefront register says "leegstand", "à louer", "occupied" or "filled"; Wishmap
stores three statuses. Words are compared folded (no accents, case or punctuation), so "Occupé",
"OCCUPE" and "occupé " are one word. Anything else is for --map-value or a mapping file.
"""

from __future__ import annotations

from typing import Any

from wishmap.services.imports.addresses import fold

STATUSES = ("vacant", "let", "opened")

_WORDS = {
    # Empty and on the market.
    "vacant": (
        "vacant",
        "vacancy",
        "empty",
        "available",
        "to let",
        "for rent",
        "for lease",
        "unoccupied",
        "disused",
        "closed down",
        # French
        "vide",
        "vacante",
        "libre",
        "disponible",
        "a louer",
        "a ceder",
        "inoccupe",
        "inoccupee",
        "local vacant",
        "locaux vacants",
        "ferme definitivement",
        # Dutch
        "leeg",
        "leegstand",
        "leegstaand",
        "te huur",
        "beschikbaar",
        "vrij",
        "onbezet",
        # German, Finnish, Spanish, Italian
        "leer",
        "leerstand",
        "frei",
        "zu vermieten",
        "tyhja",
        "vapaa",
        "vuokrattavana",
        "vacio",
        "disponibile",
        "sfitto",
    ),
    # Taken by a tenant, whether or not the shop has opened yet.
    "let": (
        "let",
        "leased",
        "rented",
        "filled",
        "occupied",
        "taken",
        "under offer",
        "in use",
        # French
        "loue",
        "louee",
        "occupe",
        "occupee",
        "pris",
        "attribue",
        # Dutch
        "verhuurd",
        "bezet",
        "in gebruik",
        "gehuurd",
        # German, Finnish, Spanish, Italian
        "vermietet",
        "belegt",
        "vuokrattu",
        "kaytossa",
        "alquilado",
        "ocupado",
        "affittato",
        "occupato",
    ),
    # Trading again: the shop is open.
    "opened": (
        "opened",
        "open",
        "trading",
        "active",
        "in business",
        # French
        "ouvert",
        "ouverte",
        "en activite",
        "actif",
        # Dutch
        "geopend",
        "in bedrijf",
        "actief",
        # German, Finnish, Spanish, Italian
        "geoffnet",
        "eroffnet",
        "auki",
        "avattu",
        "abierto",
        "aperto",
    ),
}
STATUS_WORDS: dict[str, str] = {
    fold(word): status for status, words in _WORDS.items() for word in words
}


def status_for(value: Any) -> str | None:
    """Return vacant, let or opened for a register's status word, or None if unknown."""
    if value is None:
        return None
    return STATUS_WORDS.get(fold(str(value)))


def status_from_osm_tags(props: dict[str, Any]) -> str | None:
    """Return 'vacant' for OpenStreetMap's ways of saying so, else None.

    shop=vacant, vacant=yes and disused:shop=* mark an empty shop; a live shop=* says nothing
    about a premise's status, so it is left to the file's status column.
    """
    if str(props.get("shop", "")).strip().lower() == "vacant":
        return "vacant"
    if str(props.get("vacant", "")).strip().lower() == "yes":
        return "vacant"
    if any(str(key).startswith(("disused:shop", "was:shop")) for key in props):
        return "vacant"
    return None


# Registers often flag vacancy in a yes/no column instead of naming a status.
FLAG_FIELDS = ("vacant", "is_vacant", "vacancy", "leegstand", "leeg", "vide", "leerstand")
_YES = {"yes", "y", "true", "1", "x", "ja", "j", "oui", "o", "si", "kylla", "wahr", "vrai"}
_NO = {"no", "n", "false", "0", "nee", "non", "nein", "ei", "falsch", "faux"}


def status_from_flag(value: Any) -> str | None:
    """Return 'vacant' for a yes in a vacancy flag column, 'let' for a no, None otherwise.

    A shop that is not vacant is taken: "let" is the status that keeps it off the public map
    of vacant premises without claiming it has opened.
    """
    word = fold(str(value)) if value is not None else ""
    if word in _YES:
        return "vacant"
    if word in _NO:
        return "let"
    return None


def known_words(status: str, limit: int = 6) -> str:
    """Return a few accepted words for status, for an error message."""
    return ", ".join(_WORDS[status][:limit])
