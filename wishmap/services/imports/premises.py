"""Importing premises from a city's register (CSV or GeoJSON), unedited.

Every premise needs a status. A file without a status column is refused unless --status
gives one (for every row without its own): importing a register of occupied shops as vacant
would put them all on the public map. Status words are read in several languages
(vocabulary.py); OpenStreetMap's shop=vacant / disused:shop=* say "vacant" on their own.

A premise vacant on the map that the file says is let or opened is news to its followers, as
when its manager records it (outcomes.py): the import dates it and adds the news in its own
transaction, and queues the followers' e-mails once that has committed. Going back to vacant
is not news: followers asked to hear when a premise finds a tenant, and a register that
corrects itself should not mail them (record_outcome has no "vacant again" either).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from wishmap.models import Premise, PremiseStatus, User
from wishmap.services.follows import count_follows, note_outcome, tell_followers
from wishmap.services.importing import (
    ImportFailed,
    ImportReport,
    ProgressFn,
    Record,
    RowError,
    RowOutcome,
    Skip,
    check_rows,
    first,
    upsert_by_ref,
)
from wishmap.services.imports.addresses import split_address
from wishmap.services.imports.points import Area, parse_float, record_point
from wishmap.services.imports.street_match import (
    DEFAULT_MAX_STREET_DISTANCE_M,
    link_streets,
)
from wishmap.services.imports.vocabulary import (
    FLAG_FIELDS,
    STATUSES,
    known_words,
    status_for,
    status_from_flag,
    status_from_osm_tags,
)
from wishmap.services.outcomes import date_outcome
from wishmap.services.zoning import link_premises

REF_FIELDS = ("ref", "id", "@id", "osm_id", "reference", "external_id", "identifiant")
ADDRESS_FIELDS = ("address", "adresse", "adres", "addr:full", "adresse_complete")
STREET_FIELDS = ("street", "street_name", "rue", "voie", "straat", "addr:street")
STATUS_FIELDS = ("status", "statut", "état", "etat", "toestand", "status_code")


@dataclass
class PremiseImportReport(ImportReport):
    """What a premises import did, including the vacant premises it let or opened."""

    let: int = 0
    opened: int = 0
    followers: int = 0  # follows of those premises: one e-mail each, queued after the commit

    def summary(self) -> str:
        text = super().summary()
        if self.let or self.opened:
            text += (
                f"; {self.let + self.opened} no longer vacant ({self.let} let, "
                f"{self.opened} opened), {self.followers} followers to tell"
            )
        return text


def _number(value: Any, what: str, *, positive: bool = False) -> tuple[float | None, str]:
    if value in (None, ""):
        return None, ""
    try:
        number = parse_float(value)
    except ValueError:
        return None, f"{what} {value!r} is not a number"
    if not math.isfinite(number):
        return None, f"{what} {value!r} is not a finite number"
    if positive and number <= 0:
        return None, f"{what} must be greater than 0, got {value!r}"
    if number < 0:
        return None, f"{what} must not be negative, got {value!r}"
    return number, ""


def _date(value: Any, what: str) -> tuple[date | None, str]:
    if value in (None, ""):
        return None, ""
    try:
        return date.fromisoformat(str(value)[:10]), ""
    except ValueError:
        return None, f"{what} {value!r} is not a date (YYYY-MM-DD)"


def _status(props: dict[str, Any], default: str | None) -> tuple[str | None, str]:
    raw = first(props, *STATUS_FIELDS)
    if raw is None:
        flag = first(props, *FLAG_FIELDS)
        if flag is not None:
            status = status_from_flag(flag)
            if status is None:
                return None, f"vacancy flag {str(flag).strip()!r} is neither yes nor no"
            return status, ""
        status = status_from_osm_tags(props) or default
        return status, "" if status else "has no status (give --status for rows without one)"
    status = status_for(raw)
    if status is None:
        return None, (
            f"status {str(raw).strip()!r} is not one of {', '.join(STATUSES)} nor a word for "
            f"them (e.g. {known_words('vacant', 3)}; {known_words('let', 3)}); map it with "
            f"--map-value status:{str(raw).strip()}=let"
        )
    return status, ""


def _address(props: dict[str, Any]) -> tuple[str | None, str | None]:
    """Return (the address as written, its street name) from an address or addr:* columns."""
    address = first(props, *ADDRESS_FIELDS)
    street = first(props, *STREET_FIELDS)
    if address is None and first(props, "addr:street"):
        # OpenStreetMap: addr:housenumber + addr:street, no one-line address.
        number = first(props, "addr:housenumber")
        address = f"{number} {props['addr:street']}" if number else str(props["addr:street"])
    if address is not None and not street:
        street = split_address(str(address)).street or None
    return (str(address).strip() if address is not None else None), (
        str(street).strip() if street else None
    )


def _premise_row(
    record: Record, managers: dict[str, int], status_default: str | None, within: Area | None
) -> RowOutcome:
    problems: list[str] = []
    props = record.props
    point, error, _note = record_point(record)
    if error:
        problems.append(error)
    elif within is not None and point is not None and not within.covers(*point):
        return Skip("outside the area")
    ref = first(props, *REF_FIELDS)
    if ref is None:
        problems.append("has no ref/id")
    address, street_name = _address(props)
    if not address:
        problems.append("has no address")
    surface, error = _number(
        first(props, "surface_m2", "surface", "oppervlakte_m2", "oppervlakte", "m2"),
        "surface",
        positive=True,
    )
    if error:
        problems.append(error)
    rent, error = _number(first(props, "rent_eur_month", "rent", "loyer", "huur"), "rent")
    if error:
        problems.append(error)
    status, error = _status(props, status_default)
    if error:
        problems.append(error)
    vacant_since, error = _date(first(props, "vacant_since", "vacant_depuis"), "vacant_since")
    if error:
        problems.append(error)
    manager_email = first(props, "manager", "manager_email", "gestionnaire")
    manager_id = None
    if manager_email:
        manager_id = managers.get(str(manager_email).strip().lower())
        if manager_id is None:
            problems.append(f"manager {manager_email!r} has no account")
    if problems or point is None:
        return "; ".join(problems)
    return {
        "ref": str(ref),
        "address": str(address),
        "street_name": street_name or str(address),
        "lat": point[0],
        "lon": point[1],
        "surface_m2": surface,
        "rent_eur_month": round(rent) if rent is not None else None,
        "status": status,
        "vacant_since": vacant_since,
        "manager_id": manager_id,
    }


def _has_status(records: list[Record]) -> bool:
    """Return whether any record has a status column or OpenStreetMap's vacancy tags."""
    names = {name.lower() for name in (*STATUS_FIELDS, *FLAG_FIELDS)}
    return any(
        names & {str(key).lower() for key in record.props} or status_from_osm_tags(record.props)
        for record in records
    )


def _note_lettings(
    session: Session, premise_ids: list[int], on: date, report: PremiseImportReport
) -> None:
    """Date each premise the import let or opened and add its news, counting them in report."""
    for premise_id in premise_ids:
        premise = session.get(Premise, premise_id)  # changed, so still in the identity map
        if premise is None or premise.is_vacant:
            continue
        # The file names no shop type: a type from an earlier tenancy would be untrue now.
        date_outcome(premise, None, on)
        note_outcome(session, premise, on)
        if premise.status == PremiseStatus.LET.value:
            report.let += 1
        else:
            report.opened += 1
    report.followers = count_follows(session, premise_ids)


def import_premises(
    session: Session,
    records: list[Record],
    progress: ProgressFn | None = None,
    source: str = "",
    *,
    status: str | None = None,
    within: BaseGeometry | None = None,
    max_street_distance_m: float = DEFAULT_MAX_STREET_DISTANCE_M,
    on: date | None = None,
) -> PremiseImportReport:
    """Create or update premises by their ref, linking each to its street; all or nothing.

    status: the status of rows that give none (required when the file has no status column).
    within: a shapely area; premises outside it are skipped and counted. A premise farther
    than max_street_distance_m from every street is imported without a street and counted.
    on: the day a premise vacant until now was let or opened (default: today); its
    followers' news says so and their e-mails are queued after the commit.
    """
    if status is not None and status not in STATUSES:
        raise ImportFailed(
            [RowError("--status", f"expected one of {', '.join(STATUSES)}, got {status!r}")],
            source,
        )
    if status is None and records and not _has_status(records):
        raise ImportFailed(
            [
                RowError(
                    "file",
                    f"has no status column (looked for {', '.join(STATUS_FIELDS[:4])}, or a "
                    f"yes/no flag {', '.join(FLAG_FIELDS[:4])}): add one, name yours with "
                    "--map-column COLUMN=status, or give every row's status with --status "
                    "vacant|let|opened",
                )
            ],
            source,
        )
    managers = {
        email.lower(): user_id for email, user_id in session.execute(select(User.email, User.id))
    }
    area = Area(within) if within is not None else None
    report = PremiseImportReport()
    rows = check_rows(
        records,
        lambda record: _premise_row(record, managers, status, area),
        report,
        progress,
        source,
    )
    names = [fields["street_name"] for fields in rows]
    matches = link_streets(session, rows, names, report, "premise", max_street_distance_m)
    for fields, found in zip(rows, matches, strict=True):
        if found.how == "name":
            # The street's own spelling, so "RUE DE L'OURCQ" and "rue de l'ourcq" list as one.
            fields["street_name"] = found.name
    # Compared with what is stored, not with the previous file: re-importing the same file
    # lets nothing, so it adds no news.
    vacant = dict(
        session.execute(
            select(Premise.ref, Premise.id).where(Premise.status == PremiseStatus.VACANT.value)
        ).all()
    )
    upsert_by_ref(session, Premise, rows, report)
    let_ids = [
        vacant[fields["ref"]]
        for fields in rows
        if fields["ref"] in vacant and fields["status"] != PremiseStatus.VACANT.value
    ]
    _note_lettings(session, let_ids, on or date.today(), report)
    session.flush()
    # Their protected frontages (zoning) land with the premises, as one transaction.
    link_premises(session)
    session.commit()
    # Within a caller's larger transaction (import_osm turns commit into a flush) nothing has
    # landed yet, and an e-mail must never announce news that may still roll back; the next
    # send-follow-news pass sends it. (OpenStreetMap premises are all vacant: none is let.)
    if let_ids and not session.in_transaction():
        tell_followers()
    return report
