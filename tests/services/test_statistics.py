"""Statistics for officers: known answers on planted data, small-count suppression, filters."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from factories import make_user, make_wish
from sqlalchemy import text
from sqlalchemy.orm import Session
from statistics_data import plant

from wishmap.services.statistics import StatisticsError, StatsQuery, parse_query, statistics


def figures(table) -> dict:
    return {row.labels: (row.wishes, row.residents) for row in table.rows}


def test_by_street_counts_residents_and_suppresses_small_rows(session: Session) -> None:
    plant(session)
    table = statistics(session, StatsQuery(by=("street",)), min_residents=3)
    assert figures(table) == {("Rue Alpha",): (5, 5), ("Rue Bravo",): (None, None)}
    assert [row.suppressed for row in table.rows] == [False, True]
    # With a threshold of 2, B's two residents show.
    table = statistics(session, StatsQuery(by=("street",)), min_residents=2)
    assert figures(table)[("Rue Bravo",)] == (2, 2)


def test_only_active_wishes_count_and_residents_are_distinct(session: Session) -> None:
    planted = plant(session)
    first = planted.residents[0]
    # A second type by the same resident: one more wish, no more residents.
    make_wish(session, user=first, code="cheese", lat=48.88, lon=2.371, street_id=planted.a.id)
    for status in ("held", "pending", "withdrawn", "hidden"):
        make_wish(
            session, code="books", lat=48.88, lon=2.371, street_id=planted.a.id, status=status
        )
    table = statistics(session, StatsQuery(by=("street",)))
    assert figures(table)[("Rue Alpha",)] == (6, 5)
    by_type = figures(statistics(session, StatsQuery(by=("type",))))
    assert by_type == {("Bakery",): (7, 7), ("Cheese shop",): (None, None)}


def test_by_district_and_by_group_and_two_dimensions(session: Session) -> None:
    plant(session)
    assert figures(statistics(session, StatsQuery(by=("district",)))) == {
        ("West",): (5, 5),
        ("East",): (None, None),
    }
    assert figures(statistics(session, StatsQuery(by=("group",)))) == {("Food",): (7, 7)}
    both = statistics(session, StatsQuery(by=("street", "month")))
    assert figures(both) == {
        ("Rue Alpha", "2026-03"): (5, 5),
        ("Rue Bravo", "2026-03"): (None, None),
    }


def test_wishes_outside_every_district_form_their_own_row(session: Session) -> None:
    plant(session)
    for _ in range(3):
        make_wish(session, lat=48.95, lon=2.50)  # far outside both districts, no street
    rows = figures(statistics(session, StatsQuery(by=("district",))))
    assert rows[("Outside every district",)] == (3, 3)
    assert figures(statistics(session, StatsQuery(by=("street",))))[("No street nearby",)] == (3, 3)


def test_month_grouping_counts_utc_months(session: Session, backend: str) -> None:
    """The same months on SQLite and PostgreSQL, whatever the database session's time zone."""
    if backend == "postgresql":
        # Auckland is 13 hours ahead: local months would move the first wish into April.
        session.execute(text("SET TIME ZONE 'Pacific/Auckland'"))
    moments = [
        datetime(2026, 3, 31, 23, 30, tzinfo=UTC),
        datetime(2026, 3, 1, 0, 0, tzinfo=UTC),
        datetime(2026, 4, 1, 0, 10, tzinfo=UTC),
        datetime(2025, 12, 31, 23, 59, tzinfo=UTC),
    ]
    for moment in moments:
        for _ in range(3):
            make_wish(session, created_at=moment)
    table = statistics(session, StatsQuery(by=("month",)))
    assert [(row.codes[0], row.wishes) for row in table.rows] == [
        ("2025-12", 3),
        ("2026-03", 6),
        ("2026-04", 3),
    ]


def test_filters_narrow_the_counts(session: Session) -> None:
    planted = plant(session)
    later = datetime(2026, 5, 2, tzinfo=UTC)
    for _ in range(3):
        make_wish(
            session, code="cheese", lat=48.8801, lon=2.371, street_id=planted.a.id, created_at=later
        )
    from wishmap.services.districts import assign_districts

    assign_districts(session)
    session.commit()

    def total(**filters: object) -> dict:
        return figures(statistics(session, StatsQuery(by=("street",), **filters)))

    assert total()[("Rue Alpha",)] == (8, 8)
    assert total(type_code="cheese") == {("Rue Alpha",): (3, 3)}
    assert total(group="food")[("Rue Alpha",)] == (8, 8)
    assert total(since=date(2026, 5, 1)) == {("Rue Alpha",): (3, 3)}
    assert total(until=date(2026, 3, 10))[("Rue Alpha",)] == (5, 5)  # the end day counts whole
    assert total(since=date(2026, 3, 11), until=date(2026, 4, 30)) == {}
    assert total(street_id=planted.b.id) == {("Rue Bravo",): (None, None)}
    west = session.execute(text("SELECT id FROM districts WHERE ref = 'W'")).scalar_one()
    assert total(district_id=west) == {("Rue Alpha",): (8, 8)}


def test_anonymous_wishes_count_but_add_no_resident(session: Session) -> None:
    plant(session)
    for _ in range(4):
        make_wish(session, user=make_user(session), lat=48.9, lon=2.39, user_id=None)
    rows = figures(statistics(session, StatsQuery(by=("district",))))
    # East: 2 residents + 4 anonymous wishes of deleted accounts → still fewer than 3 residents.
    assert rows[("East",)] == (None, None)


@pytest.mark.parametrize(
    "args",
    [
        {"by": "colour"},
        {"by": "street", "then": "street"},
        {"since": "2026-13-01"},
        {"since": "2026-05-01", "until": "2026-04-01"},
        {"district": "west"},
        {"street": "-1"},
        {"group": "weapons"},
    ],
)
def test_malformed_queries_are_refused_with_a_reason(args: dict) -> None:
    with pytest.raises(StatisticsError) as caught:
        parse_query(args)
    assert str(caught.value)


def test_unknown_references_are_refused(session: Session) -> None:
    plant(session)
    for query in (
        StatsQuery(type_code="unicorns"),
        StatsQuery(district_id=999),
        StatsQuery(street_id=999),
        StatsQuery(by=("district",), level="province"),
    ):
        with pytest.raises(StatisticsError):
            statistics(session, query)


def test_grouping_by_district_without_districts_is_refused(session: Session) -> None:
    plant(session, districts=False)
    with pytest.raises(StatisticsError):
        statistics(session, StatsQuery(by=("district",)))
    assert statistics(session, StatsQuery(by=("street",))).level is None


def test_street_filter_offers_only_streets_with_wishes(session: Session) -> None:
    from factories import make_street, make_wish

    from wishmap.services.statistics import filter_choices

    wished = make_street(session, "Rue Souhaitée")
    make_street(session, "Rue Oubliée")
    withdrawn_only = make_street(session, "Rue Retirée")
    make_wish(session, street_id=wished.id)
    make_wish(session, street_id=withdrawn_only.id, status="withdrawn")
    names = [name for _id, name in filter_choices(session).streets]
    assert names == ["Rue Souhaitée"]
