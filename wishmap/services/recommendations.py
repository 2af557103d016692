"""Which shop types may be recommended for a premise: zoning rules and the manager's exclusions.

Every page or export that recommends a use (portfolio, "where should a … go?", the premise
report, candidate ranking) asks this module, so that a forbidden or excluded type is never
recommended anywhere. Such types are still shown, marked, never ranked as a recommendation.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session


def forbidden_types(session: Session, premise_ids: Iterable[int]) -> dict[int, dict[int, str]]:
    """Return {premise id: {shop type id: why it may not be recommended}} for those premises.

    Premises without any restriction are absent from the result.
    """
    # Filled by the zoning and exclusions work (issue 8): until a layer or an exclusion
    # exists, nothing is forbidden.
    del session, premise_ids
    return {}
