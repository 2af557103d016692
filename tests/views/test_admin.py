"""Moderation, roles and claims through the web, each admin action in the audit log."""

from __future__ import annotations

import json

from factories import make_premise, make_user, make_wish
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.models import AuditEntry, Claim, Premise, Report, Role, User, Wish
from wishmap.services.premises import premise_demand


def _post(app: Flask, user: User, path: str, **data: object) -> object:
    client = log_in(app.test_client(), user)
    return client.post(path, data={"csrf_token": csrf_token(client), **data})


def test_report_hide_restore_and_dismiss_are_audited(app: Flask, session: Session) -> None:
    premise = make_premise(session)
    wish = make_wish(session, premise=premise, reason="Buy at my shop instead!!!")
    other = make_wish(session, premise=premise, code="books", reason="Fine")
    reporter, admin = make_user(session), make_user(session, role=Role.ADMIN)
    assert (
        _post(app, reporter, f"/reports/wishes/{wish.id}", reason="advertising").status_code == 302
    )
    assert _post(app, reporter, f"/reports/wishes/{other.id}", reason="meh").status_code == 302
    again = _post(app, reporter, f"/reports/wishes/{wish.id}", reason="again")
    assert again.status_code == 400
    admin_client = log_in(app.test_client(), admin)
    queue = admin_client.get("/admin/reports").get_data(as_text=True)
    assert "advertising" in queue and "Buy at my shop" in queue
    assert reporter.email not in queue

    assert premise_demand(session, premise.id).total == 2
    assert _post(app, admin, f"/admin/wishes/{wish.id}/hide").status_code == 302
    session.expire_all()
    assert session.get(Wish, wish.id).status == "hidden"
    assert premise_demand(session, premise.id).total == 1
    assert session.scalar(select(Report.status).where(Report.wish_id == wish.id)) == "resolved"
    assert _post(app, admin, f"/admin/wishes/{wish.id}/restore").status_code == 302
    [report] = session.scalars(select(Report).where(Report.wish_id == other.id))
    assert _post(app, admin, f"/admin/reports/{report.id}/dismiss").status_code == 302
    session.expire_all()
    assert session.get(Wish, wish.id).status == "active"
    assert _post(app, admin, "/admin/wishes/999999/hide").status_code == 404

    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.target_id) for e in entries] == [
        ("hide_wish", wish.id),
        ("restore_wish", wish.id),
        ("dismiss_report", report.id),
    ]
    assert all(e.actor_id == admin.id and e.created_at is not None for e in entries)
    assert json.loads(entries[0].before) == {"status": "active"}
    assert json.loads(entries[0].after) == {"status": "hidden"}
    log = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "Wish hidden" in log and "Wish restored" in log


def test_role_change_by_email_is_audited_without_the_address(app: Flask, session: Session) -> None:
    admin, user = make_user(session, role=Role.ADMIN), make_user(session)
    response = _post(app, admin, "/admin/roles", email=user.email, role="owner")
    assert response.status_code == 302
    session.expire_all()
    assert session.get(User, user.id).role == "owner"
    [entry] = session.scalars(select(AuditEntry))
    assert (entry.action, entry.target_type, entry.target_id) == ("change_role", "user", user.id)
    assert user.email not in f"{entry.before}{entry.after}"
    unknown = _post(app, admin, "/admin/roles", email="nobody@example.org", role="owner")
    assert unknown.status_code == 400


def test_claims_are_decided_by_the_managing_agency_or_an_admin(
    app: Flask, session: Session
) -> None:
    agency, other_agency = make_user(session, role=Role.AGENCY), make_user(session, role="agency")
    owner, admin = make_user(session, role=Role.OWNER), make_user(session, role=Role.ADMIN)
    managed = make_premise(session, manager_id=agency.id)
    unmanaged = make_premise(session)
    assert _post(app, owner, "/claims/", premise_ref=managed.ref).status_code == 302
    assert _post(app, owner, "/claims/", premise_ref=managed.ref).status_code == 400  # twice
    assert _post(app, owner, "/claims/", premise_ref=unmanaged.ref).status_code == 302
    assert _post(app, owner, "/claims/", premise_ref="NOPE").status_code == 400
    first, second = session.scalars(select(Claim).order_by(Claim.id)).all()

    board = log_in(app.test_client(), agency).get("/claims/").get_data(as_text=True)
    assert managed.ref in board and owner.email not in board
    refused = _post(app, other_agency, f"/claims/{first.id}/decision", decision="approve")
    assert refused.status_code == 403
    assert _post(app, owner, f"/claims/{first.id}/decision", decision="approve").status_code == 403
    # The managing agency may not decide a claim on a premise it does not manage.
    assert (
        _post(app, agency, f"/claims/{second.id}/decision", decision="approve").status_code == 403
    )
    ok = _post(app, agency, f"/claims/{first.id}/decision", decision="approve")
    assert ok.status_code == 302
    assert _post(app, admin, f"/claims/{second.id}/decision", decision="reject").status_code == 302
    assert _post(app, admin, f"/claims/{second.id}/decision", decision="maybe").status_code == 400
    session.expire_all()
    assert session.get(Premise, managed.id).manager_id == owner.id
    assert session.get(Premise, unmanaged.id).manager_id is None
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["approve_claim", "reject_claim"]


def test_audit_page_number_out_of_range_is_not_a_server_error(app: Flask, session: Session) -> None:
    from factories import make_user
    from web import log_in

    client = log_in(app.test_client(), make_user(session, role="admin"))
    assert client.get("/admin/audit?page=99999999999999999999").status_code == 200
    assert client.get("/admin/audit?page=abc").status_code == 200
