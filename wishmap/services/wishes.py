"""Wishes: making, importing and counting them. One person, one voice per premise and shop type."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

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
from wishmap.models._types import utcnow
from wishmap.services import holds, integrity, verification
from wishmap.services.districts import assign_districts
from wishmap.services.importing import (
    ImportFailed,
    ImportReport,
    ProgressFn,
    Record,
    RowError,
    RowOutcome,
    check_rows,
    first,
)
from wishmap.services.respondents import (
    MAX_RESPONDENT_ID,
    RESPONDENT_COLUMNS,
    campaign_of,
    ensure_respondents,
)
from wishmap.services.streets import cached_street_locator, street_locator
from wishmap.taxonomy import code_for

FREQUENCIES = {frequency.value for frequency in WishFrequency}
# A free wish counts for the nearest street within a long block's walk; farther away it names
# no street of this district and counts only where it stands (grid cells, hotspots).
FREE_WISH_STREET_M = 500.0
# Column names of the resident's e-mail address in an import file.
RESIDENT_COLUMNS = ("resident", "email", "e-mail", "user", "courriel", "e_mail")


class WishError(ValueError):
    """A wish was refused; the message says why, for the resident."""


class QuotaReached(WishError):
    """The resident already has as many live wishes as the quota allows."""


class WishNotFound(WishError):
    """The wish does not exist or is not the resident's own."""


def _check_text(reason: str | None, frequency: str | None, max_length: int) -> str | None:
    reason = (reason or "").strip() or None
    if reason and len(reason) > max_length:
        raise WishError(
            _(
                "The reason is %(length)d characters long; at most %(max)d fit.",
                length=len(reason),
                max=max_length,
            )
        )
    if frequency and frequency not in FREQUENCIES:
        raise WishError(
            _("The frequency must be one of %(choices)s.", choices=", ".join(sorted(FREQUENCIES)))
        )
    return reason


def initial_status(
    session: Session,
    user: User,
    network: str | None = None,
    now: datetime | None = None,
    rule: integrity.BurstRule | None = None,
    target: integrity.Target | None = None,
) -> tuple[WishStatus, str | None]:
    """Return the status a new wish of user starts in, and the burst rule that held it:
    pending until the account proves the campaign's minimum (a confirmed e-mail address by
    default, services/verification.py), held when it belongs to a burst
    (services/integrity.py), else active."""
    if not verification.meets_minimum(session, user, verification.counting_settings()):
        return WishStatus.PENDING, None
    rule = rule or integrity.burst_rule()
    reason = integrity.burst_reason(session, user, network, now or utcnow(), rule, target)
    return (WishStatus.HELD if reason else WishStatus.ACTIVE), reason


def active_wish_count(session: Session, user_id: int) -> int:
    """Return how many live wishes (active, pending or held) the user has: what the quota counts.

    Wishes on a premise that has since been let or opened are settled: they free their place.
    """
    return (
        session.scalar(
            select(func.count())
            .select_from(Wish)
            .outerjoin(Premise, Premise.id == Wish.premise_id)
            .where(
                Wish.user_id == user_id,
                Wish.status.in_([s.value for s in VOICE_STATUSES]),
                or_(Wish.premise_id.is_(None), Premise.status == PremiseStatus.VACANT.value),
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
    client_ip: str | None = None,
    now: datetime | None = None,
) -> Wish:
    """Record a wish on a vacant premise or a free point; commit, or raise WishError.

    It counts at once (active) unless its resident is unverified (pending) or it belongs to
    a burst from client_ip or the account (held); see services/integrity.py.
    """
    reason = _check_text(reason, frequency, max_reason)
    if session.get(ShopType, shop_type_id) is None:
        raise WishError(_("Unknown shop type."))
    if premise_id is not None:
        premise = session.get(Premise, premise_id)
        if premise is None:
            raise WishError(_("Unknown premise."))
        if premise.status != PremiseStatus.VACANT:
            raise WishError(_("This premise is no longer vacant."))
        lat, lon, street_id = premise.lat, premise.lon, premise.street_id
    elif point is not None:
        lat, lon = point
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise WishError(_("The point is not a latitude/longitude."))
        street_id = cached_street_locator(session).nearest(lat, lon, FREE_WISH_STREET_M)
    else:
        raise WishError(_("A wish needs a premise or a point."))
    rule = integrity.burst_rule()
    network = integrity.network_of(client_ip, rule)
    target = integrity.Target(shop_type_id, premise_id, lat, lon)
    # From here to the commit, no other wish of this account (nor on this target or from this
    # network) is counted or written: the quota, the one voice and the bursts hold under load.
    integrity.lock_for_wish(session, user.id, [target.key(rule), network], rule)
    # The time is read once the lock is held, so that wishes are stamped in the order they are
    # counted: a wish stamped before the lock would not see those that got it first.
    now = now or utcnow()
    if active_wish_count(session, user.id) >= quota:
        session.rollback()
        raise QuotaReached(
            _(
                "You already have %(quota)d active wishes, the most one resident can have. "
                "Withdraw one on your wishes page to make another.",
                quota=quota,
            )
        )
    status, hold_reason = initial_status(session, user, network, now, rule, target)
    wish = Wish(
        status=status.value,
        created_at=now,
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
        session.flush()
        held = integrity.note_new_wish(session, wish, user, network, rule, hold_reason)
        assign_districts(session, [wish.id])
        session.commit()
    except IntegrityError:
        # The unique index on active (user, premise, type) caught a second voice.
        session.rollback()
        raise WishError(_("You already wish for this shop type here.")) from None
    # Residents whose wishes counted until this burst held them learn it (after the commit:
    # a slow mail server must not hold the write lock).
    holds.tell_held(session, held)
    return wish


def support_wish(
    session: Session, user: User, premise_id: int, shop_type_id: int, **limits: Any
) -> Wish:
    """Add the user's voice to a shop type others already wished for on this premise; commit."""
    wished = session.scalar(
        select(func.count()).where(
            Wish.premise_id == premise_id,
            Wish.shop_type_id == shop_type_id,
            Wish.status == WishStatus.ACTIVE.value,
        )
    )
    if not wished:
        raise WishError(_("Nobody wishes for this shop type here yet; make the first wish."))
    return create_wish(session, user, shop_type_id, premise_id=premise_id, **limits)


def others_sharing(session: Session, user_id: int, wishes: list[Wish]) -> dict[int, int]:
    """Return {wish id: how many other residents' active wishes share its premise and type}.

    The same figure the premise's page shows to anyone, per wish: nobody is named.
    """
    premise_ids = {wish.premise_id for wish in wishes if wish.premise_id is not None}
    if not premise_ids:
        return {}
    counts = {
        (premise_id, type_id): n
        for premise_id, type_id, n in session.execute(
            select(Wish.premise_id, Wish.shop_type_id, func.count())
            .where(
                Wish.premise_id.in_(premise_ids),
                Wish.status == WishStatus.ACTIVE.value,
                Wish.user_id != user_id,
            )
            .group_by(Wish.premise_id, Wish.shop_type_id)
        )
    }
    return {
        wish.id: int(counts.get((wish.premise_id, wish.shop_type_id), 0))
        for wish in wishes
        if wish.premise_id is not None
    }


def restore_wish(session: Session, user: User, wish_id: int, **limits: Any) -> Wish:
    """Undo a withdrawal: make the withdrawn wish again as a new wish; commit, or WishError.

    It goes through create_wish, so the quota, the one voice, the premise still being vacant
    and the burst rules hold exactly as for a wish made now.
    """
    wish = session.get(Wish, wish_id)
    if wish is None or wish.user_id != user.id or wish.status != WishStatus.WITHDRAWN.value:
        raise WishNotFound(_("You have no such wish."))
    return create_wish(
        session,
        user,
        wish.shop_type_id,
        premise_id=wish.premise_id,
        point=None if wish.premise_id is not None else (wish.lat, wish.lon),
        reason=wish.reason,
        frequency=wish.frequency,
        **limits,
    )


def _own_wish(session: Session, user: User, wish_id: int) -> Wish:
    wish = session.get(Wish, wish_id)
    # Someone else's wish is reported as missing: its id tells nothing about who made it.
    if wish is None or wish.user_id != user.id or wish.status not in VOICE_STATUSES:
        raise WishNotFound(_("You have no such wish."))
    return wish


def withdraw_wish(session: Session, user: User, wish_id: int) -> Wish:
    """Withdraw one of the user's live wishes; it stops counting at once. Commits."""
    wish = _own_wish(session, user, wish_id)
    wish.status = WishStatus.WITHDRAWN.value
    session.commit()
    return wish


def change_wish(
    session: Session,
    user: User,
    wish_id: int,
    shop_type_id: int,
    reason: str | None = None,
    frequency: str | None = None,
    max_reason: int = 500,
) -> Wish:
    """Change the shop type, reason or frequency of one of the user's live wishes; commit."""
    wish = _own_wish(session, user, wish_id)
    reason = _check_text(reason, frequency, max_reason)
    if session.get(ShopType, shop_type_id) is None:
        raise WishError(_("Unknown shop type."))
    if wish.premise is not None and not wish.premise.is_vacant:
        raise WishError(_("This premise is no longer vacant."))
    wish.shop_type_id, wish.reason, wish.frequency = shop_type_id, reason, frequency or None
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise WishError(_("You already wish for this shop type here.")) from None
    return wish


def user_wishes(session: Session, user_id: int) -> list[Wish]:
    """Return the user's wishes that still stand (not withdrawn), newest first."""
    return list(
        session.scalars(
            select(Wish)
            .options(joinedload(Wish.shop_type), joinedload(Wish.premise))
            .where(Wish.user_id == user_id, Wish.status != WishStatus.WITHDRAWN.value)
            .order_by(Wish.created_at.desc(), Wish.id.desc())
        )
    )


def user_types_at(session: Session, user_id: int, premise_id: int) -> dict[int, int]:
    """Return {shop type id: wish id} of the user's live wishes on a premise."""
    rows = session.execute(
        select(Wish.shop_type_id, Wish.id).where(
            Wish.user_id == user_id,
            Wish.premise_id == premise_id,
            Wish.status.in_([s.value for s in VOICE_STATUSES]),
        )
    )
    return {type_id: wish_id for type_id, wish_id in rows}


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
    resident = str(first(props, *RESIDENT_COLUMNS) or "").strip().lower()
    respondent = str(first(props, *RESPONDENT_COLUMNS) or "").strip()
    # An e-mail names an account; without one, a respondent id makes a no-login resident.
    if resident:
        if resident not in users:
            problems.append(f"resident {resident!r} has no account")
        respondent = ""
    elif not respondent:
        problems.append("names neither a resident's e-mail nor a respondent id")
    elif len(respondent) > MAX_RESPONDENT_ID:
        problems.append(f"respondent id is longer than {MAX_RESPONDENT_ID} characters")
    elif "@" in respondent:
        # Else a resident with an account would gain a second, login-less voice.
        problems.append("the respondent id is an e-mail address: put it in the email column")
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
        user_id=users.get(resident),
        respondent=respondent,
        shop_type_id=type_id,
        frequency=first(props, "frequency") or None,
    )
    return fields


@dataclass
class WishImportReport(ImportReport):
    """An import report that also counts the respondents without an account."""

    respondents: int = 0
    new_respondents: int = 0

    def summary(self) -> str:
        text = super().summary()
        if self.respondents:
            text += (
                f"; {self.respondents} respondents without an account ({self.new_respondents} new)"
            )
        return text


def import_wishes(
    session: Session,
    records: list[Record],
    progress: ProgressFn | None = None,
    source: str = "",
    campaign: str | None = None,
) -> WishImportReport:
    """Import wishes (resident e-mail or respondent id, shop type, premise ref or point…);
    all or nothing.

    A respondent id (a paper form number, an anonymised id: services/respondents.py) makes one
    no-login resident per campaign and id; campaign defaults to the file's name. Wishes have
    no external id, so re-importing a file is kept idempotent by the one-voice rule itself: a
    wish already active for that resident, place and type is left unchanged.
    """
    if not records:
        raise ImportFailed([RowError("file", "no rows (the file is empty)")], source)
    users = dict(session.execute(select(User.email, User.id)).all())
    types = dict(session.execute(select(ShopType.code, ShopType.id)).all())
    premises = {
        ref: (premise_id, lat, lon, street_id)
        for ref, premise_id, lat, lon, street_id in session.execute(
            select(Premise.ref, Premise.id, Premise.lat, Premise.lon, Premise.street_id)
        )
    }
    report = WishImportReport()
    rows = check_rows(
        records, lambda record: _wish_row(record, users, types, premises), report, progress, source
    )
    respondent_ids = [row["respondent"] for row in rows if row["respondent"]]
    respondents: dict[str, int] = {}
    if respondent_ids:
        respondents, report.new_respondents = ensure_respondents(
            session, campaign or campaign_of(source), respondent_ids
        )
        report.respondents = len(respondents)
    for row in rows:
        respondent = row.pop("respondent")
        if respondent:
            row["user_id"] = respondents[respondent]
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
    session.flush()
    assign_districts(session, [wish.id for wish in new])
    session.commit()
    report.created = len(new)
    return report
