"""Wishing through the web: make, support, change, withdraw; My wishes; closing the loop."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from factories import make_premise, make_user, make_wish, shop_type
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.mail import outbox_messages
from wishmap.models import Notification, Premise, Role, Wish


def _post(client: FlaskClient, path: str, **data: object) -> object:
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **data})


def _active(session: Session, premise: Premise, code: str = "bakery") -> int:
    return session.scalar(
        select(func.count()).where(
            Wish.premise_id == premise.id,
            Wish.shop_type_id == shop_type(session, code).id,
            Wish.status == "active",
        )
    )


def test_a_visitor_is_sent_to_log_in_and_comes_back_with_the_choice_kept(
    client: FlaskClient, session: Session
) -> None:
    premise = make_premise(session)
    shop_type(session)
    wanted = f"/wishes/new?premise={premise.id}&type=bakery&frequency=weekly&reason=Du+pain"
    response = client.get(wanted)
    assert response.status_code == 302
    target = parse_qs(urlsplit(response.headers["Location"]).query)["next"][0]
    assert target == wanted
    log_in(client, make_user(session))
    form = client.get(target).get_data(as_text=True)
    assert 'value="bakery" required checked' in form
    assert 'value="weekly" checked' in form and ">Du pain</textarea>" in form
    # Anyone may look at a premise; its form sends visitors to that same place.
    client.post("/account/logout", data={"csrf_token": csrf_token(client, "/")})


def test_a_draft_keeps_the_reason_out_of_every_url(client: FlaskClient, session: Session) -> None:
    premise = make_premise(session)
    shop_type(session)
    page = f"/premises/{premise.id}"
    response = client.post(
        "/wishes/draft",
        data={
            "csrf_token": csrf_token(client, page),
            "premise": str(premise.id),
            "type": "bakery",
            "frequency": "monthly",
            "reason": "Secret de famille",
        },
    )
    assert response.status_code == 303
    location = response.headers["Location"]
    assert "Secret" not in location and "bakery" not in location
    target = parse_qs(urlsplit(location).query)["next"][0]
    assert target == f"/wishes/new?premise={premise.id}"
    log_in(client, make_user(session))
    form = client.get(target).get_data(as_text=True)
    assert 'value="bakery" required checked' in form
    assert 'value="monthly" checked' in form and ">Secret de famille</textarea>" in form
    # The draft is used once, and never for another place.
    assert "Secret de famille" not in client.get(target).get_data(as_text=True)
    other = make_premise(session)
    client.post(
        "/wishes/draft",
        data={
            "csrf_token": csrf_token(client, page),
            "premise": str(premise.id),
            "reason": "Pour ici",
        },
    )
    assert "Pour ici" not in client.get(f"/wishes/new?premise={other.id}").get_data(as_text=True)


def test_make_a_wish_and_see_the_count_go_up(client: FlaskClient, session: Session) -> None:
    premise = make_premise(session)
    shop_type(session)
    log_in(client, make_user(session))
    response = _post(
        client, "/wishes/", premise=premise.id, type="bakery", frequency="weekly", reason="Pain"
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/premises/{premise.id}"
    assert _active(session, premise) == 1
    page = client.get(f"/premises/{premise.id}").get_data(as_text=True)
    assert "Thank you! Your wish counts now." in page and "1 wish" in page
    assert "You wish this" in page


def test_an_unverified_resident_is_told_the_wish_waits(
    client: FlaskClient, session: Session
) -> None:
    premise = make_premise(session)
    shop_type(session)
    log_in(client, make_user(session, email_verified_at=None))
    _post(client, "/wishes/", premise=premise.id, type="bakery")
    page = client.get(f"/premises/{premise.id}").get_data(as_text=True)
    assert "confirm your e-mail address" in page
    assert _active(session, premise) == 0


def test_refusals_are_4xx_with_a_clear_message(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    premise = make_premise(session)
    shop_type(session)
    log_in(client, make_user(session))
    too_long = _post(client, "/wishes/", premise=premise.id, type="bakery", reason="x" * 501)
    assert too_long.status_code == 400
    assert "at most 500 fit" in too_long.get_data(as_text=True)
    assert _post(client, "/wishes/", premise=premise.id, type="spaceport").status_code == 400
    assert _post(client, "/wishes/", type="bakery").status_code == 400
    assert _post(client, "/wishes/", premise=999999, type="bakery").status_code == 400
    assert _post(client, "/wishes/", lat="x", lon="2.3", type="bakery").status_code == 400
    app.config["WISH_QUOTA"] = 1
    assert _post(client, "/wishes/", premise=premise.id, type="bakery").status_code == 303
    quota = _post(client, "/wishes/", premise=premise.id, type="books")
    assert quota.status_code == 409
    text = quota.get_data(as_text=True)
    assert "You already have 1 active wishes" in text and 'role="alert"' in text
    assert "/me/" in text
    as_json = client.post(
        "/wishes/",
        data={"premise": premise.id, "type": "books"},
        headers={"Accept": "application/json", "X-CSRFToken": csrf_token(client, "/")},
    )
    assert as_json.status_code == 409 and "active wishes" in as_json.get_json()["error"]


def test_a_free_wish_counts_near_its_point(client: FlaskClient, session: Session) -> None:
    shop_type(session)
    log_in(client, make_user(session))
    response = client.post(
        "/wishes/",
        data={"lat": "48.8805", "lon": "2.3851", "type": "pharmacy"},
        headers={"Accept": "application/json", "X-CSRFToken": csrf_token(client, "/")},
    )
    assert response.status_code == 201 and response.get_json()["status"] == "active"
    form = client.get("/wishes/new?lat=48.8805&lon=2.3851").get_data(as_text=True)
    assert "stays private" in form


def test_support_in_one_click(client: FlaskClient, session: Session) -> None:
    premise = make_premise(session)
    make_wish(session, premise=premise, code="books")
    log_in(client, make_user(session))
    assert _post(client, "/wishes/support", premise=premise.id, type="books").status_code == 303
    assert _active(session, premise, "books") == 2
    # Support is for a type others already wished for; a second voice is refused.
    assert _post(client, "/wishes/support", premise=premise.id, type="cheese").status_code == 400
    again = _post(client, "/wishes/support", premise=premise.id, type="books")
    assert again.status_code == 400
    assert "already wish for this shop type here" in again.get_data(as_text=True)


def test_change_and_withdraw_on_my_wishes(client: FlaskClient, session: Session) -> None:
    premise = make_premise(session, address="7 Rue des Lilas")
    user = make_user(session)
    wish = make_wish(session, user=user, premise=premise)
    other = make_wish(session, premise=premise, code="books")
    log_in(client, user)
    page = client.get("/me/").get_data(as_text=True)
    assert "7 Rue des Lilas" in page and "You have 1 of your 10 wishes in use" in page
    changed = _post(client, f"/wishes/{wish.id}", type="cheese", reason="Du comté", frequency="")
    assert changed.status_code == 303
    session.refresh(wish)
    assert (wish.shop_type.code, wish.reason) == ("cheese", "Du comté")
    assert _post(client, f"/wishes/{other.id}/withdraw").status_code == 404  # not theirs
    assert _post(client, f"/wishes/{other.id}", type="bakery").status_code == 404
    back = _post(client, f"/wishes/{wish.id}/withdraw", next=f"/premises/{premise.id}")
    assert back.status_code == 303 and back.headers["Location"] == f"/premises/{premise.id}"
    session.refresh(wish)
    assert wish.status == "withdrawn"
    assert "You have no wishes yet." in client.get("/me/").get_data(as_text=True)


def test_forms_without_csrf_token_are_refused(client: FlaskClient, session: Session) -> None:
    premise = make_premise(session)
    shop_type(session)
    log_in(client, make_user(session))
    assert (
        client.post("/wishes/", data={"premise": premise.id, "type": "bakery"}).status_code == 400
    )
    assert _active(session, premise) == 0


def test_opening_a_premise_tells_every_resident_who_wished_there(
    client: FlaskClient, session: Session, outbox: Path
) -> None:
    agency = make_user(session, role=Role.AGENCY)
    premise = make_premise(session, manager_id=agency.id, address="9 Rue Pasteur")
    baker_fan = make_user(session, locale="fr")
    book_fan = make_user(session, locale="nl")
    make_wish(session, user=baker_fan, premise=premise)
    make_wish(session, user=baker_fan, premise=premise, code="cheese")
    make_wish(session, user=book_fan, premise=premise, code="books")
    make_wish(session, premise=premise, status="withdrawn")
    # Another owner, or a resident, may not record it.
    log_in(client, make_user(session, role=Role.OWNER))
    refused = _post(client, f"/premises/{premise.id}/outcome", outcome="opened", type="bakery")
    assert refused.status_code == 403
    log_in(client, make_user(session))
    assert _post(client, f"/premises/{premise.id}/outcome", outcome="let").status_code == 403
    log_in(client, agency)
    page = client.get(f"/premises/{premise.id}").get_data(as_text=True)
    assert "Record what became of this premise" in page
    bad = _post(client, f"/premises/{premise.id}/outcome", outcome="opened", type="", on="x")
    assert bad.status_code == 400
    done = _post(
        client, f"/premises/{premise.id}/outcome", outcome="opened", type="bakery", on="2026-03-01"
    )
    assert done.status_code == 303
    session.expire_all()
    assert session.get(Premise, premise.id).status == "opened"
    news = {n.user_id: n.came_true for n in session.scalars(select(Notification))}
    assert news == {baker_fan.id: True, book_fan.id: False}
    mails = {str(m["To"]): m for m in outbox_messages(outbox)}
    assert set(mails) == {baker_fan.email, book_fan.email}
    assert "souhait s'est réalisé" in str(mails[baker_fan.email]["Subject"])
    assert "Boulangerie" in mails[baker_fan.email].get_content()
    assert "Nieuws over 9 Rue Pasteur" in str(mails[book_fan.email]["Subject"])
    log_in(client, baker_fan)
    # Their page speaks the language they chose, whatever this browser says.
    mine = client.get("/me/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Votre souhait s'est réalisé" in mine
    assert "9 Rue Pasteur a ouvert\xa0: Boulangerie." in mine
    assert _post(client, "/me/notifications/read").status_code == 303
    assert session.scalar(select(func.count()).where(Notification.read_at.is_(None))) == 1
    again = _post(client, f"/premises/{premise.id}/outcome", outcome="let")
    assert again.status_code == 403  # a resident, and the premise is no longer vacant anyway


def test_huge_ids_are_not_a_server_error(client: FlaskClient, session: Session) -> None:
    log_in(client, make_user(session))
    response = client.get("/wishes/new?premise=99999999999999999999")
    assert response.status_code == 200
    assert "Choose a premise on the map or in the list first." in response.get_data(as_text=True)
    huge = client.post(
        "/wishes/",
        data={
            "csrf_token": csrf_token(client, "/"),
            "type": "bakery",
            "premise": "99999999999999999999",
        },
    )
    assert 400 <= huge.status_code < 500


def test_notification_mails_that_failed_are_sent_later(
    app: Flask, client: FlaskClient, session: Session, outbox: Path, runner: FlaskCliRunner
) -> None:
    agency = make_user(session, role=Role.AGENCY)
    premise = make_premise(session, manager_id=agency.id, address="4 Rue Pasteur")
    fans = [make_user(session) for _ in range(3)]
    for fan in fans:
        make_wish(session, user=fan, premise=premise)
    # The mail server is down: nothing listens on this port.
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=9)
    log_in(client, agency)
    done = _post(client, f"/premises/{premise.id}/outcome", outcome="opened", type="bakery")
    assert done.status_code == 303  # the news is recorded all the same
    session.expire_all()
    assert session.scalar(select(func.count()).where(Notification.emailed_at.is_(None))) == 3
    assert outbox_messages(outbox) == []
    # The server is back: the command sends what is pending, once.
    app.config.update(MAIL_BACKEND="folder")
    result = runner.invoke(args=["send-notifications"])
    assert result.exit_code == 0 and "notifications: 3 e-mails sent" in result.output
    assert {str(m["To"]) for m in outbox_messages(outbox)} == {fan.email for fan in fans}
    assert "notifications: 0 e-mails sent" in runner.invoke(args=["send-notifications"]).output
    assert len(outbox_messages(outbox)) == 3
