"""Claims: an owner or agency asks to manage a premise; an admin or its managing agency decides."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from wishmap.models import Claim, ClaimStatus, Premise, Role, User
from wishmap.models._types import utcnow
from wishmap.services import audit
from wishmap.taxonomy import normalise


class ClaimError(ValueError):
    """A claim was refused; the message says why."""


class ClaimForbidden(ClaimError):
    """The user may not decide this claim."""


class ClaimNotFound(ClaimError):
    """There is no such premise."""


@dataclass
class ClaimBoard:
    """What a user sees on the claims page."""

    mine: list[Claim] = field(default_factory=list)
    to_decide: list[Claim] = field(default_factory=list)
    managed: list[Premise] = field(default_factory=list)


def claim_premise(session: Session, claimant: User, premise_ref: str) -> Claim:
    """Ask to manage the premise with this reference; commits, or raises ClaimError."""
    if claimant.role not in (Role.OWNER, Role.AGENCY):
        raise ClaimForbidden(_("Only owners and agencies claim premises."))
    premise = session.scalar(select(Premise).where(Premise.ref == premise_ref.strip()))
    if premise is None:
        raise ClaimError(_("No premise has this reference."))
    return _file_claim(session, claimant, premise)


def claim_premise_by_id(session: Session, claimant: User, premise_id: int) -> Claim:
    """Ask to manage this premise (the "I manage this premise" button); commits or raises."""
    if claimant.role not in (Role.OWNER, Role.AGENCY):
        raise ClaimForbidden(_("Only owners and agencies claim premises."))
    premise = session.get(Premise, premise_id)
    if premise is None:
        raise ClaimNotFound(_("There is no such premise."))
    return _file_claim(session, claimant, premise)


def _file_claim(session: Session, claimant: User, premise: Premise) -> Claim:
    if premise.manager_id == claimant.id:
        raise ClaimError(_("You already manage this premise."))
    claim = Claim(premise_id=premise.id, claimant_id=claimant.id)
    session.add(claim)
    try:
        session.commit()
    except IntegrityError:
        # The partial unique index allows one pending claim per claimant and premise.
        session.rollback()
        raise ClaimError(
            _("You have already claimed this premise; wait for the decision.")
        ) from None
    return claim


def may_decide(user: User, claim: Claim) -> bool:
    """Return whether user may decide claim: an admin, or the agency managing its premise."""
    if user.role == Role.ADMIN:
        return True
    return (
        user.role == Role.AGENCY
        and claim.premise.manager_id == user.id
        and claim.claimant_id != user.id
    )


def claim_board(session: Session, user: User) -> ClaimBoard:
    """Return the user's claims, the pending claims they may decide, and the premises they run."""
    with_premise = joinedload(Claim.premise)
    mine = session.scalars(
        select(Claim)
        .options(with_premise)
        .where(Claim.claimant_id == user.id)
        .order_by(Claim.created_at.desc())
    ).all()
    pending = select(Claim).options(with_premise, joinedload(Claim.claimant))
    pending = pending.where(Claim.status == ClaimStatus.PENDING.value)
    if user.role != Role.ADMIN:
        pending = pending.join(Premise, Premise.id == Claim.premise_id).where(
            Premise.manager_id == user.id, Claim.claimant_id != user.id
        )
    managed = session.scalars(select(Premise).where(Premise.manager_id == user.id)).all()
    return ClaimBoard(
        mine=list(mine),
        to_decide=list(session.scalars(pending.order_by(Claim.created_at))),
        managed=sorted(managed, key=address_order),
    )


_LEADING_NUMBER = re.compile(
    r"^\s*(?P<number>\d+)(?P<suffix>\s*(?:bis|ter|quater)\b|[a-z]\b)?[\s,]*(?P<street>.*)$", re.I
)
# Dutch and German addresses put the number last: "Damrak 12a".
_TRAILING_NUMBER = re.compile(r"^(?P<street>.*?)[\s,]+(?P<number>\d+)\s*(?P<suffix>\w?)\s*$")


def address_order(premise: Premise) -> tuple[str, int, str, str]:
    """Return a key sorting premises by street, then house number as a number.

    "2 rue X" comes before "10 rue X", and "10bis" right after "10".
    """
    found = _LEADING_NUMBER.match(premise.address) or _TRAILING_NUMBER.match(premise.address)
    if found is None:
        street = premise.street_name or premise.address
        return normalise(street), sys.maxsize, "", premise.ref
    street = premise.street_name or found["street"]
    suffix = (found["suffix"] or "").strip().lower()
    return normalise(street), int(found["number"]), suffix, premise.ref


def claim_state(session: Session, user: User, premise: Premise) -> str | None:
    """Return "manager" or "pending" for an owner's or agency's link to a premise, else None."""
    if user.role not in (Role.OWNER, Role.AGENCY):
        return None
    if premise.manager_id == user.id:
        return "manager"
    pending = session.scalar(
        select(Claim.id).where(
            Claim.premise_id == premise.id,
            Claim.claimant_id == user.id,
            Claim.status == ClaimStatus.PENDING.value,
        )
    )
    return "pending" if pending else None


def decide_claim(session: Session, decider: User, claim_id: int, approve: bool) -> Claim:
    """Approve (the claimant becomes the premise's manager) or reject a claim; audited."""
    claim = session.get(Claim, claim_id)
    if claim is None or claim.status != ClaimStatus.PENDING:
        raise ClaimError(_("There is no such pending claim."))
    if not may_decide(decider, claim):
        raise ClaimForbidden(_("Only an admin or the agency managing this premise decides."))
    premise = claim.premise
    before = {"status": claim.status, "manager_id": premise.manager_id}
    claim.status = (ClaimStatus.APPROVED if approve else ClaimStatus.REJECTED).value
    claim.decided_at, claim.decided_by_id = utcnow(), decider.id
    if approve:
        premise.manager_id = claim.claimant_id
        # The premise has its manager: the other open claims on it lapse.
        session.execute(
            update(Claim)
            .where(
                Claim.premise_id == premise.id,
                Claim.id != claim.id,
                Claim.status == ClaimStatus.PENDING.value,
            )
            .values(status=ClaimStatus.REJECTED.value, decided_at=utcnow())
        )
    after = {"status": claim.status, "manager_id": premise.manager_id}
    action = "approve_claim" if approve else "reject_claim"
    audit.record(session, decider, action, "claim", claim.id, before, after)
    session.commit()
    return claim
