"""Importing wishes from a file: residents by e-mail or respondent id, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wishmap.models import VOICE_STATUSES, Premise, ShopType, User, Wish
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
from wishmap.services.statistics_rebuild import bulk_load
from wishmap.services.streets import street_locator
from wishmap.services.wishes.common import FREE_WISH_STREET_M, check_text
from wishmap.taxonomy import code_for

# Column names of the resident's e-mail address in an import file.
RESIDENT_COLUMNS = ("resident", "email", "e-mail", "user", "courriel", "e_mail")


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
        fields["reason"] = check_text(
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
    # Counted in the statistics at the end, in this transaction, instead of row by row.
    with bulk_load(session, [wish.user_id for wish in new]):
        session.add_all(new)
        session.flush()
        assign_districts(session, [wish.id for wish in new])
    session.commit()
    report.created = len(new)
    return report
