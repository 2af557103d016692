"""Every table of Wishmap; importing this package registers them all on Base.metadata."""

from wishmap.models.premise import Premise, PremiseStatus
from wishmap.models.shop import Shop
from wishmap.models.shop_type import ShopType
from wishmap.models.street import Street
from wishmap.models.user import Role, User
from wishmap.models.wish import VOICE_STATUSES, Wish, WishFrequency, WishStatus

__all__ = [
    "VOICE_STATUSES",
    "Premise",
    "PremiseStatus",
    "Role",
    "Shop",
    "ShopType",
    "Street",
    "User",
    "Wish",
    "WishFrequency",
    "WishStatus",
]
