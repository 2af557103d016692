"""Districts: importing administrative areas, and the district each wish's point falls in.

Each wish's districts are stored in wish_districts (one row per level) instead of being found
per request: statistics then group and filter by district in SQL like by any other column.
The rows are written when a wish is made or imported, and rewritten for every wish whenever
districts are imported (or by `flask --app wishmap assign-districts`), so districts imported
after the wishes count them too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import shape
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from wishmap.geo import bounds
from wishmap.models import District, Wish, WishDistrict
from wishmap.services.caching import cached_per_database, forget
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

NAME_FIELDS = ("name", "nom", "l_qu", "l_aroff", "l_ar", "naam", "wijknaam", "buurtnaam")
REF_FIELDS = ("ref", "c_qu", "c_ar", "code", "wijkcode", "buurtcode", "id", "@id")
AREA_TYPES = {"Polygon", "MultiPolygon"}
DEFAULT_LEVEL = "district"
OUTSIDE = -1


def parse_where(where: str | None) -> tuple[str, str] | None:
    """Return (field, value) of a FIELD=VALUE option, or raise ImportFailed."""
    if not where:
        return None
    field, sign, value = where.partition("=")
    if not sign or not field.strip():
        raise ImportFailed([RowError("--where", f"expected FIELD=VALUE, got {where!r}")])
    return field.strip(), value.strip()


def _district_row(
    record: Record,
    level: str,
    name_field: str | None,
    ref_field: str | None,
    where: tuple[str, str] | None,
    within: Any = None,
) -> RowOutcome:
    props = record.props
    if where is not None and str(first(props, where[0])) != where[1]:
        return Skip(f"not {where[0]}={where[1]}")
    geometry = record.geometry
    if geometry is None:
        return "has no geometry"
    if geometry["type"] not in AREA_TYPES:
        return f"geometry is a {geometry['type']}, expected a Polygon or MultiPolygon"
    area = shape(geometry)
    if not area.is_valid:
        return f"the polygon is not valid: {shapely.is_valid_reason(area)}"
    # A district lies within an area by a point inside it: neighbours that only share a
    # border with the area touch it but are not part of it.
    if within is not None and not within.covers(area.representative_point()):
        return Skip("outside the area")
    name = first(props, name_field) if name_field else first(props, *NAME_FIELDS)
    ref = first(props, ref_field) if ref_field else first(props, *REF_FIELDS)
    if not name:
        return f"has no name (looked for {name_field or ', '.join(NAME_FIELDS)})"
    if ref is None:
        return f"has no id (looked for {ref_field or ', '.join(REF_FIELDS)})"
    min_lat, min_lon, max_lat, max_lon = bounds(geometry)
    return {
        "ref": str(ref),
        "name": str(name).strip()[:200],
        "level": level,
        "geometry": json.dumps(geometry, separators=(",", ":")),
        "min_lat": min_lat,
        "min_lon": min_lon,
        "max_lat": max_lat,
        "max_lon": max_lon,
    }


def import_districts(
    session: Session,
    records: list[Record],
    level: str = DEFAULT_LEVEL,
    name_field: str | None = None,
    ref_field: str | None = None,
    where: str | None = None,
    progress: ProgressFn | None = None,
    source: str = "",
    within: Any = None,
) -> ImportReport:
    """Create or update districts of one level by ref, then re-assign every wish; all or nothing.

    where: FIELD=VALUE the features must have; within: a shapely area the districts must lie
    in (by a point inside each). Commits once, so the districts and the wishes' districts land
    together.
    """
    level = level.strip().lower()
    if not level or len(level) > 40:
        raise ImportFailed([RowError("--level", "give a level name of 1 to 40 characters")], source)
    condition = parse_where(where)
    report = ImportReport()
    rows = check_rows(
        records,
        lambda record: _district_row(record, level, name_field, ref_field, condition, within),
        report,
        progress,
        source,
    )
    if condition is not None and not rows:
        raise ImportFailed([RowError("--where", f"no feature has {where}")], source)
    if within is not None and not rows:
        raise ImportFailed([RowError("--within", "no district lies in the area")], source)
    upsert_by_ref(session, District, rows, report, scope=District.level == level)
    session.flush()
    forget_locator(session)
    # With the statistics aggregates, rebuilt here for a new level so that no request has to
    # (imported late: that module reads this one).
    from wishmap.services.statistics_aggregates import reassign_districts

    reassign_districts(session)
    session.commit()
    return report


class DistrictLocator:
    """Finds, for arrays of points, the district of every level each point falls in."""

    def __init__(self, districts: Iterable[tuple[int, str, dict[str, Any]]]) -> None:
        """districts: (id, level, GeoJSON geometry) triples."""
        grouped: dict[str, tuple[list[int], list[Any]]] = {}
        for district_id, level, geometry in districts:
            ids, shapes = grouped.setdefault(level, ([], []))
            ids.append(district_id)
            shapes.append(shape(geometry))
        self._levels = {
            level: (np.array(ids), STRtree(shapes)) for level, (ids, shapes) in grouped.items()
        }

    @property
    def levels(self) -> list[str]:
        return sorted(self._levels)

    def locate(self, lats: np.ndarray, lons: np.ndarray) -> dict[str, np.ndarray]:
        """Return, per level, the district id of each point (OUTSIDE when in none)."""
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        found = {}
        for level, (ids, tree) in self._levels.items():
            result = np.full(len(points), OUTSIDE, dtype=np.int64)
            # covered_by, not within: a point on a border still belongs to a district.
            point_index, area_index = tree.query(points, predicate="covered_by")
            # A point on a shared border matches both sides: the lowest district id wins, so
            # the answer never depends on the tree's order.
            matched = ids[area_index]
            order = np.lexsort((matched, point_index))
            _unique, first_match = np.unique(point_index[order], return_index=True)
            result[point_index[order][first_match]] = matched[order][first_match]
            found[level] = result
        return found


# Asked by every wish (its districts), so it reads only short columns, in a statement built
# once: the lengths of the geometries cost a scan of every boundary's text. A geometry that
# changes changes its bounding box; an import also forgets this process's locator itself.
_FINGERPRINT = select(
    func.count(),
    func.max(District.id),
    func.sum(District.min_lat + District.max_lat + District.min_lon + District.max_lon),
)


def _fingerprint(session: Session) -> Any:
    return tuple(session.connection().execute(_FINGERPRINT).one())


def _build_locator(session: Session) -> DistrictLocator:
    rows = session.execute(select(District.id, District.level, District.geometry))
    return DistrictLocator((i, level, json.loads(geometry)) for i, level, geometry in rows)


def district_locator(session: Session) -> DistrictLocator:
    """Return the locator over every district, rebuilt only when the districts changed."""
    return cached_per_database(session, "districts", _fingerprint, _build_locator)


def forget_locator(session: Session) -> None:
    """Drop the cached locator of this database (its districts were imported)."""
    forget(session, "districts")


def districts_of(session: Session, lats: np.ndarray, lons: np.ndarray) -> dict[str, np.ndarray]:
    """Return, per district level, the district id each point falls in (-1 outside all)."""
    return district_locator(session).locate(lats, lons)


CHUNK = 500


def _write_districts(session: Session, locator: DistrictLocator, wishes: list[Any]) -> int:
    if not wishes:
        return 0
    points = np.array(wishes, dtype=float).reshape(-1, 3)
    ids = points[:, 0].astype(np.int64)
    rows = []
    for level, found in locator.locate(points[:, 1], points[:, 2]).items():
        inside = found != OUTSIDE
        rows += [
            {"wish_id": int(w), "level": level, "district_id": int(d)}
            for w, d in zip(ids[inside], found[inside], strict=True)
        ]
    if rows:
        session.execute(insert(WishDistrict), rows)
    return len(rows)


def assign_districts(session: Session, wish_ids: list[int] | None = None) -> int:
    """Rewrite the districts of these wishes (all wishes when None); return rows written.

    Does not commit: the caller's action (a wish, an import) lands with its districts.
    """
    locator = district_locator(session)
    query = select(Wish.id, Wish.lat, Wish.lon)
    if wish_ids is None:
        session.execute(delete(WishDistrict))
        return (
            _write_districts(session, locator, list(session.execute(query)))
            if locator.levels
            else 0
        )
    written = 0
    # Chunked IN lists stay under every driver's parameter limit.
    for start in range(0, len(wish_ids), CHUNK):
        chunk = wish_ids[start : start + CHUNK]
        session.execute(delete(WishDistrict).where(WishDistrict.wish_id.in_(chunk)))
        if locator.levels:
            wishes = list(session.execute(query.where(Wish.id.in_(chunk))))
            written += _write_districts(session, locator, wishes)
    return written


def district_levels(session: Session) -> list[str]:
    """Return the district levels present, coarsest (fewest districts) first."""
    counts = session.execute(select(District.level, func.count()).group_by(District.level)).all()
    return [level for level, _count in sorted(counts, key=lambda row: (row[1], row[0]))]


def list_districts(session: Session, level: str | None = None) -> list[District]:
    """Return the districts (of one level if given) ordered by level and name."""
    query = select(District).order_by(District.level, District.name)
    if level:
        query = query.where(District.level == level)
    return list(session.scalars(query))
