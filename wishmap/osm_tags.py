"""The OpenStreetMap side of the shop-type taxonomy: which tags are shops, and what they map to.

Each type in wishmap/taxonomy.py stands for one OSM tag; real maps use many more. Every other
shop-like tag either maps onto a type a resident would take for the same shop (a kebab place
answers a wish for a restaurant), or is skipped on purpose with a reason: counting a jeweller
as a clothes shop would lower the clothes gap score where no clothes shop exists. A tag in
neither table is "unmapped": importers count it, so a mapping gap never goes unseen.

Pure data and lookups, no Flask.
"""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


# Amenities that are storefronts on a shopping street (food, retail, services). Other amenities
# (benches, parking, schools, embassies…) are not shop-like and are not counted at all.
SHOP_LIKE_AMENITIES: frozenset[str] = frozenset(
    _words(
        "restaurant cafe fast_food bar pub biergarten ice_cream food_court nightclub pharmacy "
        "post_office bank bureau_de_change money_transfer internet_cafe marketplace car_rental "
        "veterinary driving_school casino"
    )
)

# leisure=* is a storefront only when it names a type (a gym); parks and pitches are not.
SHOP_LIKE_LEISURE: frozenset[str] = frozenset({"fitness_centre"})

# key=value → shop-type code, for tags other than the type's own (see ShopTypeSpec.osm).
OSM_TAG_CODES: dict[str, str] = {
    # food
    "amenity=fast_food": "restaurant",
    "amenity=food_court": "restaurant",
    "shop=caterer": "restaurant",
    "amenity=pub": "bar",
    "amenity=biergarten": "bar",
    "shop=ice_cream": "ice_cream",
    "shop=alcohol": "wine",
    "shop=beverages": "wine",
    "shop=tea": "deli",
    "shop=coffee": "deli",
    "shop=spices": "deli",
    "shop=pasta": "deli",
    "shop=confectionery": "chocolate",
    "craft=confectionery": "chocolate",
    "shop=farm": "greengrocer",
    "shop=fishmonger": "seafood",
    "shop=general": "convenience",
    "shop=organic": "convenience",
    "shop=health_food": "convenience",
    "shop=food": "convenience",
    "shop=frozen_food": "supermarket",
    # daily needs
    "shop=kiosk": "newsagent",
    "shop=tobacco": "newsagent",
    "shop=lottery": "newsagent",
    "shop=perfumery": "cosmetics",
    "shop=hearing_aids": "medical_supply",
    "shop=herbalist": "chemist",
    "shop=drugstore": "chemist",
    "craft=optician": "optician",
    "shop=doityourself": "hardware",
    "shop=paint": "hardware",
    "shop=garden_centre": "florist",
    "shop=copyshop": "stationery",
    # culture
    "shop=records": "music",
    "shop=games": "toys",
    "shop=video_games": "toys",
    "shop=model": "toys",
    "shop=hobby": "craft",
    "shop=fabric": "craft",
    "shop=sewing": "craft",
    "shop=haberdashery": "craft",
    "shop=wool": "craft",
    "shop=handicrafts": "craft",
    "shop=art_supplies": "craft",
    "shop=frame": "art",
    "shop=artist": "art",
    "craft=photographer": "photo",
    "shop=photo_studio": "photo",
    # services
    "shop=barber": "hairdresser",
    "shop=beauty_salon": "beauty",
    "shop=nails": "beauty",
    "shop=nailstudio": "beauty",
    "shop=massage": "beauty",
    "shop=shoe_repair": "shoemaker",
    "craft=shoe_repair": "shoemaker",
    "shop=tailor": "tailor",
    "craft=dressmaker": "tailor",
    "shop=electronics": "computer",
    "shop=telecommunication": "mobile_phone",
    # leisure
    "shop=boutique": "clothes",
    "shop=fashion": "clothes",
    "shop=outdoor": "sports",
    "shop=charity": "second_hand",
    "shop=antiques": "second_hand",
    "shop=junk": "second_hand",
}

NO_TYPE = "no Wishmap shop type"

# key=value → why it is skipped on purpose. "craft=*" covers every craft not mapped above.
OSM_SKIPPED: dict[str, str] = {
    "shop=vacant": "a vacant premise, not a shop",
    "shop=yes": "shop of unknown kind",
    "shop=unknown": "shop of unknown kind",
    "shop=store": "shop of unknown kind",
    "shop=retail": "shop of unknown kind",
    "craft=*": "a workshop, not a storefront type",
    **{
        f"shop={value}": NO_TYPE
        for value in _words(
            # fashion accessories and jewellery
            "jewelry jewellery gems gold watches shoes bag handbags leather hat "
            "fashion_accessories baby_goods "
            # home
            "furniture interior_decoration carpet bed kitchen houseware cookware appliances "
            "lighting curtain bathroom_furnishing tiles flooring window_blind glaziery "
            "gift souvenirs party candles "
            # big or mixed stores
            "variety_store department_store mall wholesale trade "
            # vehicles
            "car car_parts car_repair tyres motorcycle motorcycle_repair fuel "
            # services and the rest
            "travel_agency ticket pawnbroker money_lender bookmaker betting erotic tattoo "
            "e-cigarette weapons estate_agent storage_rental rental funeral_directors pet "
            "pet_grooming hifi video electrical security locksmith religion energy "
            "cannabis printer_ink mobile_phone_accessories"
        )
    },
    **{
        f"amenity={value}": NO_TYPE
        for value in _words(
            "nightclub bank bureau_de_change money_transfer internet_cafe marketplace "
            "car_rental veterinary driving_school casino"
        )
    },
}


def osm_shop_tag(tags: dict[str, object]) -> str | None:
    """Return the feature's shop-like tag as "key=value" (value lower case), or None.

    A list value ("deli; kitchen") counts by its first item, as OSM renderers read it.
    """
    for key in ("shop", "amenity", "craft", "leisure"):
        raw = tags.get(key)
        if not isinstance(raw, str) or not raw.strip():
            continue
        value = raw.split(";")[0].strip().lower()
        if key == "amenity" and value not in SHOP_LIKE_AMENITIES:
            continue
        if key == "leisure" and value not in SHOP_LIKE_LEISURE:
            continue
        return f"{key}={value}"
    return None


def osm_skip_reason(tag: str) -> str | None:
    """Return why a shop-like "key=value" tag is skipped on purpose, or None."""
    key = tag.split("=", 1)[0]
    return OSM_SKIPPED.get(tag) or OSM_SKIPPED.get(f"{key}=*")
