"""The open API (/api/v1): one blueprint, its routes grouped by noun in the modules below.

Importing the modules registers their routes on `bp`.
"""

from wishmap.views.open_data import demand, places, published
from wishmap.views.open_data._blueprint import bp

__all__ = ["bp", "demand", "places", "published"]
