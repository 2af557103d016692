"""The public list of vacant premises comes a page at a time, with its search kept across pages."""

from __future__ import annotations

import re

from factories import make_premise, make_wish
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from wishmap.models import Premise
from wishmap.services.premises import premises_page


def _many(session: Session, count: int, street: str = "Rue de Meaux") -> None:
    session.add_all(
        Premise(
            ref=f"M-{street}-{number}",
            address=f"{number:03d} {street}",
            street_name=street,
            lat=48.88,
            lon=2.38,
            status="vacant",
        )
        for number in range(count)
    )
    session.commit()


def test_premises_page_counts_and_cuts(session: Session) -> None:
    _many(session, 7, "Rue A")
    _many(session, 5, "Rue B")
    make_premise(session, status="let", street_name="Rue A", address="999 Rue A")
    wished = session.query(Premise).filter_by(address="002 Rue A").one()
    make_wish(session, premise=wished)
    make_wish(session, premise=wished)
    first = premises_page(session, page=1, page_size=5)
    assert (first.total, first.pages, first.first, first.last) == (12, 3, 1, 5)
    assert [p.address for p, _ in first.rows] == [f"00{n} Rue A" for n in range(5)]
    assert dict((p.address, n) for p, n in first.rows)["002 Rue A"] == 2
    last = premises_page(session, page=3, page_size=5)
    assert [p.address for p, _ in last.rows] == ["003 Rue B", "004 Rue B"]
    assert (last.first, last.last) == (11, 12)
    found = premises_page(session, search="rue b", page=1, page_size=3)
    assert found.total == 5 and found.pages == 2
    assert all(p.street_name == "Rue B" for p, _ in found.rows)


def test_the_list_shows_one_page_and_links_to_the_next(
    client: FlaskClient, session: Session
) -> None:
    _many(session, 130)
    page = client.get("/premises/").get_data(as_text=True)
    assert "130 vacant premises." in page
    assert page.count('href="/premises/') - page.count('href="/premises/?') == 100 + 1  # + nav
    assert "Showing 1 to 100, page 1 of 2." in page
    assert 'rel="next" href="/premises/?page=2"' in page
    assert 'rel="prev"' not in page
    second = client.get("/premises/?page=2").get_data(as_text=True)
    assert "Showing 101 to 130, page 2 of 2." in second
    assert "129 Rue de Meaux" in second and "099 Rue de Meaux" not in second
    assert 'rel="prev" href="/premises/?page=1"' in second


def test_the_search_is_kept_in_the_page_links(client: FlaskClient, session: Session) -> None:
    _many(session, 120, "Rue de Crimée")
    _many(session, 3, "Rue de Meaux")
    page = client.get("/premises/?q=crimee").get_data(as_text=True)
    assert "120 vacant premises matching “crimee”." in page
    assert re.search(
        r'rel="next" href="/premises/\?(page=2&amp;q=crimee|q=crimee&amp;page=2)"', page
    )
    assert "Rue de Meaux" not in page.split("<h2>", 1)[1]


def test_a_bad_page_number_is_refused_with_a_reason(client: FlaskClient, session: Session) -> None:
    _many(session, 3)
    for bad in ("abc", "0", "-1", "99999999999999999999"):
        response = client.get(f"/premises/?page={bad}")
        assert response.status_code == 400, bad
        assert "whole number" in response.get_data(as_text=True)
    assert client.get("/premises/?page=2").status_code == 404
    # An empty list is one (empty) page, not an error.
    assert client.get("/premises/?q=nowhere").status_code == 200
