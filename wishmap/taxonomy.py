"""The shop-type taxonomy: stable codes aligned on OpenStreetMap tags, groups, labels, aliases.

Pure data and lookups, no Flask: importers, the demo generator and the seeding service read it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from wishmap.osm_tags import OSM_TAG_CODES, osm_shop_tag, osm_skip_reason

GROUPS: dict[str, dict[str, str]] = {
    "food": {"en": "Food", "fr": "Alimentation", "nl": "Eten"},
    "daily": {"en": "Daily needs", "fr": "Vie quotidienne", "nl": "Dagelijkse boodschappen"},
    "culture": {"en": "Culture", "fr": "Culture", "nl": "Cultuur"},
    "services": {"en": "Services", "fr": "Services", "nl": "Diensten"},
    "leisure": {
        "en": "Going out and leisure",
        "fr": "Sorties et loisirs",
        "nl": "Uitgaan en vrije tijd",
    },
}


@dataclass(frozen=True)
class ShopTypeSpec:
    code: str
    osm: str  # "key=value", the OpenStreetMap tag this type stands for
    group: str
    en: str
    fr: str
    nl: str
    icon: str
    # Share of existing shops of this type in a typical European shopping district (demo weights).
    frequency: float = 1.0


SHOP_TYPES: tuple[ShopTypeSpec, ...] = (
    ShopTypeSpec("bakery", "shop=bakery", "food", "Bakery", "Boulangerie", "Bakkerij", "🥖", 4),
    ShopTypeSpec(
        "pastry", "shop=pastry", "food", "Pastry shop", "Pâtisserie", "Banketbakker", "🍰", 1.5
    ),
    ShopTypeSpec("butcher", "shop=butcher", "food", "Butcher", "Boucherie", "Slager", "🥩", 2),
    ShopTypeSpec(
        "greengrocer", "shop=greengrocer", "food", "Greengrocer", "Primeur", "Groenteboer", "🥕", 2
    ),
    ShopTypeSpec(
        "cheese", "shop=cheese", "food", "Cheese shop", "Fromagerie", "Kaaswinkel", "🧀", 0.8
    ),
    ShopTypeSpec(
        "seafood", "shop=seafood", "food", "Fishmonger", "Poissonnerie", "Viswinkel", "🐟", 0.6
    ),
    ShopTypeSpec(
        "deli",
        "shop=deli",
        "food",
        "Delicatessen",
        "Épicerie fine",
        "Delicatessenwinkel",
        "🫒",
        1.2,
    ),
    ShopTypeSpec(
        "convenience", "shop=convenience", "food", "Grocery", "Épicerie", "Buurtsuper", "🛒", 5
    ),
    ShopTypeSpec(
        "supermarket",
        "shop=supermarket",
        "food",
        "Supermarket",
        "Supermarché",
        "Supermarkt",
        "🏬",
        2,
    ),
    ShopTypeSpec("wine", "shop=wine", "food", "Wine shop", "Caviste", "Wijnhandel", "🍷", 1.2),
    ShopTypeSpec(
        "chocolate",
        "shop=chocolate",
        "food",
        "Chocolatier",
        "Chocolaterie",
        "Chocolaterie",
        "🍫",
        0.4,
    ),
    ShopTypeSpec(
        "ice_cream", "amenity=ice_cream", "food", "Ice cream", "Glacier", "IJssalon", "🍦", 0.4
    ),
    ShopTypeSpec(
        "pharmacy", "amenity=pharmacy", "daily", "Pharmacy", "Pharmacie", "Apotheek", "💊", 2
    ),
    ShopTypeSpec(
        "chemist", "shop=chemist", "daily", "Drugstore", "Droguerie", "Drogisterij", "🧴", 1
    ),
    ShopTypeSpec(
        "cosmetics", "shop=cosmetics", "daily", "Cosmetics", "Cosmétiques", "Cosmetica", "💄", 1
    ),
    ShopTypeSpec(
        "medical_supply",
        "shop=medical_supply",
        "daily",
        "Medical supplies",
        "Matériel médical",
        "Medische hulpmiddelen",
        "🩼",
        0.4,
    ),
    ShopTypeSpec(
        "optician", "shop=optician", "daily", "Optician", "Opticien", "Opticien", "👓", 1.2
    ),
    ShopTypeSpec(
        "hardware",
        "shop=hardware",
        "daily",
        "Hardware store",
        "Quincaillerie",
        "IJzerwarenwinkel",
        "🔨",
        0.8,
    ),
    ShopTypeSpec("florist", "shop=florist", "daily", "Florist", "Fleuriste", "Bloemist", "💐", 1.2),
    ShopTypeSpec(
        "newsagent",
        "shop=newsagent",
        "daily",
        "Newsagent",
        "Marchand de journaux",
        "Krantenwinkel",
        "📰",
        1.5,
    ),
    ShopTypeSpec(
        "stationery",
        "shop=stationery",
        "daily",
        "Stationery",
        "Papeterie",
        "Kantoorboekhandel",
        "✏️",
        0.5,
    ),
    ShopTypeSpec(
        "laundry", "shop=laundry", "daily", "Launderette", "Laverie", "Wasserette", "🧺", 1
    ),
    ShopTypeSpec(
        "dry_cleaning", "shop=dry_cleaning", "daily", "Dry cleaner", "Pressing", "Stomerij", "👔", 1
    ),
    ShopTypeSpec("books", "shop=books", "culture", "Bookshop", "Librairie", "Boekhandel", "📚", 1),
    ShopTypeSpec(
        "music", "shop=music", "culture", "Record shop", "Disquaire", "Platenzaak", "💿", 0.3
    ),
    ShopTypeSpec(
        "musical_instrument",
        "shop=musical_instrument",
        "culture",
        "Musical instruments",
        "Instruments de musique",
        "Muziekinstrumenten",
        "🎸",
        0.2,
    ),
    ShopTypeSpec(
        "art", "shop=art", "culture", "Art gallery", "Galerie d'art", "Kunstgalerie", "🖼️", 0.6
    ),
    ShopTypeSpec(
        "craft", "shop=craft", "culture", "Crafts", "Artisanat d'art", "Ambachtswinkel", "🧶", 0.6
    ),
    ShopTypeSpec(
        "toys", "shop=toys", "culture", "Toy shop", "Jouets", "Speelgoedwinkel", "🧸", 0.5
    ),
    ShopTypeSpec(
        "photo", "shop=photo", "culture", "Photo shop", "Photographe", "Fotozaak", "📷", 0.3
    ),
    ShopTypeSpec(
        "hairdresser", "shop=hairdresser", "services", "Hairdresser", "Coiffeur", "Kapper", "💇", 5
    ),
    ShopTypeSpec(
        "beauty",
        "shop=beauty",
        "services",
        "Beauty salon",
        "Institut de beauté",
        "Schoonheidssalon",
        "💅",
        2,
    ),
    ShopTypeSpec(
        "shoemaker",
        "craft=shoemaker",
        "services",
        "Shoe repair",
        "Cordonnerie",
        "Schoenmaker",
        "👞",
        0.5,
    ),
    ShopTypeSpec(
        "tailor", "craft=tailor", "services", "Tailor", "Retouches", "Kleermaker", "🧵", 0.6
    ),
    ShopTypeSpec(
        "computer",
        "shop=computer",
        "services",
        "Computer shop",
        "Informatique",
        "Computerwinkel",
        "💻",
        0.6,
    ),
    ShopTypeSpec(
        "mobile_phone",
        "shop=mobile_phone",
        "services",
        "Phone shop",
        "Téléphonie",
        "Telefoonwinkel",
        "📱",
        1.5,
    ),
    ShopTypeSpec(
        "bicycle",
        "shop=bicycle",
        "services",
        "Bicycle shop and repair",
        "Vélociste et réparation",
        "Fietsenmaker",
        "🚲",
        0.6,
    ),
    ShopTypeSpec(
        "post_office",
        "amenity=post_office",
        "services",
        "Post office",
        "Bureau de poste",
        "Postkantoor",
        "📮",
        0.4,
    ),
    ShopTypeSpec("cafe", "amenity=cafe", "leisure", "Café", "Café", "Koffiezaak", "☕", 5),
    ShopTypeSpec(
        "restaurant",
        "amenity=restaurant",
        "leisure",
        "Restaurant",
        "Restaurant",
        "Restaurant",
        "🍽️",
        8,
    ),
    ShopTypeSpec("bar", "amenity=bar", "leisure", "Bar", "Bar", "Bar", "🍸", 3),
    ShopTypeSpec(
        "fitness_centre",
        "leisure=fitness_centre",
        "leisure",
        "Gym",
        "Salle de sport",
        "Sportschool",
        "🏋️",
        0.6,
    ),
    ShopTypeSpec(
        "sports",
        "shop=sports",
        "leisure",
        "Sports shop",
        "Articles de sport",
        "Sportwinkel",
        "⚽",
        0.5,
    ),
    ShopTypeSpec(
        "clothes", "shop=clothes", "leisure", "Clothes shop", "Vêtements", "Kledingwinkel", "👕", 4
    ),
    ShopTypeSpec(
        "second_hand",
        "shop=second_hand",
        "leisure",
        "Second-hand shop",
        "Friperie",
        "Kringloopwinkel",
        "♻️",
        0.8,
    ),
)

BY_CODE: dict[str, ShopTypeSpec] = {spec.code: spec for spec in SHOP_TYPES}
_OSM_CODES: dict[str, str] = {spec.osm: spec.code for spec in SHOP_TYPES}

# Categories that real exports use and that map onto a code. Matched after normalise().
EXTRA_ALIASES: dict[str, str] = {
    # City of Paris, "commerçants parisiens" dataset (type_de_commerce)
    "restaurant ou traiteur": "restaurant",
    "boucherie charcuterie rotisserie": "butcher",
    "alimentation generale et produits de premiere necessite": "convenience",
    "caviste brasserie": "wine",
    "boulangerie patisserie": "bakery",
    "chocolaterie patisserie": "chocolate",
    "jouets jeux": "toys",
    "cosmetique": "cosmetics",
    "pharmacies et parapharmacies": "pharmacy",
    "equipements informatiques": "computer",
    "bricolage": "hardware",
    "presse et papeterie": "newsagent",
    "articles medicaux et orthopediques": "medical_supply",
    "blanchisserie teinturerie": "dry_cleaning",
    "materiels de telecommunication": "mobile_phone",
    # Other OpenStreetMap values that mean the same shop for a resident
    "doityourself": "hardware",
    "fishmonger": "seafood",
    "boutique": "clothes",
    "charity": "second_hand",
    "hairdresser barber": "hairdresser",
    "gym": "fitness_centre",
    "pub": "bar",
    "kiosk": "newsagent",
}

# Categories that name no shop type at all: an importer skips and counts them rather than fail.
UNCLASSIFIED: frozenset[str] = frozenset({"autre", "other", "overig", "divers", "yes"})

OSM_KEYS: tuple[str, ...] = ("shop", "amenity", "craft", "leisure")


def normalise(label: str) -> str:
    """Return label folded for matching: no accents, lower case, words separated by one space."""
    decomposed = unicodedata.normalize("NFKD", label)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.split(r"[^a-z0-9]+", stripped.casefold())).strip()


def _build_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for spec in SHOP_TYPES:
        for name in (spec.code, spec.osm.split("=", 1)[1], spec.en, spec.fr, spec.nl):
            aliases[normalise(name)] = spec.code
    aliases.update({normalise(key): code for key, code in EXTRA_ALIASES.items()})
    return aliases


ALIASES = _build_aliases()


def code_for(label: str | None) -> str | None:
    """Return the shop-type code a category label stands for, or None if it is unknown."""
    if not label:
        return None
    return ALIASES.get(normalise(label))


def is_unclassified(label: str | None) -> bool:
    """Return True when a category label deliberately names no shop type ("Autre")."""
    return label is None or normalise(label) in UNCLASSIFIED


def code_for_osm_tags(tags: dict[str, object]) -> str | None:
    """Return the shop-type code for OSM-style tags (shop=*, amenity=*, craft=*, leisure=*)."""
    tag = osm_shop_tag(tags)
    if tag is not None:
        code = _OSM_CODES.get(tag) or OSM_TAG_CODES.get(tag)
        if code or osm_skip_reason(tag):
            return code
    for key in OSM_KEYS:
        value = tags.get(key)
        if isinstance(value, str) and value:
            exact = f"{key}={value}"
            for spec in SHOP_TYPES:
                if spec.osm == exact:
                    return spec.code
            code = code_for(value)
            if code:
                return code
    return None
