"""Zoning classes of shopping-frontage protection and the uses each one forbids.

Pure data, no Flask: the zoning importer accepts only the classes listed here, and
services/recommendations.py turns a premise's classes into shop types that may not be
recommended there. A city adds its own classes to ZONING_CLASSES (see README, "Zoning").

Uses are named by shop-type codes of wishmap/taxonomy.py, plus a few uses outside the
taxonomy (OTHER_USES: offices, banks, housing…) that plans usually name: they are shown on the
report, and start to count the day the taxonomy gains such a type.
"""

from __future__ import annotations

from dataclasses import dataclass

from wishmap.taxonomy import SHOP_TYPES

# Shop types that are crafts (artisanat: trades registered with the chambre des métiers that make
# or repair on the premises): food makers, hair and beauty, repairs, florists, opticians, makers.
CRAFT_TYPES: frozenset[str] = frozenset(
    {
        "bakery",
        "pastry",
        "butcher",
        "seafood",
        "chocolate",
        "ice_cream",
        "florist",
        "optician",
        "craft",
        "musical_instrument",
        "photo",
        "hairdresser",
        "beauty",
        "shoemaker",
        "tailor",
        "dry_cleaning",
        "bicycle",
    }
)

ALL_TYPES: frozenset[str] = frozenset(spec.code for spec in SHOP_TYPES)

# Uses that plans forbid on protected frontages and that the taxonomy has no type for (yet).
OTHER_USES: dict[str, dict[str, str]] = {
    "office": {"en": "offices", "fr": "bureaux", "nl": "kantoren"},
    "housing": {"en": "housing", "fr": "logement", "nl": "woningen"},
    "storage": {"en": "storage", "fr": "entrepôt", "nl": "opslag"},
    "wholesale": {"en": "wholesale", "fr": "commerce de gros", "nl": "groothandel"},
    "bank": {"en": "banks", "fr": "agences bancaires", "nl": "bankkantoren"},
    "insurance": {"en": "insurance agents", "fr": "assurances", "nl": "verzekeringskantoren"},
    "estate_agent": {
        "en": "estate agents",
        "fr": "agences immobilières",
        "nl": "makelaarskantoren",
    },
}

NON_SHOP_USES = frozenset({"office", "housing", "storage"})


@dataclass(frozen=True)
class ZoningClass:
    """A protection class: its labels, and the uses it forbids on the ground floor."""

    code: str
    labels: dict[str, str]
    # Uses (shop-type codes or OTHER_USES keys) that may not open here.
    forbids: frozenset[str] = frozenset()
    # When set, only these shop types may open here: every other type is forbidden.
    requires: frozenset[str] | None = None

    def label(self, language: str) -> str:
        """Return the class's name in language (English when it has none)."""
        return self.labels.get(language) or self.labels["en"]

    def forbidden_codes(self) -> frozenset[str]:
        """Return every use this class forbids, taxonomy types and other uses alike."""
        if self.requires is None:
            return self.forbids
        return self.forbids | (ALL_TYPES - self.requires)


# Paris, Plan local d'urbanisme, "protection du commerce et de l'artisanat" (the frontages of
# plu_protection_commerciale.geojson, one flag column per class). The ground floor along them
# may not become anything but a shop or a craft; the reinforced class also keeps out the
# agencies that empty shopping streets (wholesale, banks, insurers, estate agents); the craft
# class keeps craft premises for crafts only. Every taxonomy type is a shop, so the first two
# forbid no taxonomy type today: they are shown on the report, and forbid OTHER_USES.
PARIS_CLASSES = (
    ZoningClass(
        "PCA",
        {
            "en": "Protected shopping frontage (commerce and crafts)",
            "fr": "Protection du commerce et de l'artisanat",
            "nl": "Beschermde winkelgevel (handel en ambacht)",
        },
        forbids=NON_SHOP_USES,
    ),
    ZoningClass(
        "PRCA",
        {
            "en": "Reinforced protection of commerce and crafts",
            "fr": "Protection renforcée du commerce et de l'artisanat",
            "nl": "Versterkte bescherming van handel en ambacht",
        },
        forbids=NON_SHOP_USES | {"wholesale", "bank", "insurance", "estate_agent"},
    ),
    ZoningClass(
        "PPA",
        {
            "en": "Special protection of crafts (crafts only)",
            "fr": "Protection particulière de l'artisanat",
            "nl": "Bijzondere bescherming van ambachten (alleen ambacht)",
        },
        forbids=NON_SHOP_USES,
        requires=CRAFT_TYPES,
    ),
)

# Every class the importer knows, by code. Add a city's classes here.
ZONING_CLASSES: dict[str, ZoningClass] = {zone.code: zone for zone in PARIS_CLASSES}

# Values of a flag column (Paris: PCA = "O") that mean "this frontage has the class". Paris
# also flags one side of the street only: "P" (pair) even numbers, "I" (impair) odd numbers.
FLAG_ALL = frozenset({"o", "oui", "y", "yes", "true", "1", "ja", "j"})
FLAG_SIDES = {"p": "even", "i": "odd"}


def zoning_class(code: str) -> ZoningClass | None:
    """Return the class with this code (case-insensitive), or None."""
    wanted = code.strip().casefold()
    for key, zone in ZONING_CLASSES.items():
        if key.casefold() == wanted:
            return zone
    return None


def use_label(code: str, language: str) -> str:
    """Return the name of a use (a taxonomy type or one of OTHER_USES) in language."""
    for spec in SHOP_TYPES:
        if spec.code == code:
            return getattr(spec, language, None) or spec.en
    names = OTHER_USES.get(code, {})
    return names.get(language) or names.get("en") or code
