"""Disclosure control: a suppressed count cannot be recovered by differencing published figures.

The planted data leaks under the old rule (floor only, exact counts): street B's 3 residents are
the food total minus street A, and street A's single April resident is "all dates" minus "until
March". The attack below is what an officer would run; with cell-key noise it no longer gives
the true figure, while the same query keeps giving the same numbers.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from statistics import mean

from factories import make_street, make_user, make_wish
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wishmap.models import Wish
from wishmap.services.disclosure import (
    MODULUS,
    CellKeys,
    noise,
    python_record_key,
    record_key,
)
from wishmap.services.statistics import StatsQuery, statistics

MARCH = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
APRIL = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)
FLOOR = 11
SECRETS = [f"secret-{n}" for n in range(20)]


def plant_leaky(session: Session) -> dict[str, int]:
    """12 residents on A in March, 1 more on A in April, 3 on B in March; all bakeries."""
    a = make_street(session, name="Rue Alpha", coordinates=[[2.37, 48.88], [2.375, 48.88]])
    b = make_street(session, name="Rue Bravo", coordinates=[[2.385, 48.89], [2.39, 48.89]])
    plan = [(a, MARCH)] * 12 + [(a, APRIL)] + [(b, MARCH)] * 3
    for street, moment in plan:
        lon, lat = json.loads(street.geometry)["coordinates"][0]
        make_wish(
            session, user=make_user(session), lat=lat, lon=lon, street_id=street.id,
            created_at=moment,
        )  # fmt: skip
    session.commit()
    return {"a": a.id, "b": b.id}


def residents(session: Session, keys: CellKeys | None, **query: object) -> dict:
    table = statistics(session, StatsQuery(**query), FLOOR, keys=keys)
    return {row.labels: row.residents for row in table.rows}


def attack(session: Session, keys: CellKeys | None) -> dict[str, int | None]:
    """Derive the hidden figures by differencing, as an officer could; None: not derivable."""
    by_street = residents(session, keys, by=("street",))
    derived: dict[str, int | None] = {}
    # 1. Street B is hidden; every grouping with one row gives the total to subtract from.
    for other in ("type", "group"):
        totals = residents(session, keys, by=(other,))
        shown = [value for value in by_street.values() if value is not None]
        total = sum(v for v in totals.values() if v is not None)
        derived[f"B from {other} total"] = total - sum(shown)
    # 2. Street A's April resident: all dates minus until the end of March.
    everything = by_street[("Rue Alpha",)]
    until_march = residents(session, keys, by=("street",), until=date(2026, 3, 31))
    earlier = until_march.get(("Rue Alpha",))
    derived["A in April from date ranges"] = (
        None if everything is None or earlier is None else everything - earlier
    )
    since_april = residents(session, keys, by=("street",), since=date(2026, 4, 1))
    derived["A in April shown directly"] = since_april.get(("Rue Alpha",))
    return derived


TRUTH = {
    "B from type total": 3,
    "B from group total": 3,
    "A in April from date ranges": 1,
    "A in April shown directly": 1,
}


def test_the_old_rule_leaks_on_this_data(session: Session) -> None:
    """Without noise the attack recovers both hidden figures exactly: the data is a real leak."""
    plant_leaky(session)
    derived = attack(session, keys=None)
    assert derived["B from type total"] == 3
    assert derived["B from group total"] == 3
    assert derived["A in April from date ranges"] == 1
    assert derived["A in April shown directly"] is None  # suppressed, yet derivable above


def test_differencing_no_longer_recovers_hidden_counts(session: Session) -> None:
    """Under 20 secrets, the attack's estimates are mostly wrong and never known to be right."""
    plant_leaky(session)
    exact = attempts = 0
    for secret in SECRETS:
        derived = attack(session, CellKeys(secret=secret, max_noise=2))
        assert derived["A in April shown directly"] is None  # still suppressed
        for name in ("B from type total", "B from group total", "A in April from date ranges"):
            value = derived[name]
            attempts += 1
            if value == TRUTH[name]:
                exact += 1
            # The error is the difference of a few bounded noises: at most 2 per figure used.
            assert value is not None and abs(value - TRUTH[name]) <= 2 * 3
    # A difference of two uniform noises in [-2, 2] is zero one time in five; anything like
    # that rate means the attacker cannot tell a right estimate from a wrong one.
    assert exact <= attempts // 2, (exact, attempts)


def test_same_people_same_figure_whatever_the_query(session: Session) -> None:
    ids = plant_leaky(session)
    keys = CellKeys(secret="stable")
    first = residents(session, keys, by=("street",))
    assert residents(session, keys, by=("street",)) == first  # asked again: same numbers
    # Street A reached through a street filter: the same residents, so the same noise.
    filtered = residents(session, keys, by=("street",), street_id=ids["a"])
    assert filtered[("Rue Alpha",)] == first[("Rue Alpha",)]
    # The 12 March residents of A, by date range and by street × month: one set, one figure.
    march = residents(session, keys, by=("street",), until=date(2026, 3, 31))
    by_month = residents(session, keys, by=("street", "month"))
    assert march[("Rue Alpha",)] == by_month[("Rue Alpha", "2026-03")]
    # Published figures stay within the noise bound of the truth.
    assert abs(first[("Rue Alpha",)] - 13) <= 2


def test_noise_is_bounded_and_zero_mean() -> None:
    values = [noise(key, count, 2) for key in range(0, MODULUS, 7) for count in (11, 50)]
    assert set(values) == {-2, -1, 0, 1, 2}
    assert abs(mean(values)) < 0.01
    assert noise(1234, 20, 0) == 0  # no noise configured: exact counts


def test_noise_over_many_real_cells_is_zero_mean(session: Session) -> None:
    """Cell keys summed from real record keys: noises spread evenly around zero."""
    keys = CellKeys(secret="spread")
    cells = [
        sum(python_record_key(user, keys, "resident") for user in range(start, start + 12))
        for start in range(1, 4001, 4)
    ]
    values = [noise(cell % MODULUS, 12, 2) for cell in cells]
    assert max(values) == 2 and min(values) == -2
    assert abs(mean(values)) < 0.15


def test_sql_and_python_record_keys_agree(session: Session) -> None:
    keys = CellKeys(secret="agree")
    for _ in range(3):
        make_wish(session)
    session.commit()
    ids = session.scalars(select(Wish.id)).all()
    in_sql = session.scalar(select(func.sum(record_key(Wish.id, keys, "wish"))))
    assert in_sql == sum(python_record_key(i, keys, "wish") for i in ids)
    big = 2**31 - 5  # ids near the 32-bit limit do not overflow on PostgreSQL
    assert session.scalar(select(record_key(big, keys, "wish"))) == python_record_key(
        big, keys, "wish"
    )
