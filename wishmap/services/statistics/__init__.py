"""Statistics for the city's officers: active wishes and distinct residents, grouped and filtered.

query.py says what is asked and returned, tables.py builds the published table from the live
aggregates (services/statistics_aggregates.py), nesting.py tells which districts of one level
lie in a filter's district of another, scan.py counts the same by reading the wishes.
"""

from wishmap.services.statistics.query import (
    DEFAULT_MIN_RESIDENTS,
    DIMENSIONS,
    GEOMETRY_DIMENSIONS,
    StatisticsError,
    StatRow,
    StatsQuery,
    StatsTable,
    parse_query,
)
from wishmap.services.statistics.scan import month_key
from wishmap.services.statistics.tables import (
    Choices,
    MapLayer,
    filter_choices,
    geometries,
    map_layers,
    statistics,
)

__all__ = [
    "DEFAULT_MIN_RESIDENTS",
    "DIMENSIONS",
    "GEOMETRY_DIMENSIONS",
    "Choices",
    "MapLayer",
    "StatRow",
    "StatisticsError",
    "StatsQuery",
    "StatsTable",
    "filter_choices",
    "geometries",
    "map_layers",
    "month_key",
    "parse_query",
    "statistics",
]
