"""Applying: an entrepreneur applies for a premise, a street or a district, without an account.

The application is saved unverified and a link is e-mailed to the contact address (only its
SHA-256 digest is kept, as for account tokens); following it and pressing the button submits
the application. Only submitted applications reach the managers (decisions.py).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Mapping
from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
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
    application = Application(
        **parse_application(session, form),
        locale=locale,
        status=ApplicationStatus.UNVERIFIED.value,
        verify_expires_at=utcnow() + timedelta(hours=hours),
    )
    secret = secrets.token_urlsafe(32)
    application.verify_digest = _digest(secret)
    session.add(application)
    session.commit()
    with force_locale(locale):
        mailed = try_send_mail(
            application.contact_email,
            _("Confirm your application on Wishmap"),
            _(
                "Hello %(name)s,\n\nyou applied on Wishmap to open %(business)s at %(place)s. "
                "To send your application to the managers of the premises, confirm it:\n"
                "%(link)s\n\nThe link works once, for %(hours)s hours. If you did not apply, "
                "ignore this message: nothing will be sent.",
                name=application.contact_name,
                business=application.business_name,
                place=target_label(application),
                link=link(secret),
                hours=hours,
            ),
        )
    return application, mailed


def target_label(application: Application) -> str:
    """Return where the application is for: an address, a street's or a district's name."""
    if application.premise is not None:
        return application.premise.address
    if application.street is not None:
        return application.street.name
    return application.district.name if application.district is not None else ""


def pending_application(session: Session, secret: str) -> Application | None:
    """Return the unverified application whose link has this secret, if still valid."""
    application = session.scalar(
        select(Application).where(Application.verify_digest == _digest(secret))
    )
    if (
        application is None
        or application.status != ApplicationStatus.UNVERIFIED.value
        or application.verify_expires_at is None
        or application.verify_expires_at <= utcnow()
    ):
        return None
    return application


def verify_application(session: Session, secret: str) -> Application:
    """Submit the application whose link was followed (works once); raise ApplicationError."""
    application = pending_application(session, secret)
    if application is None:
        raise ApplicationError(_("This link is invalid, already used or expired."))
    application.status = ApplicationStatus.SUBMITTED.value
    application.verified_at = utcnow()
    # The digest goes with its use: the link cannot be replayed.
    application.verify_digest = None
    application.verify_expires_at = None
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
