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
from wishmap.services.zoning import CHUNK as SHORT_LIST
from wishmap.services.zoning import zone_classes
from wishmap.zoning_rules import ZONING_CLASSES


def forbidden_types(session: Session, premise_ids: Iterable[int]) -> dict[int, dict[int, str]]:
    """Return {premise id: {shop type id: why it may not be recommended}} for those premises.

    Premises without any restriction are absent from the result. Reads the premise–zone links
    stored at import time and the exclusions: five indexed queries, whatever the number of
    premises (bench/zoning.py times 5,000).
    """
    ids = list(dict.fromkeys(int(premise_id) for premise_id in premise_ids))
    if not ids:
        return {}
    result: dict[int, dict[int, str]] = {}
    language = current_language()
    type_ids = dict(session.execute(select(ShopType.code, ShopType.id)).all())

    # Zoning: each class forbids a fixed set of types, worked out once per class and copied
    # (a dict copy, not a loop per type: a page may hold thousands of protected premises).
    by_class: dict[str, dict[int, str]] = {}
    for code, zone in ZONING_CLASSES.items():
        reason = _("Not allowed here by zoning: %(rule)s", rule=zone.label(language))
        by_class[code] = {
            type_ids[use]: reason for use in sorted(zone.forbidden_codes()) if use in type_ids
        }
    for premise_id, codes in zone_classes(session, ids).items():
        reasons: dict[int, str] = {}
        for code in sorted(codes):
            # The first class that forbids a type names the reason.
            reasons = {**by_class.get(code, {}), **reasons}
        if reasons:
            result[premise_id] = reasons

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
    # Managers' own exclusions. For a long list, few managers set any: read their premises
    # (binding thousands of ids costs more) and keep those asked about.
    by_manager: dict[int, list[int]] = {}
    for manager_id, type_id in session.execute(
        select(TypeExclusion.manager_id, TypeExclusion.shop_type_id).where(
            TypeExclusion.manager_id.is_not(None)
        )
    ):
        by_manager.setdefault(manager_id, []).append(type_id)
    if by_manager:
        reason = _("Excluded by the premise's manager")
        wanted = set(ids)
        query = select(Premise.id, Premise.manager_id).where(
            Premise.manager_id.in_(list(by_manager))
        )
        if len(ids) <= SHORT_LIST:
            query = query.where(Premise.id.in_(ids))
        managed = session.execute(query)
        for premise_id, manager_id in managed:
            if premise_id in wanted:
                reasons = result.setdefault(premise_id, {})
                for type_id in by_manager[manager_id]:
                    reasons.setdefault(type_id, reason)
    return result
