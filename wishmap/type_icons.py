"""Which vendored SVG icon (Maki, CC0, static/vendor/maki/) stands for each shop type.

Emoji were drawn as empty boxes where no emoji font is installed; these icons are files of our
own. Pure data, no Flask: the map's GeoJSON and the templates both read it.
"""

from __future__ import annotations

# A type without an icon of its own (or one added later) is drawn as a generic shop.
FALLBACK = "shop"
# Where the icons are, under static/.
ICONS_FOLDER = "vendor/maki/"

ICONS: dict[str, str] = {
    "bakery": "bakery",
    "pastry": "confectionery",
    "butcher": "slaughterhouse",
    "greengrocer": "farm",
    "cheese": "grocery",
    "seafood": "restaurant-seafood",
    "deli": "grocery",
    "convenience": "convenience",
    "supermarket": "grocery",
    "wine": "alcohol-shop",
    "chocolate": "confectionery",
    "ice_cream": "ice-cream",
    "pharmacy": "pharmacy",
    "chemist": "pharmacy",
    "cosmetics": "shop",
    "medical_supply": "doctor",
    "optician": "optician",
    "hardware": "hardware",
    "florist": "florist",
    "newsagent": "library",
    "stationery": "paint",
    "laundry": "laundry",
    "dry_cleaning": "laundry",
    "books": "library",
    "music": "music",
    "musical_instrument": "music",
    "art": "art-gallery",
    "craft": "paint",
    "toys": "gift",
    "photo": "attraction",
    "hairdresser": "hairdresser",
    "beauty": "hairdresser",
    "shoemaker": "shoe",
    "tailor": "clothing-store",
    "computer": "mobile-phone",
    "mobile_phone": "mobile-phone",
    "bicycle": "bicycle",
    "post_office": "post",
    "cafe": "cafe",
    "restaurant": "restaurant",
    "bar": "bar",
    "fitness_centre": "fitness-centre",
    "sports": "soccer",
    "clothes": "clothing-store",
    "second_hand": "recycling",
}


def icon_name(code: str | None) -> str:
    """Return the Maki icon name of a shop type's code (the generic shop when unknown)."""
    return ICONS.get(code or "", FALLBACK)


def icon_path(code: str | None) -> str:
    """Return the icon's path under static/ for a shop type's code."""
    return f"{ICONS_FOLDER}{icon_name(code)}.svg"
