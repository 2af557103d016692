"""Which shop types may be recommended for a premise: zoning rules and the manager's exclusions.

Every page or export that recommends a use (portfolio, "where should a … go?", the premise
report, candidate ranking) asks this module, so that a forbidden or excluded type is never
recommended anywhere. Such types are still shown, marked, never ranked as a recommendation.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from wishmap.i18n import current_language
from wishmap.models import Premise, ShopType, TypeExclusion
from wishmap.services.zoning import CHUNK, zone_classes
from wishmap.zoning_rules import ZONING_CLASSES


def forbidden_types(session: Session, premise_ids: Iterable[int]) -> dict[int, dict[int, str]]:
    """Return {premise id: {shop type id: why it may not be recommended}} for those premises.

    Premises without any restriction are absent from the result. Reads the premise–zone links
    stored at import time and the exclusions: a few indexed queries per 500 premises.
    """
    ids = list(dict.fromkeys(int(premise_id) for premise_id in premise_ids))
    if not ids:
        return {}
    result: dict[int, dict[int, str]] = {}
    language = current_language()
    type_ids = dict(session.execute(select(ShopType.code, ShopType.id)).all())

    # Zoning: each class forbids a fixed set of types, worked out once per class.
    by_class: dict[str, tuple[str, list[int]]] = {}
    for premise_id, codes in zone_classes(session, ids).items():
        for code in sorted(codes):
            zone = ZONING_CLASSES.get(code)
            if zone is None:
                continue
            if code not in by_class:
                reason = _("Not allowed here by zoning: %(rule)s", rule=zone.label(language))
                forbidden = [type_ids[use] for use in zone.forbidden_codes() if use in type_ids]
                by_class[code] = (reason, forbidden)
            reason, forbidden = by_class[code]
            reasons = result.setdefault(premise_id, {})
            for type_id in forbidden:
                reasons.setdefault(type_id, reason)
            if not reasons:
                del result[premise_id]

    # Exclusions: city-wide ones (set by an admin), then each premise's manager's own.
    everywhere = list(
        session.scalars(
            select(TypeExclusion.shop_type_id).where(TypeExclusion.manager_id.is_(None))
        )
    )
    if everywhere:
        reason = _("Excluded for every premise")
        for premise_id in ids:
            reasons = result.setdefault(premise_id, {})
            for type_id in everywhere:
                reasons.setdefault(type_id, reason)
    managers_reason = _("Excluded by the premise's manager")
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = session.execute(
            select(Premise.id, TypeExclusion.shop_type_id)
            .join(TypeExclusion, TypeExclusion.manager_id == Premise.manager_id)
            .where(Premise.id.in_(chunk))
        )
        for premise_id, type_id in rows:
            result.setdefault(premise_id, {}).setdefault(type_id, managers_reason)
    return result
