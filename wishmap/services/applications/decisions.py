"""Deciding: the managers read the candidates for a premise and shortlist, reject or let.

Candidates are the submitted applications for the premise itself, its street or a district
it lies in, ranked against the premise's stored demand (tenant_matching). A rejected candidate
is told by e-mail in the language they applied in; letting the premise to one goes through
outcomes.record_outcome, which tells the residents who wished there, and the other open
candidates hear that it was let. Every decision is in the audit log (statuses and ids only,
never contact details).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from wishmap.mail import try_send_mail
from wishmap.models import (
    Application,
    ApplicationStatus,
    Candidacy,
    Premise,
    PremiseStatus,
    Role,
    User,
)
from wishmap.services import audit
from wishmap.services.analysis import rank_tenants
from wishmap.services.applications.submission import ApplicationError
from wishmap.services.districts import districts_of
from wishmap.services.outcomes import OutcomeError, may_record_outcome, record_outcome
from wishmap.services.tenant_matching import RankedTenant

READERS_OF_ALL = {Role.OFFICER.value, Role.ADMIN.value}
# Applications a manager reads: verified and not withdrawn.
VISIBLE = (
    ApplicationStatus.SUBMITTED.value,
    ApplicationStatus.SHORTLISTED.value,
    ApplicationStatus.REJECTED.value,
    ApplicationStatus.ACCEPTED.value,
)
OPEN = (ApplicationStatus.SUBMITTED.value, ApplicationStatus.SHORTLISTED.value)
# Premises per query when counting candidates for many at once.
CHUNK = 900
ACTIONS = {
    "shortlist": ApplicationStatus.SHORTLISTED.value,
    "reject": ApplicationStatus.REJECTED.value,
    "let": ApplicationStatus.ACCEPTED.value,
}


class NotFound(LookupError):
    """No such premise or application."""


class NotAllowed(PermissionError):
    """The user does not manage this premise."""


@dataclass
class Candidate:
    """One application as a candidate for one premise: its ranking and its standing there."""

    application: Application
    ranked: RankedTenant
    standing: str  # submitted, shortlisted, rejected or accepted, for this premise

    @property
    def is_open(self) -> bool:
        return self.standing in OPEN


@dataclass
class CandidatesPage:
    premise: Premise
    candidates: list[Candidate]
    may_decide: bool

    @property
    def open(self) -> list[Candidate]:
        return [candidate for candidate in self.candidates if candidate.is_open]

    @property
    def closed(self) -> list[Candidate]:
        return [candidate for candidate in self.candidates if not candidate.is_open]


def may_read(user: User, premise: Premise) -> bool:
    """Return True when user may read the premise's candidates: its manager, officers, admins."""
    return user.role in READERS_OF_ALL or (
        user.role in {Role.OWNER.value, Role.AGENCY.value} and premise.manager_id == user.id
    )


def _premise(session: Session, user: User, premise_id: int) -> Premise:
    premise = session.get(Premise, premise_id)
    if premise is None:
        raise NotFound(premise_id)
    if not may_read(user, premise):
        raise NotAllowed(premise_id)
    return premise


def applications_for(session: Session, premise: Premise) -> list[Application]:
    """Return the verified applications for premise: direct, or via its street or district."""
    targets = [Application.premise_id == premise.id]
    if premise.street_id is not None:
        targets.append(Application.street_id == premise.street_id)
    district_ids = [
        int(ids[0]) for ids in districts_of(session, [premise.lat], [premise.lon]).values()
    ]
    district_ids = [district_id for district_id in district_ids if district_id >= 0]
    if district_ids:
        targets.append(Application.district_id.in_(district_ids))
    return list(
        session.scalars(
            select(Application)
            .options(joinedload(Application.shop_type))
            .where(Application.status.in_(VISIBLE), or_(*targets))
            .order_by(Application.id)
        )
    )


def candidate_counts(session: Session, premise_ids: Iterable[int]) -> dict[int, int]:
    """Return {premise id: open candidates (submitted or shortlisted there)} for those premises.

    Counts direct applications and those for the premise's street or district. It starts from
    the open applications (few) rather than the premises (the portfolio asks for thousands at
    once), so it needs no long IN lists unless districts are involved. Premises without an
    open candidate are absent.
    """
    wanted = {int(premise_id) for premise_id in premise_ids}
    open_rows = session.execute(
        select(
            Application.id, Application.premise_id, Application.street_id, Application.district_id
        ).where(Application.status.in_(OPEN))
    ).all()
    if not wanted or not open_rows:
        return {}
    found: dict[int, set[int]] = {}
    by_street: dict[int, list[int]] = {}
    by_district: dict[int, list[int]] = {}
    for application_id, premise_id, street_id, district_id in open_rows:
        if premise_id is not None:
            if premise_id in wanted:
                found.setdefault(premise_id, set()).add(application_id)
        elif street_id is not None:
            by_street.setdefault(street_id, []).append(application_id)
        else:
            by_district.setdefault(district_id, []).append(application_id)
    if by_street:
        for premise_id, street_id in session.execute(
            select(Premise.id, Premise.street_id).where(Premise.street_id.in_(list(by_street)))
        ):
            if premise_id in wanted:
                found.setdefault(premise_id, set()).update(by_street[street_id])
    if by_district:
        ids = sorted(wanted)
        for start in range(0, len(ids), CHUNK):
            premises = session.execute(
                select(Premise.id, Premise.lat, Premise.lon).where(
                    Premise.id.in_(ids[start : start + CHUNK])
                )
            ).all()
            located = districts_of(
                session, [row[1] for row in premises], [row[2] for row in premises]
            )
            for level_ids in located.values():
                for (premise_id, _lat, _lon), district_id in zip(premises, level_ids, strict=True):
                    if int(district_id) in by_district:
                        found.setdefault(premise_id, set()).update(by_district[int(district_id)])
    # Decisions are few: read them all rather than list thousands of premises in a query.
    closed = set(
        session.execute(
            select(Candidacy.application_id, Candidacy.premise_id).where(
                Candidacy.status.not_in(OPEN)
            )
        ).all()
    )
    counts = {}
    for premise_id, applications in found.items():
        still_open = [a for a in applications if (a, premise_id) not in closed]
        if still_open:
            counts[premise_id] = len(still_open)
    return counts


def _standings(session: Session, premise_id: int) -> dict[int, str]:
    return dict(
        session.execute(
            select(Candidacy.application_id, Candidacy.status).where(
                Candidacy.premise_id == premise_id
            )
        ).all()
    )


def candidates_page(session: Session, user: User, premise_id: int) -> CandidatesPage:
    """Return the premise's candidates ranked against its demand; NotFound / NotAllowed."""
    premise = _premise(session, user, premise_id)
    standings = _standings(session, premise.id)
    applications = []
    for application in applications_for(session, premise):
        standing = standings.get(application.id, ApplicationStatus.SUBMITTED.value)
        # A candidate who got a premise elsewhere is no longer looking.
        if application.status == ApplicationStatus.ACCEPTED.value and standing != "accepted":
            continue
        applications.append((application, standing))
    ranked = rank_tenants(
        session,
        premise,
        [
            {
                "shop_type": application.shop_type.code,
                "min_surface_m2": application.min_surface_m2,
                "max_surface_m2": application.max_surface_m2,
                "max_rent": application.max_rent,
                "name": application.business_name,
            }
            for application, _standing in applications
        ],
    )
    candidates = [
        Candidate(applications[r.candidate][0], r, applications[r.candidate][1]) for r in ranked
    ]
    return CandidatesPage(premise, candidates, may_record_outcome(user, premise))


def _set_standing(
    session: Session, user: User, application: Application, premise: Premise, status: str
) -> str:
    """Record application's standing for premise (audited); return the previous one."""
    candidacy = session.get(Candidacy, (application.id, premise.id))
    before = candidacy.status if candidacy else ApplicationStatus.SUBMITTED.value
    if candidacy is None:
        candidacy = Candidacy(application_id=application.id, premise_id=premise.id)
        session.add(candidacy)
    candidacy.status = status
    candidacy.decided_by_id = user.id
    # A direct application has one premise, so its own status tells the whole story; one for
    # a street or district changes only when it is accepted somewhere.
    if application.premise_id == premise.id or status == ApplicationStatus.ACCEPTED.value:
        application.status = status
    audit.record(
        session,
        user,
        f"application.{status}",
        "application",
        application.id,
        before={"status": before, "premise_id": premise.id},
        after={"status": status, "premise_id": premise.id},
    )
    return before


def _tell(application: Application, premise: Premise, what: str) -> bool:
    """E-mail the candidate the news about premise, in the language they applied in."""
    with force_locale(application.locale):
        if what == ApplicationStatus.REJECTED.value:
            subject = _("Your application for %(address)s", address=premise.address)
            body = _(
                "Hello %(name)s,\n\nthe manager of %(address)s has decided not to take your "
                "application for %(business)s further. Thank you for applying.",
                name=application.contact_name,
                address=premise.address,
                business=application.business_name,
            )
        elif what == ApplicationStatus.ACCEPTED.value:
            subject = _("Your application for %(address)s was chosen", address=premise.address)
            body = _(
                "Hello %(name)s,\n\nthe manager of %(address)s has chosen your application for "
                "%(business)s. They will contact you to arrange the lease.",
                name=application.contact_name,
                address=premise.address,
                business=application.business_name,
            )
        else:  # the premise was let to someone else
            subject = _("%(address)s has been let", address=premise.address)
            body = _(
                "Hello %(name)s,\n\n%(address)s, which you applied for with %(business)s, has "
                "been let to another business. Thank you for applying.",
                name=application.contact_name,
                address=premise.address,
                business=application.business_name,
            )
    return try_send_mail(application.contact_email, subject, body)


def decide(
    session: Session,
    user: User,
    premise_id: int,
    application_id: int,
    action: str,
    page_url: str = "",
    on: date | None = None,
) -> int:
    """Shortlist, reject or let the premise to an application; return how many were told.

    "let" marks the premise let with the candidate's shop type through record_outcome (the
    residents who wished there are notified) and tells the other open candidates. Raises
    NotFound, NotAllowed or ApplicationError; nothing changes then.
    """
    premise = _premise(session, user, premise_id)
    if not may_record_outcome(user, premise):
        raise NotAllowed(premise_id)
    status = ACTIONS.get(action)
    if status is None:
        raise ApplicationError(_("Unknown action."))
    application = session.get(Application, application_id)
    if application is None or application not in applications_for(session, premise):
        raise NotFound(application_id)
    standings = _standings(session, premise.id)
    standing = standings.get(application.id, ApplicationStatus.SUBMITTED.value)
    # A street or district candidate who got a premise elsewhere is decided everywhere.
    if standing not in OPEN or application.status == ApplicationStatus.ACCEPTED.value:
        raise ApplicationError(_("This application has already been decided."))
    if status != ApplicationStatus.ACCEPTED.value:
        _set_standing(session, user, application, premise, status)
        session.commit()
        if status == ApplicationStatus.REJECTED.value:
            return int(_tell(application, premise, status))
        return 0
    if not premise.is_vacant:
        raise ApplicationError(_("This premise is no longer vacant."))
    _set_standing(session, user, application, premise, status)
    others = [
        other
        for other in applications_for(session, premise)
        if other.id != application.id
        and standings.get(other.id, ApplicationStatus.SUBMITTED.value) in OPEN
        and other.status != ApplicationStatus.ACCEPTED.value
    ]
    for other in others:
        _set_standing(session, user, other, premise, ApplicationStatus.REJECTED.value)
    try:
        # Commits the decisions above together with the premise's new status.
        record_outcome(
            session,
            user,
            premise.id,
            PremiseStatus.LET.value,
            application.shop_type_id,
            on or date.today(),
            page_url,
        )
    except OutcomeError as error:
        session.rollback()
        raise ApplicationError(str(error)) from error
    told = int(_tell(application, premise, ApplicationStatus.ACCEPTED.value))
    for other in others:
        told += int(_tell(other, premise, "let"))
    return told
