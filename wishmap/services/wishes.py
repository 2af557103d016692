"""Wishes: making, importing and counting them. One person, one voice per premise and shop type."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wishmap.models import (
    VOICE_STATUSES,
    Premise,
    PremiseStatus,
    ShopType,
    User,
    Wish,
    WishFrequency,
    WishStatus,
)
from wishmap.services.importing import (
    ImportReport,
    ProgressFn,
    Record,
    RowOutcome,
    check_rows,
    first,
)
from wishmap.services.streets import street_locator
from wishmap.taxonomy import code_for

FREQUENCIES = {frequency.value for frequency in WishFrequency}
# A free wish counts for the nearest street within a long block's walk; farther away it names
# no street of this district and counts only where it stands (grid cells, hotspots).
FREE_WISH_STREET_M = 500.0


class WishError(ValueError):
    """A wish was refused; the message says why, for the resident."""


def _check_text(reason: str | None, frequency: str | None, max_length: int) -> str | None:
    reason = (reason or "").strip() or None
    if reason and len(reason) > max_length:
        raise WishError(f"the reason is {len(reason)} characters long; at most {max_length} fit")
    if frequency and frequency not in FREQUENCIES:
        raise WishError(f"frequency must be one of {', '.join(sorted(FREQUENCIES))}")
    return reason


def initial_status(user: User) -> WishStatus:
    """Return the status a new wish of user starts in: it counts once their e-mail is verified."""
    return WishStatus.ACTIVE if user.email_verified_at is not None else WishStatus.PENDING


def active_wish_count(session: Session, user_id: int) -> int:
    """Return how many live wishes (active, pending or held) the user has: what the quota counts."""
    return (
        session.scalar(
            select(func.count()).where(
                Wish.user_id == user_id, Wish.status.in_([s.value for s in VOICE_STATUSES])
            )
        )
        or 0
    )


def create_wish(
    session: Session,
    user: User,
    shop_type_id: int,
    premise_id: int | None = None,
    point: tuple[float, float] | None = None,
    reason: str | None = None,
    frequency: str | None = None,
    quota: int = 10,
    max_reason: int = 500,
) -> Wish:
    """Record an active wish on a vacant premise or a free point; commit, or raise WishError."""
    reason = _check_text(reason, frequency, max_reason)
    if session.get(ShopType, shop_type_id) is None:
        raise WishError("unknown shop type")
    if active_wish_count(session, user.id) >= quota:
        raise WishError(f"you already have {quota} active wishes; withdraw one to make another")
    if premise_id is not None:
        premise = session.get(Premise, premise_id)
        if premise is None:
            raise WishError("unknown premise")
        if premise.status != PremiseStatus.VACANT:
            raise WishError("this premise is no longer vacant")
        lat, lon, street_id = premise.lat, premise.lon, premise.street_id
    elif point is not None:
        lat, lon = point
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise WishError("the point is not a latitude/longitude")
        street_id = street_locator(session).nearest(lat, lon, FREE_WISH_STREET_M)
    else:
        raise WishError("a wish needs a premise or a point")
    wish = Wish(
        status=initial_status(user).value,
        user_id=user.id,
        shop_type_id=shop_type_id,
        premise_id=premise_id,
        street_id=street_id,
        lat=lat,
        lon=lon,
        reason=reason,
        frequency=frequency or None,
    )
    session.add(wish)
    try:
        session.commit()
    except IntegrityError:
        # The unique index on active (user, premise, type) caught a second voice.
        session.rollback()
        raise WishError("you already wish for this shop type here") from None
    return wish


def _parse_time(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _voice(user_id: Any, premise_id: Any, type_id: Any, lat: Any, lon: Any) -> tuple[Any, ...]:
    if premise_id is not None:
        return (user_id, premise_id, type_id)
    return (user_id, type_id, round(float(lat), 6), round(float(lon), 6))


def _wish_row(
    record: Record,
    users: dict[str, int],
    types: dict[str, int],
    premises: dict[str, tuple[int, float, float, int | None]],
) -> RowOutcome:
    props, problems = record.props, []
    resident = str(first(props, "resident", "email", "user") or "").strip().lower()
    if resident not in users:
        problems.append(f"resident {resident!r} has no account")
    category = first(props, "shop_type", "type", "category")
    type_id = types.get(code_for(str(category or "")) or "")
    if type_id is None:
        problems.append(f"shop type {category!r} is unknown")
    fields: dict[str, Any] = {"premise_id": None, "street_id": None}
    try:
        fields["reason"] = _check_text(
            first(props, "reason", "raison", "reden"), first(props, "frequency"), 500
        )
        fields["created_at"] = _parse_time(first(props, "created_at", "date"))
    except ValueError as exc:  # WishError is a ValueError too
        problems.append(str(exc))
    premise_ref = first(props, "premise", "premise_ref")
    if premise_ref is not None:
        if str(premise_ref) not in premises:
            problems.append(f"premise {premise_ref!r} is unknown")
        else:
            fields["premise_id"], fields["lat"], fields["lon"], fields["street_id"] = premises[
                str(premise_ref)
            ]
    elif record.geometry and record.geometry["type"] == "Point":
        fields["lon"], fields["lat"] = record.geometry["coordinates"][:2]
    elif first(props, "lat") is not None and first(props, "lon") is not None:
        try:
            fields["lat"], fields["lon"] = float(first(props, "lat")), float(first(props, "lon"))
        except ValueError:
            problems.append("lat/lon are not numbers")
    else:
        problems.append("has neither a premise nor a point")
    if problems:
        return "; ".join(problems)
    fields.update(
        user_id=users[resident], shop_type_id=type_id, frequency=first(props, "frequency") or None
    )
    return fields


def import_wishes(
    session: Session, records: list[Record], progress: ProgressFn | None = None, source: str = ""
) -> ImportReport:
    """Import wishes (resident e-mail, shop type, premise ref or point…); all or nothing.

    Wishes have no external id, so re-importing a file is kept idempotent by the one-voice
    rule itself: a wish already active for that resident, place and type is left unchanged.
    """
    users = dict(session.execute(select(User.email, User.id)).all())
    types = dict(session.execute(select(ShopType.code, ShopType.id)).all())
    premises = {
        ref: (premise_id, lat, lon, street_id)
        for ref, premise_id, lat, lon, street_id in session.execute(
            select(Premise.ref, Premise.id, Premise.lat, Premise.lon, Premise.street_id)
        )
    }
    report = ImportReport()
    rows = check_rows(
        records, lambda record: _wish_row(record, users, types, premises), report, progress, source
    )
    active = {
        _voice(*row)
        for row in session.execute(
            select(Wish.user_id, Wish.premise_id, Wish.shop_type_id, Wish.lat, Wish.lon).where(
                Wish.status.in_([s.value for s in VOICE_STATUSES])
            )
        )
    }
    locator = street_locator(session) if any(row["premise_id"] is None for row in rows) else None
    new = []
    for fields in rows:
        voice = _voice(
            fields["user_id"],
            fields["premise_id"],
            fields["shop_type_id"],
            fields["lat"],
            fields["lon"],
        )
        if voice in active:
            report.unchanged += 1
            continue
        active.add(voice)
        if fields["premise_id"] is None and locator is not None:
            fields["street_id"] = locator.nearest(fields["lat"], fields["lon"], FREE_WISH_STREET_M)
        if fields["created_at"] is None:
            del fields["created_at"]
        new.append(Wish(**fields))
    session.add_all(new)
    session.commit()
    report.created = len(new)
    return report
