"""Disclosure control for published counts: a floor of residents plus cell-key perturbation.

Why. A floor alone ("rows under n residents are suppressed") can be undone by differencing:
the total of another grouping minus the rows shown, or two date ranges one day apart, give the
hidden count exactly. Statistics offices close that door either with secondary suppression
(hide more cells until no hidden one is derivable — fragile across every grouping, filter and
date range an officer can ask for) or with a cell-key method, which the ONS (England and Wales)
and CBS (Netherlands) used for their 2021 census tables. Wishmap uses the cell-key method:

- every resident has a secret **record key** in [0, MODULUS), derived from their user id and a
  secret (`WISHMAP_STATS_KEY_SECRET`, else the app's SECRET_KEY) by a keyed polynomial that the
  database evaluates itself (no per-user round trip); every wish has one too, from its id;
- a published cell's **cell key** is the sum of its residents' record keys modulo MODULUS (and,
  for the wish count, the sum of its wishes' keys). It depends only on the SET of contributors,
  never on the query that produced the cell: the same people give the same key, whether they
  were reached through a street, a district, a month or a date range;
- the cell key picks a **noise** in {-max_noise, …, +max_noise} (default ±2), uniformly and so
  with mean zero; the published count is the true count plus that noise. The same set of
  residents therefore always gets the same published figure (asking again averages nothing
  away), and a difference of two published figures is the true difference plus the difference
  of two independent-looking noises: a hidden cell of 1–10 residents comes out of a subtraction
  give or take up to 4, which does not single anyone out;
- below the floor (`WISHMAP_STATS_MIN_RESIDENTS` distinct residents, default 11 — INSEE's
  default for counts of people) a cell is not published at all.

The guarantee is the ONS one: no published figure, nor any difference of published figures,
is known to equal a true count, because every published figure carries a noise that only the
secret explains. Someone who knew the secret and every user id could remove the noise: the
secret is as sensitive as the SECRET_KEY, and rotating it changes every published figure.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, cast

# A prime just under 2**16: products of two keys stay below 2**32, far within a 64-bit integer
# on SQLite and PostgreSQL alike, and a prime modulus leaves no lost low bits.
MODULUS = 65521
DEFAULT_MIN_RESIDENTS = 11
DEFAULT_MAX_NOISE = 2


@dataclass(frozen=True)
class CellKeys:
    """How published counts are perturbed: the noise bound and the secret seeding the keys."""

    secret: str
    max_noise: int = DEFAULT_MAX_NOISE

    def coefficients(self, purpose: str) -> tuple[int, int, int, int]:
        """Return the polynomial's secret coefficients for residents or wishes."""
        digest = hmac.new(self.secret.encode(), purpose.encode(), hashlib.sha256).digest()
        a, b, c, d = (int.from_bytes(digest[i : i + 8], "big") for i in range(0, 32, 8))
        return a % (MODULUS - 1) + 1, b % MODULUS, c % MODULUS, d % MODULUS


def record_key(column: Any, keys: CellKeys, purpose: str) -> ColumnElement[int]:
    """Return the SQL of a record's key in [0, MODULUS): (a·u + b)·(u + d) + c mod MODULUS."""
    a, b, c, d = keys.coefficients(purpose)
    u = cast(column, BigInteger) % MODULUS
    # A quadratic rather than an affine key, so that the sum over a set is not a function of
    # the sum of its ids alone.
    return (((u * a + b) % MODULUS) * ((u + d) % MODULUS) + c) % MODULUS


def python_record_key(value: int, keys: CellKeys, purpose: str) -> int:
    """Return the same key as record_key, computed in Python (for tests and small tallies)."""
    a, b, c, d = keys.coefficients(purpose)
    u = value % MODULUS
    return (((u * a + b) % MODULUS) * ((u + d) % MODULUS) + c) % MODULUS


def noise(cell_key: int, count: int, max_noise: int) -> int:
    """Return the noise that a cell key gives a count: uniform in [-max_noise, max_noise]."""
    if max_noise <= 0:
        return 0
    width = 2 * max_noise + 1
    # Mixing the count in keeps cells of equal key but different size from moving together.
    mixed = (cell_key + count * 40503) % MODULUS
    return mixed * width // MODULUS - max_noise


def publish(count: int, cell_key: int, keys: CellKeys | None) -> int:
    """Return the published count: the true count plus its cell's noise, never below zero."""
    if keys is None:
        return count
    return max(0, count + noise(cell_key % MODULUS, count, keys.max_noise))


def cell_keys_from(config: Any) -> CellKeys:
    """Return the perturbation configured for published figures (WISHMAP_STATS_* settings)."""
    secret = config.get("STATS_KEY_SECRET") or config.get("SECRET_KEY") or ""
    return CellKeys(secret=str(secret), max_noise=int(config.get("STATS_NOISE", 2)))
