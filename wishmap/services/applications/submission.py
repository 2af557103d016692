"""Applying: an entrepreneur applies for a premise, a street or a district, without an account.

The application is saved unverified and a link is e-mailed to the contact address (only its
SHA-256 digest is kept, as for account tokens); following it and pressing the button submits
the application. Only submitted applications reach the managers (decisions.py). The same
link later lets the candidate withdraw the application (until a premise is let to them).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Mapping
from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from wishmap.mail import try_send_mail
from wishmap.models import (
    Application,
    ApplicationStatus,
    District,
    Premise,
    PremiseStatus,
    ShopType,
    Street,
)
from wishmap.models._types import utcnow
from wishmap.models.application import PITCH_MAX
from wishmap.services.users import EMAIL_PATTERN

LinkFn = Callable[[str], str]
MAX_SURFACE_M2 = 100_000
MAX_RENT = 10_000_000
PHONE = re.compile(r"^\+?[0-9 ().\-/]{4,40}$")
# A candidate may withdraw until a premise is let to them.
WITHDRAWABLE = (
    ApplicationStatus.SUBMITTED.value,
    ApplicationStatus.SHORTLISTED.value,
    ApplicationStatus.REJECTED.value,
)
TEXT_LIMITS = {"business_name": 120, "opening_hours": 120, "contact_name": 120}


class ApplicationError(ValueError):
    """The application or the decision is refused; the message says why."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _text(form: Mapping[str, str], key: str, label: str, limit: int, required: bool) -> str | None:
    value = (form.get(key) or "").strip()
    if not value:
        if required:
            raise ApplicationError(_("%(field)s is missing.", field=label))
        return None
    if len(value) > limit:
        raise ApplicationError(
            _("%(field)s is too long (at most %(limit)d characters).", field=label, limit=limit)
        )
    return value


def _amount(form: Mapping[str, str], key: str, label: str, limit: float) -> float:
    raw = (form.get(key) or "").strip().replace(" ", "").replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        raise ApplicationError(_("%(field)s must be a number.", field=label)) from None
    if not 0 <= value <= limit:  # also refuses nan and inf
        raise ApplicationError(_("%(field)s is out of range.", field=label))
    return value


def _target(session: Session, form: Mapping[str, str]) -> dict[str, int]:
    """Return the one target the form names (premise, street or district), or refuse."""
    chosen = {key: (form.get(key) or "").strip() for key in ("premise", "street", "district")}
    given = {key: value for key, value in chosen.items() if value}
    if len(given) != 1:
        raise ApplicationError(_("Choose one premise, street or district to apply for."))
    [(key, raw)] = given.items()
    if not raw.isdigit() or len(raw) > 12:
        raise ApplicationError(_("Choose one premise, street or district to apply for."))
    model = {"premise": Premise, "street": Street, "district": District}[key]
    row = session.get(model, int(raw))
    if row is None:
        raise ApplicationError(_("This place does not exist."))
    if isinstance(row, Premise) and not row.is_vacant:
        raise ApplicationError(_("This premise is no longer vacant."))
    return {f"{key}_id": row.id}


def parse_application(session: Session, form: Mapping[str, str]) -> dict[str, object]:
    """Return the application's column values from a form, or raise ApplicationError."""
    values: dict[str, object] = dict(_target(session, form))
    values["business_name"] = _text(
        form, "business_name", _("The business name"), TEXT_LIMITS["business_name"], True
    )
    code = (form.get("shop_type") or "").strip()
    shop_type = session.scalar(select(ShopType).where(ShopType.code == code)) if code else None
    if shop_type is None:
        raise ApplicationError(_("Choose a shop type from the list."))
    values["shop_type_id"] = shop_type.id
    low = _amount(form, "min_surface_m2", _("The smallest surface"), MAX_SURFACE_M2)
    high = _amount(form, "max_surface_m2", _("The largest surface"), MAX_SURFACE_M2)
    if not 0 < low <= high:
        raise ApplicationError(
            _("The surface range must go from a positive smallest to a larger largest surface.")
        )
    values["min_surface_m2"], values["max_surface_m2"] = low, high
    values["max_rent"] = round(_amount(form, "max_rent", _("The rent budget"), MAX_RENT))
    values["opening_hours"] = _text(
        form, "opening_hours", _("The opening hours"), TEXT_LIMITS["opening_hours"], False
    )
    values["pitch"] = _text(form, "pitch", _("The pitch"), PITCH_MAX, True)
    values["contact_name"] = _text(
        form, "contact_name", _("Your name"), TEXT_LIMITS["contact_name"], True
    )
    email = (form.get("contact_email") or "").strip().lower()
    if len(email) > 254 or not EMAIL_PATTERN.match(email):
        raise ApplicationError(_("This is not an e-mail address."))
    values["contact_email"] = email
    phone = (form.get("contact_phone") or "").strip()
    if phone and not PHONE.match(phone):
        raise ApplicationError(_("The phone number may hold only digits, spaces and + ( ) - . /"))
    values["contact_phone"] = phone or None
    return values


def submit_application(
    session: Session, form: Mapping[str, str], locale: str, link: LinkFn, hours: int
) -> tuple[Application, bool]:
    """Save an unverified application and e-mail its confirmation link; return (it, mailed).

    Raises ApplicationError (nothing saved) for bad input. The application stands even when
    the mail server is down; the candidate is told to apply again later.
    """
    values = parse_application(session, form)
    purge_unconfirmed(session)
    application = Application(
        **values,
        locale=locale,
        status=ApplicationStatus.UNVERIFIED.value,
        verify_expires_at=utcnow() + timedelta(hours=hours),
    )
    secret = secrets.token_urlsafe(32)
    application.link_digest = _digest(secret)
    session.add(application)
    session.commit()
    with force_locale(locale):
        mailed = try_send_mail(
            application.contact_email,
            _("Confirm your application on Wishmap"),
            _(
                "Hello %(name)s,\n\nyou applied on Wishmap to open %(business)s at %(place)s. "
                "To send your application to the managers of the premises, confirm it:\n"
                "%(link)s\n\nConfirm within %(hours)s hours. Later, the same link lets you "
                "withdraw your application. If you did not apply, ignore this message: nothing "
                "will be sent.",
                name=application.contact_name,
                business=application.business_name,
                place=target_label(application),
                link=link(secret),
                hours=hours,
            ),
        )
    return application, mailed


def purge_unconfirmed(session: Session) -> int:
    """Delete applications whose confirmation link expired unused; return how many.

    Nobody ever saw them, and they hold a stranger's contact details: kept no longer than the
    link. Called before each new application, so no scheduled job is needed; not committed.
    """
    result = session.execute(
        delete(Application).where(
            Application.status == ApplicationStatus.UNVERIFIED.value,
            Application.verify_expires_at <= utcnow(),
        )
    )
    return result.rowcount or 0


def target_label(application: Application) -> str:
    """Return where the application is for: an address, a street's or a district's name."""
    if application.premise is not None:
        return application.premise.address
    if application.street is not None:
        return application.street.name
    return application.district.name if application.district is not None else ""


def _by_link(session: Session, secret: str) -> Application | None:
    return session.scalar(select(Application).where(Application.link_digest == _digest(secret)))


def pending_application(session: Session, secret: str) -> Application | None:
    """Return the unverified application whose link has this secret, if still valid."""
    application = _by_link(session, secret)
    if (
        application is None
        or application.status != ApplicationStatus.UNVERIFIED.value
        or application.verify_expires_at is None
        or application.verify_expires_at <= utcnow()
    ):
        return None
    return application


def withdrawable_application(session: Session, secret: str) -> Application | None:
    """Return the confirmed application whose link has this secret, if it may be withdrawn."""
    application = _by_link(session, secret)
    if application is None or application.status not in WITHDRAWABLE:
        return None
    return application


def verify_application(session: Session, secret: str) -> Application:
    """Submit the application whose link was followed (once); raise ApplicationError."""
    application = pending_application(session, secret)
    if application is None:
        raise ApplicationError(_("This link is invalid, already used or expired."))
    application.status = ApplicationStatus.SUBMITTED.value
    application.verified_at = utcnow()
    # The link confirms once; from now on it can only withdraw the application.
    application.verify_expires_at = None
    session.commit()
    return application


def withdraw_application(session: Session, secret: str) -> Application:
    """Withdraw an application through its e-mailed link: no manager sees it any more."""
    application = withdrawable_application(session, secret)
    if application is None:
        raise ApplicationError(_("This application cannot be withdrawn any more."))
    application.status = ApplicationStatus.WITHDRAWN.value
    # Its last use: nobody can act through the link again.
    application.link_digest = None
    session.commit()
    return application


def vacant_premise(session: Session, premise_id: int) -> Premise | None:
    """Return the premise if it exists and is vacant (the form names it), else None."""
    premise = session.get(Premise, premise_id)
    return premise if premise is not None and premise.is_vacant else None


def streets_with_vacancies(session: Session) -> list[Street]:
    """Return the streets that have a vacant premise, by name: the ones worth applying for."""
    return list(
        session.scalars(
            select(Street)
            .where(
                Street.id.in_(
                    select(Premise.street_id).where(Premise.status == PremiseStatus.VACANT.value)
                )
            )
            .order_by(Street.name, Street.id)
        )
    )
