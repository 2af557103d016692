"""The OpenStreetMap side of the taxonomy: which tags are shops, what they map to or skip."""

from __future__ import annotations

import pytest

from wishmap.osm_tags import OSM_SKIPPED, OSM_TAG_CODES, osm_shop_tag, osm_skip_reason
from wishmap.taxonomy import BY_CODE, code_for_osm_tags


@pytest.mark.parametrize(
    ("tags", "code"),
    [
        ({"shop": "bakery"}, "bakery"),  # a type's own tag
        ({"amenity": "fast_food", "cuisine": "kebab"}, "restaurant"),
        ({"amenity": "pub"}, "bar"),
        ({"shop": "alcohol"}, "wine"),
        ({"shop": "kiosk"}, "newsagent"),
        ({"shop": "tobacco"}, "newsagent"),
        ({"shop": "doityourself"}, "hardware"),
        ({"shop": "nails"}, "beauty"),
        ({"shop": "charity"}, "second_hand"),
        ({"shop": "Deli; kitchen"}, "deli"),  # a list counts by its first value, any case
        ({"craft": "shoemaker"}, "shoemaker"),
        ({"craft": "dressmaker"}, "tailor"),
        ({"leisure": "fitness_centre"}, "fitness_centre"),
        ({"shop": "jewelry"}, None),
        ({"shop": "vacant"}, None),
        ({"amenity": "bench"}, None),
    ],
)
def test_osm_tags_map_onto_shop_types(tags: dict[str, str], code: str | None) -> None:
    assert code_for_osm_tags(tags) == code


@pytest.mark.parametrize(
    ("tags", "tag", "reason"),
    [
        ({"shop": "jewelry"}, "shop=jewelry", "no Wishmap shop type"),
        ({"shop": "shoes"}, "shop=shoes", "no Wishmap shop type"),
        ({"shop": "furniture"}, "shop=furniture", "no Wishmap shop type"),
        ({"shop": "gift"}, "shop=gift", "no Wishmap shop type"),
        ({"shop": "yes"}, "shop=yes", "shop of unknown kind"),
        ({"shop": "vacant"}, "shop=vacant", "a vacant premise, not a shop"),
        ({"amenity": "bank"}, "amenity=bank", "no Wishmap shop type"),
        ({"craft": "carpenter"}, "craft=carpenter", "a workshop, not a storefront type"),
        ({"shop": "anime"}, "shop=anime", None),  # unmapped: importers count it
    ],
)
def test_skipped_tags_say_why(tags: dict[str, str], tag: str, reason: str | None) -> None:
    assert osm_shop_tag(tags) == tag
    assert osm_skip_reason(tag) == reason
    assert code_for_osm_tags(tags) is None


def test_only_storefronts_are_shop_like() -> None:
    for tags in ({"amenity": "parking"}, {"amenity": "school"}, {"leisure": "park"}, {}):
        assert osm_shop_tag(tags) is None
    assert osm_shop_tag({"amenity": "cafe", "shop": " "}) == "amenity=cafe"


def test_mapping_tables_are_consistent() -> None:
    assert set(OSM_TAG_CODES.values()) <= set(BY_CODE)
    # A tag is either mapped or skipped, never both; a type's own tag is in neither table.
    assert not set(OSM_TAG_CODES) & set(OSM_SKIPPED)
    assert not {spec.osm for spec in BY_CODE.values()} & (set(OSM_TAG_CODES) | set(OSM_SKIPPED))
