"""Exclusions: shop types a manager will not let to (an agency's policy), or nobody will (admin).

They are shown on the reports of the manager's premises and never recommended there
(services/recommendations.py reads them). Every change is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from wishmap.models import Role, ShopType, TypeExclusion, User
from wishmap.services import audit


class ExclusionError(ValueError):
    """The change was refused; the message says why."""


@dataclass
class ExclusionBoard:
    """What the exclusions page shows: whose list it is, its types, and the city-wide ones."""

    everywhere: bool  # an admin edits the list that holds for every premise
    excluded: set[int]
    city_wide: set[int]


def _manager_id(actor: User) -> int | None:
    if actor.role == Role.ADMIN:
        return None
    if actor.role in (Role.OWNER, Role.AGENCY):
        return actor.id
    raise ExclusionError(_("Only owners, agencies and admins set excluded shop types."))


def _excluded(session: Session, manager_id: int | None) -> set[int]:
    query = select(TypeExclusion.shop_type_id)
    if manager_id is None:
        query = query.where(TypeExclusion.manager_id.is_(None))
    else:
        query = query.where(TypeExclusion.manager_id == manager_id)
    return set(session.scalars(query))


def exclusion_board(session: Session, actor: User) -> ExclusionBoard:
    """Return the actor's excluded types (an admin's: the city-wide list) and the city-wide ones."""
    manager_id = _manager_id(actor)
    city_wide = _excluded(session, None)
    return ExclusionBoard(
        everywhere=manager_id is None,
        excluded=city_wide if manager_id is None else _excluded(session, manager_id),
        city_wide=city_wide,
    )


def set_exclusions(session: Session, actor: User, codes: Iterable[str]) -> tuple[int, int]:
    """Make the actor's excluded types exactly these codes; return (added, removed). Audited.

    An admin sets the city-wide list; owners and agencies their own. Unknown codes change
    nothing and raise ExclusionError.
    """
    manager_id = _manager_id(actor)
    wanted_codes = {code.strip() for code in codes if code.strip()}
    types = dict(session.execute(select(ShopType.code, ShopType.id)).all())
    unknown = sorted(wanted_codes - set(types))
    if unknown:
        raise ExclusionError(_("Unknown shop type: %(codes)s", codes=", ".join(unknown[:5])))
    wanted = {types[code] for code in wanted_codes}
    current = _excluded(session, manager_id)
    added, removed = wanted - current, current - wanted
    if not added and not removed:
        return 0, 0
    if removed:
        condition = (
            TypeExclusion.manager_id.is_(None)
            if manager_id is None
            else TypeExclusion.manager_id == manager_id
        )
        session.execute(
            delete(TypeExclusion).where(condition, TypeExclusion.shop_type_id.in_(removed))
        )
    session.add_all(
        TypeExclusion(manager_id=manager_id, shop_type_id=type_id) for type_id in sorted(added)
    )
    code_of = {type_id: code for code, type_id in types.items()}
    audit.record(
        session,
        actor,
        "set_exclusions",
        "exclusions",
        manager_id,
        {"types": sorted(code_of[type_id] for type_id in current)},
        {"types": sorted(code_of[type_id] for type_id in wanted)},
    )
    session.commit()
    return len(added), len(removed)


def excluded_for_manager(session: Session, manager_id: int | None) -> set[int]:
    """Return the shop types excluded on a premise with this manager (its own and city-wide)."""
    excluded = _excluded(session, None)
    if manager_id is not None:
        excluded |= _excluded(session, manager_id)
    return excluded
