"""Candidates who apply: verified applications reach the managers, ranked against demand."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from application_data import FORM, plant
from factories import make_user
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wishmap.mail import outbox_messages
from wishmap.models import (
    Application,
    AuditEntry,
    Candidacy,
    District,
    Notification,
    Premise,
    Role,
    ShopType,
)
from wishmap.services import applications, tenant_matching
from wishmap.services.districts import forget_locator

LINK = re.compile(r"https://x\.example/confirm/(\S+)")


@pytest.fixture
def request_ctx(app: Flask) -> Iterator[None]:
    # E-mails are written in the candidate's language, which Flask-Babel sets per request.
    with app.test_request_context():
        yield


def apply(session: Session, locale: str = "en", **fields: Any) -> tuple[Application, str]:
    """Submit an application and return it with the secret of its e-mailed link."""
    sent: list[str] = []

    def link(secret: str) -> str:
        sent.append(secret)
        return f"https://x.example/confirm/{secret}"

    application, mailed = applications.submit_application(
        session, {**FORM, **fields}, locale, link, 72
    )
    assert mailed
    return application, sent[0]


def applied(session: Session, locale: str = "en", **fields: Any) -> Application:
    _application, secret = apply(session, locale, **fields)
    return applications.verify_application(session, secret)


def test_apply_mail_verify_then_the_owner_sees_it(
    session: Session, outbox: Path, request_ctx: None
) -> None:
    data = plant(session)
    application, secret = apply(session, premise=str(data["premise"].id))
    assert application.status == "unverified" and application.locale == "en"
    # Only a digest of the secret is stored.
    digest = application.link_digest
    assert secret not in (digest or "") and len(digest) == 64
    [mail] = outbox_messages(outbox)
    assert mail["To"] == "camille@example.org"
    assert LINK.search(mail.get_content()).group(1) == secret
    page = applications.candidates_page(session, data["owner"], data["premise"].id)
    assert page.candidates == []  # unverified: nobody sees it
    applications.verify_application(session, secret)
    assert application.status == "submitted" and application.verify_expires_at is None
    assert application.link_digest == digest  # kept: the same link withdraws it later
    with pytest.raises(applications.ApplicationError, match="invalid, already used"):
        applications.verify_application(session, secret)
    page = applications.candidates_page(session, data["owner"], data["premise"].id)
    [candidate] = page.candidates
    assert candidate.application.id == application.id and candidate.standing == "submitted"
    assert page.may_decide


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"premise": ""}, "Choose one premise, street or district"),
        ({"street": "1"}, "Choose one premise, street or district"),  # two targets
        ({"premise": "999999"}, "does not exist"),
        ({"business_name": " "}, "The business name is missing"),
        ({"shop_type": "spaceport"}, "Choose a shop type"),
        ({"min_surface_m2": "120"}, "surface range"),
        ({"max_surface_m2": "lots"}, "must be a number"),
        ({"max_rent": "-5"}, "out of range"),
        ({"max_rent": "nan"}, "out of range"),
        ({"pitch": "x" * 1001}, "at most 1000 characters"),
        ({"contact_email": "camille"}, "not an e-mail address"),
        ({"contact_phone": "<script>"}, "phone number"),
        ({"opening_hours": "h" * 121}, "too long"),
    ],
)
def test_bad_input_is_refused_and_saves_nothing(
    session: Session, outbox: Path, fields: dict[str, str], message: str
) -> None:
    data = plant(session, analyse=False)
    form = {**FORM, "premise": str(data["premise"].id), **fields}
    with pytest.raises(applications.ApplicationError, match=message):
        applications.submit_application(session, form, "en", lambda s: s, 72)
    assert session.scalar(select(func.count()).select_from(Application)) == 0
    assert outbox_messages(outbox) == [] if outbox.exists() else True


def test_a_let_premise_takes_no_applications(session: Session, outbox: Path) -> None:
    data = plant(session, analyse=False, status="let")
    with pytest.raises(applications.ApplicationError, match="no longer vacant"):
        applications.submit_application(
            session, {**FORM, "premise": str(data["premise"].id)}, "en", lambda s: s, 72
        )


def test_the_schema_keeps_one_target_and_a_sane_range(session: Session) -> None:
    data = plant(session, analyse=False)
    bakery = session.scalar(select(ShopType).where(ShopType.code == "bakery"))
    base = {
        "business_name": "B",
        "shop_type_id": bakery.id,
        "min_surface_m2": 10,
        "max_surface_m2": 20,
        "max_rent": 100,
        "pitch": "p",
        "contact_name": "n",
        "contact_email": "e@example.org",
    }
    for bad in (
        {"premise_id": data["premise"].id, "street_id": data["street"].id},
        {},
        {"premise_id": data["premise"].id, "min_surface_m2": 30},
        {"premise_id": data["premise"].id, "max_rent": -1},
        {"premise_id": data["premise"].id, "status": "maybe"},
    ):
        session.add(Application(**{**base, **bad}))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()


def test_wished_type_outranks_unwished_and_the_reason_names_the_competitor(
    session: Session, outbox: Path, request_ctx: None
) -> None:
    data = plant(session)
    premise = str(data["premise"].id)
    books = applied(session, premise=premise, business_name="Lire Ici", shop_type="books")
    bakery = applied(session, premise=premise)
    # The candidate runs the nearest bakery already and wants a second one: the reason must
    # name the next competitor, never the candidate's own business.
    own = applied(session, street=str(data["street"].id), business_name="au pain doré")
    page = applications.candidates_page(session, data["owner"], data["premise"].id)
    order = [candidate.application.id for candidate in page.candidates]
    assert order.index(bakery.id) < order.index(books.id)
    assert order.index(own.id) < order.index(books.id)
    by_id = {c.application.id: c.ranked for c in page.candidates}
    assert by_id[bakery.id].score > 2 * by_id[books.id].score
    reason = by_id[bakery.id].reason
    assert "Fournil du Marché: gap" in reason
    assert re.search(r"nearest competitor: Au Pain Doré \(Bakery\), 25\d m", reason)
    assert "70 m² fits 50–100 m²" in reason and "rent €1,800 within budget €2,000" in reason
    own_reason = by_id[own.id].reason
    assert "Maison Lefèvre (Bakery), 3" in own_reason and "Au Pain Doré (" not in own_reason
    assert "Librairie des Lilas (Bookshop), 6" in by_id[books.id].reason
    for ranked in by_id.values():
        assert "nan" not in ranked.reason and "€0" not in ranked.reason


def test_missing_surface_and_rent_read_not_given_and_are_neutral(
    session: Session, outbox: Path, request_ctx: None
) -> None:
    data = plant(session, surface_m2=None, rent_eur_month=None)
    application = applied(session, premise=str(data["premise"].id))
    [candidate] = applications.candidates_page(
        session, data["owner"], data["premise"].id
    ).candidates
    reason = candidate.ranked.reason
    assert "surface not given" in reason and "rent not given" in reason
    assert "nan" not in reason and "€0" not in reason
    assert candidate.ranked.score == pytest.approx(candidate.ranked.match.gap)
    assert candidate.application.id == application.id


def test_rent_26_percent_over_budget_keeps_most_of_the_score(
    session: Session, outbox: Path, request_ctx: None
) -> None:
    data = plant(session, rent_eur_month=2520)  # 26 % over a 2,000 budget
    applied(session, premise=str(data["premise"].id))
    [candidate] = applications.candidates_page(
        session, data["owner"], data["premise"].id
    ).candidates
    match = candidate.ranked.match
    assert match.gap > 50
    assert match.rent_fit == pytest.approx(2 ** -((0.26 / 0.4) ** 2))
    assert candidate.ranked.score == pytest.approx(match.gap * 0.746, rel=1e-3)
    assert "rent €2,520 is 26 % over budget €2,000" in candidate.ranked.reason


def test_a_forbidden_type_is_shown_last_and_never_recommended(
    session: Session, outbox: Path, request_ctx: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = plant(session)
    bakery_id = session.scalar(select(ShopType.id).where(ShopType.code == "bakery"))
    monkeypatch.setattr(
        tenant_matching,
        "forbidden_types",
        lambda _session, ids: {i: {bakery_id: "Not allowed here by zoning: test"} for i in ids},
    )
    bakery = applied(session, premise=str(data["premise"].id))
    books = applied(session, premise=str(data["premise"].id), shop_type="books")
    page = applications.candidates_page(session, data["owner"], data["premise"].id)
    assert [c.application.id for c in page.candidates] == [books.id, bakery.id]
    last = page.candidates[-1].ranked
    assert not last.recommended and last.reason.endswith("Not allowed here by zoning: test")


def test_street_and_district_applications_reach_every_vacant_premise_there(
    session: Session, outbox: Path, request_ctx: None
) -> None:
    data = plant(session)
    square = [[2.37, 48.87], [2.39, 48.87], [2.39, 48.89], [2.37, 48.89], [2.37, 48.87]]
    district = District(
        ref="19",
        name="Quartier du Pain",
        level="quartier",
        geometry=json.dumps({"type": "Polygon", "coordinates": [square]}),
        min_lat=48.87,
        min_lon=2.37,
        max_lat=48.89,
        max_lon=2.39,
    )
    session.add(district)
    session.commit()
    forget_locator(session)
    on_street = applied(session, street=str(data["street"].id))
    in_district = applied(session, district=str(district.id), business_name="Épi")
    elsewhere_owner = make_user(session, role=Role.AGENCY)
    other = session.get(Premise, data["other"].id)
    other.manager_id = elsewhere_owner.id
    session.commit()
    for user, premise_id in ((data["owner"], data["premise"].id), (elsewhere_owner, other.id)):
        page = applications.candidates_page(session, user, premise_id)
        assert {c.application.id for c in page.candidates} == {on_street.id, in_district.id}
    # The portfolio counts them in one call; a rejection counts for its premise only.
    direct = applied(session, premise=str(data["premise"].id), business_name="Direct")
    applications.decide(session, data["owner"], data["premise"].id, on_street.id, "reject")
    counts = applications.candidate_counts(session, [data["premise"].id, other.id, 999])
    assert counts == {data["premise"].id: 2, other.id: 2}
    assert direct.status == "submitted"


def test_an_owner_cannot_read_or_decide_for_a_premise_they_do_not_manage(
    session: Session, outbox: Path, request_ctx: None
) -> None:
    data = plant(session, analyse=False)
    application = applied(session, premise=str(data["premise"].id))
    stranger = make_user(session, role=Role.OWNER)
    with pytest.raises(applications.NotAllowed):
        applications.candidates_page(session, stranger, data["premise"].id)
    with pytest.raises(applications.NotAllowed):
        applications.decide(session, stranger, data["premise"].id, application.id, "reject")
    officer = make_user(session, role=Role.OFFICER)
    page = applications.candidates_page(session, officer, data["premise"].id)
    assert len(page.candidates) == 1 and not page.may_decide
    with pytest.raises(applications.NotAllowed):
        applications.decide(session, officer, data["premise"].id, application.id, "shortlist")
    assert application.status == "submitted"


def test_shortlist_and_reject_are_audited_and_the_candidate_is_told_in_french(
    session: Session, outbox: Path, request_ctx: None
) -> None:
    data = plant(session)
    premise_id = data["premise"].id
    application = applied(session, "fr", premise=str(premise_id))
    owner = data["owner"]
    assert applications.decide(session, owner, premise_id, application.id, "shortlist") == 0
    assert application.status == "shortlisted"
    assert applications.decide(session, owner, premise_id, application.id, "reject") == 1
    assert application.status == "rejected"
    with pytest.raises(applications.ApplicationError, match="already been decided"):
        applications.decide(session, owner, premise_id, application.id, "let")
    mail = outbox_messages(outbox)[-1]
    assert mail["To"] == "camille@example.org"
    assert "Votre candidature" in mail["Subject"] and "Fournil du Marché" in mail.get_content()
    entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [e.action for e in entries] == ["application.shortlisted", "application.rejected"]
    assert json.loads(entries[-1].after) == {"status": "rejected", "premise_id": premise_id}
    assert "camille" not in (entries[-1].before or "") + (entries[-1].after or "")
    with pytest.raises(applications.ApplicationError, match="Unknown action"):
        applications.decide(session, owner, premise_id, application.id, "promote")


def test_letting_to_a_candidate_closes_the_loop(
    session: Session, outbox: Path, request_ctx: None
) -> None:
    data = plant(session)
    premise_id = data["premise"].id
    chosen = applied(session, premise=str(premise_id))
    other = applied(
        session,
        street=str(data["street"].id),
        business_name="Lire Ici",
        shop_type="books",
        contact_email="lire@example.org",
    )
    told = applications.decide(session, data["owner"], premise_id, chosen.id, "let")
    assert told == 2
    premise = session.get(Premise, premise_id)
    assert premise.status == "let" and premise.opened_shop_type.code == "bakery"
    assert chosen.status == "accepted"
    # The street application was turned down here only; it stays open for the street.
    assert other.status == "submitted"
    assert session.get(Candidacy, (other.id, premise_id)).status == "rejected"
    # Each resident who wished on the premise hears that their wish came true.
    notes = list(session.scalars(select(Notification).where(Notification.premise_id == premise_id)))
    assert len(notes) == 8 and all(note.came_true for note in notes)
    subjects = {str(m["To"]): str(m["Subject"]) for m in outbox_messages(outbox)}
    assert "was chosen" in subjects["camille@example.org"]
    assert "has been let" in subjects["lire@example.org"]
    assert sum("Your wish came true" in s for s in subjects.values()) == 8
    actions = set(session.scalars(select(AuditEntry.action)))
    assert {"application.accepted", "application.rejected"} <= actions
    # The other premise on the street still lists the street application, not the chosen one.
    admin = make_user(session, role=Role.ADMIN)
    page = applications.candidates_page(session, admin, data["other"].id)
    assert [c.application.id for c in page.candidates] == [other.id]
    assert applications.candidate_counts(session, [premise_id, data["other"].id]) == {
        data["other"].id: 1
    }


def test_the_candidate_withdraws_through_the_same_link(
    session: Session, outbox: Path, request_ctx: None
) -> None:
    data = plant(session, analyse=False)
    application, secret = apply(session, premise=str(data["premise"].id))
    assert applications.withdrawable_application(session, secret) is None  # not confirmed yet
    applications.verify_application(session, secret)
    assert applications.withdrawable_application(session, secret) is application
    applications.withdraw_application(session, secret)
    assert application.status == "withdrawn" and application.link_digest is None
    assert applications.candidates_page(session, data["owner"], data["premise"].id).candidates == []
    with pytest.raises(applications.ApplicationError, match="cannot be withdrawn"):
        applications.withdraw_application(session, secret)
    # A candidate the premise was let to cannot withdraw any more.
    chosen, chosen_secret = apply(session, premise=str(data["premise"].id))
    applications.verify_application(session, chosen_secret)
    applications.decide(session, data["owner"], data["premise"].id, chosen.id, "let")
    assert applications.withdrawable_application(session, chosen_secret) is None


def test_a_street_candidate_let_one_premise_is_decided_for_the_others(
    session: Session, outbox: Path, request_ctx: None
) -> None:
    data = plant(session, analyse=False)
    street_app = applied(session, street=str(data["street"].id))
    admin = make_user(session, role=Role.ADMIN)
    applications.decide(session, admin, data["premise"].id, street_app.id, "let")
    assert street_app.status == "accepted"
    other_id = data["other"].id
    assert applications.candidates_page(session, admin, other_id).candidates == []
    with pytest.raises(applications.ApplicationError, match="already been decided"):
        applications.decide(session, admin, other_id, street_app.id, "let")
    assert session.get(Premise, other_id).status == "vacant"


def test_unconfirmed_applications_are_purged_once_their_link_expired(
    session: Session, outbox: Path, request_ctx: None
) -> None:
    # They used to stay for ever: a stranger's contact details nobody would ever read.
    data = plant(session)
    stale, _secret = apply(session, premise=str(data["premise"].id))
    fresh, _secret = apply(session, premise=str(data["premise"].id))
    confirmed = applied(session, premise=str(data["premise"].id))
    stale.verify_expires_at = datetime.now(UTC) - timedelta(minutes=1)
    session.commit()
    stale_id = stale.id
    newest, _secret = apply(session, premise=str(data["premise"].id))
    kept = set(session.scalars(select(Application.id)))
    assert stale_id not in kept
    assert {fresh.id, confirmed.id, newest.id} <= kept
