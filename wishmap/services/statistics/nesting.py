"""Districts of one level filtered on a district of another: which groups the aggregates answer.

The aggregates keep each level's districts apart, not pairs of levels. Grouping by the districts
of level A while filtering on a district D of level B is still exact from level A's rows for
every district of A whose wishes all lie in D (nested levels: quartiers in their arrondissement),
since its wishes in D are then all its wishes, whatever else is filtered. Which ones do is read
from agg_district_pairs (models/district_nesting.py), kept from wish_districts, not from the
geometries: those rows are what the scan counts, and a point on a shared border may fall in a
district of A and in a neighbour of D. Wishes of every status count in that check: a held wish
across the border can only send its district to the scan, never a wrong figure to the page.
The districts straddling D's border, and D's wishes outside every district of A, are read from
the cross rows of the two levels (models/statistics_aggregates.py), which key each group by a
district of each; so is all of D when no district of A lies wholly in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap.models import District
from wishmap.models.district_nesting import DistrictPair
from wishmap.models.statistics_aggregates import SCOPE

CHUNK = 500


@dataclass(frozen=True)
class Split:
    """The districts of level A with wishes in the filtered district, by how they are counted."""

    whole: tuple[int, ...]  # every wish of theirs lies in it: the aggregates answer
    straddling: tuple[int | None, ...]  # some do, some do not (None: outside level A): scanned

    @property
    def within_one(self) -> bool:
        """Whether the filtered district's wishes all lie in one district of level A, or none.

        That district's key is straddling[0] (None: outside every district of level A).
        """
        return not self.whole and len(self.straddling) <= 1


def split(session: Session, level: str, district: District) -> Split:
    """Sort the districts of `level` with wishes in `district` (of another level)."""
    inside = {
        other or None: count
        for other, count in session.execute(
            select(DistrictPair.other_id, DistrictPair.wishes).where(
                DistrictPair.scope == SCOPE,
                DistrictPair.level == district.level,
                DistrictPair.district_id == district.id,
                DistrictPair.other_level == level,
                DistrictPair.wishes != 0,
            )
        )
    }
    ids = sorted(key for key in inside if key is not None)
    totals: dict[int, int] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        totals.update(
            session.execute(
                select(DistrictPair.district_id, func.sum(DistrictPair.wishes))
                .where(
                    DistrictPair.scope == SCOPE,
                    DistrictPair.level == level,
                    DistrictPair.district_id.in_(chunk),
                    DistrictPair.other_level == district.level,
                )
                .group_by(DistrictPair.district_id)
            ).all()
        )
    whole = tuple(key for key in ids if totals.get(key) == inside[key])
    straddling = tuple(key for key in inside if key is None or totals.get(key) != inside[key])
    return Split(whole, straddling)
