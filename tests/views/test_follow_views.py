"""Follow a premise from its page, see it and each wish's latest news on My wishes, and stop
following from an e-mail's link without logging in."""

from __future__ import annotations

import re
from datetime import date

from factories import make_premise, make_user, make_wish, shop_type
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web import csrf_token, log_in

from wishmap.models import Role
from wishmap.services import follows
from wishmap.services.outcomes import record_outcome


def test_a_visitor_is_asked_to_log_in_and_comes_back(client: FlaskClient, session: Session) -> None:
    premise = make_premise(session)
    page = client.get(f"/premises/{premise.id}").get_data(as_text=True)
    assert f'href="/account/login?next=/premises/{premise.id}">Follow this premise</a>' in page
    token = csrf_token(client)
    answer = client.post(f"/premises/{premise.id}/follow", data={"csrf_token": token})
    assert answer.status_code == 302 and "/account/login" in answer.headers["Location"]


def test_follow_from_the_page_then_see_it_on_my_wishes_and_unfollow_there(
    client: FlaskClient, session: Session
) -> None:
    premise = make_premise(session, address="7 Rue de Meaux")
    resident = make_user(session)
    log_in(client, resident)
    token = csrf_token(client, f"/premises/{premise.id}")
    answer = client.post(f"/premises/{premise.id}/follow", data={"csrf_token": token})
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/premises/{premise.id}#follow")
    page = client.get(f"/premises/{premise.id}").get_data(as_text=True)
    assert "You follow this premise." in page and ">Unfollow</button>" in page
    assert follows.following(session, resident.id, premise.id)

    mine = client.get("/me/").get_data(as_text=True)
    assert f'data-followed="{premise.id}"' in mine and "7 Rue de Meaux" in mine
    answer = client.post(
        f"/premises/{premise.id}/unfollow", data={"csrf_token": token, "back": "me"}
    )
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/me/#following")
    mine = client.get("/me/").get_data(as_text=True)
    assert "You no longer follow this premise." in mine and "data-followed" not in mine
    assert not follows.following(session, resident.id, premise.id)


def test_following_an_unknown_premise_is_a_404_with_the_reason(
    client: FlaskClient, session: Session
) -> None:
    log_in(client, make_user(session))
    answer = client.post("/premises/999999/follow", data={"csrf_token": csrf_token(client)})
    assert answer.status_code == 404 and "Unknown premise." in answer.get_data(as_text=True)


def test_the_e_mails_link_stops_the_follow_after_one_click_without_logging_in(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    premise = make_premise(session)
    resident = make_user(session, locale="fr")
    follows.follow(session, resident.id, premise.id)
    with app.test_request_context():
        link = f"/premises/unfollow/{follows.unfollow_token(resident.id, premise.id)}"
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    page = client.get(link).get_data(as_text=True)
    assert "Ne plus suivre" in page
    assert follows.following(session, resident.id, premise.id)  # opening the link is not enough
    answer = client.post(link, data={"csrf_token": csrf_token(client, link)})
    assert answer.status_code == 200
    assert "vous ne recevrez plus d’e-mails" in answer.get_data(as_text=True)
    assert not follows.following(session, resident.id, premise.id)

    for bad in ("no-such-token", link.rsplit("/", 1)[1][:-2] + "xx"):
        answer = client.get(f"/premises/unfollow/{bad}")
        assert answer.status_code == 400
        assert "Ce lien n’est pas valable" in answer.get_data(as_text=True)


def test_my_wishes_show_each_premises_latest_news_with_its_date(
    client: FlaskClient, session: Session
) -> None:
    resident = make_user(session, locale="nl")
    let = make_premise(session, address="1 Rue A")
    quiet = make_premise(session, address="2 Rue B")
    make_wish(session, user=resident, premise=let, code="books")
    make_wish(session, user=resident, premise=quiet, code="bakery")
    record_outcome(
        session,
        make_user(session, role=Role.ADMIN),
        let.id,
        "let",
        shop_type(session, "books").id,
        date(2026, 11, 28),
    )
    page = log_in(client, resident).get("/me/").get_data(as_text=True)
    blocks = re.findall(r'data-wish="\d+">(.*?)</li>', page, flags=re.S)
    items = {address: b for b in blocks for address in ("1 Rue A", "2 Rue B") if address in b}
    assert "Laatste nieuws (28 nov 2026): Verhuurd, voor: Boekhandel." in items["1 Rue A"]
    assert "Laatste nieuws" not in items["2 Rue B"]
    premise_page = client.get(f"/premises/{let.id}").get_data(as_text=True)
    assert "Laatste nieuws (28 nov 2026): Verhuurd, voor: Boekhandel." in premise_page
