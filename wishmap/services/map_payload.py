"""The map's premise layer as ready GeoJSON text: per request, two lean reads and a splice.

Every resident's map asks for the premises in view again after each wish: in bench/load.py that
request took a third of the load's CPU (21-25 ms each for 400 premises, most of it building
rows, dicts and JSON). What a marker shows of the premise itself (place, address, status,
surface) is serialised once per content of its row and kept; per request the rows and the counts
are read (the live aggregates: exact, a new wish shows at once) and the counts are put into the
kept texts. The answer is the same, byte for byte, as jsonify of
with_demand_classes(premise_features(premise_points(...))) (tests/services/test_map_payload.py).

Nothing kept can go stale: a text is found by the whole row it was made from (id, place,
address, status, surface), read again on every request, so an edit made by any process (a CLI
import, another worker) shows on the next answer. The memo is of a pure function of the row.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from wishmap.geo import (
    demand_breaks,
    demand_classes,
    demand_level,
    premise_feature,
    premise_features,
)
from wishmap.models import PremiseStatus
from wishmap.services.demand import MAX_PREMISES, BBox
from wishmap.type_icons import FALLBACK, ICONS

# The same rows, order and cut as services/demand.py's premise_points; the status is the one
# asked for (not read again: 400 strings fewer to make).
_IN_VIEW = text(
    "SELECT id, lat, lon, address, surface_m2 FROM premises"
    " WHERE status = :status AND lat BETWEEN :south AND :north AND lon BETWEEN :west AND :east"
    " ORDER BY id LIMIT :limit"
)
# The shop type codes ordered by their icon, as "|code|code|…|": a code's position in it ranks
# its icon (ICONS; the empty code stands for the FALLBACK icon of the codes not listed).
_ICON_ORDER = sorted({(icon, code) for code, icon in ICONS.items()} | {(FALLBACK, "")})
_CODES = "|" + "|".join(code for _icon, code in _ICON_ORDER) + "|"
# instr() and strpos() count from 1.
_ICON_AT = {_CODES.index(f"|{code}|") + 1: icon for icon, code in _ICON_ORDER}
# Icons as JSON (plain ASCII names: the same text whatever the style); None without wishes.
_ICON_JSON: dict[str | None, str] = {icon: json.dumps(icon) for icon in [None, *ICONS.values()]}
_ICON_JSON[FALLBACK] = json.dumps(FALLBACK)
_FALLBACK_AT = _CODES.index("||") + 1
_RANKS = 1 << 16  # above every position in _CODES
# Per premise in view: its active wishes, and wishes × _RANKS + the icon's position of its most
# wished type: max() picks the greatest count, ties to the greater icon, as premise_points'
# max() over (count, icon) pairs. From the live counts; one row per premise with wishes.
_COUNTS_IN_VIEW = (
    "SELECT a.premise_id, sum(a.wishes),"
    " max(CAST(a.wishes AS BIGINT) * :ranks + coalesce(nullif({position}, 0), :fallback))"
    " FROM agg_premise_types a"
    " JOIN premises p ON p.id = a.premise_id JOIN shop_types s ON s.id = a.shop_type_id"
    " WHERE p.status = :status AND p.lat BETWEEN :south AND :north"
    " AND p.lon BETWEEN :west AND :east AND p.id <= :last GROUP BY a.premise_id"
)
_COUNTS_BY_DIALECT = {
    "sqlite": text(_COUNTS_IN_VIEW.format(position="instr(:codes, '|' || s.code || '|')")),
    "postgresql": text(_COUNTS_IN_VIEW.format(position="strpos(:codes, '|' || s.code || '|')")),
}
# Stand-ins for what varies with the wishes (icon, level, wishes), found in the serialised text:
# JSON escapes control characters, so no address writes them, and a text is spliced only where
# each shows exactly once.
_MARKERS = ("\x00icon", "\x00level", "\x00wishes")
_FEATURES_MARKER = "\x00features"
# Past this many kept texts (10 views of MAX_PREMISES) the memo starts again, bounding memory.
MAX_KEPT = 20_000
# The views last asked for (the same view comes back after each wish) keep their texts in order,
# used again while the view reads exactly the same rows.
MAX_VIEWS = 64


@dataclass(frozen=True)
class JsonStyle:
    """How the application's JSON provider writes: the text must be what jsonify writes."""

    ensure_ascii: bool = True
    sort_keys: bool = True

    def dumps(self, value: Any) -> str:
        # Compact, as Flask's provider writes outside debug mode (the view checks it does).
        return json.dumps(
            value, ensure_ascii=self.ensure_ascii, sort_keys=self.sort_keys, separators=(",", ":")
        )


@dataclass(frozen=True)
class _Text:
    """One premise's feature cut where its varying values (icon, level, wishes) stand."""

    # The four pieces around the three values; None when the markers were not told apart.
    pieces: tuple[str, str, str, str] | None
    order: tuple[int, int, int]  # which value (index in _MARKERS) follows each of pieces[:3]
    point: tuple[Any, ...]  # the fields of _Point before wishes, to write it in full if need be


@dataclass(frozen=True)
class _View:
    """A view's premise texts, valid while the view reads exactly these rows."""

    rows: list[tuple[Any, ...]]
    texts: list[_Text]
    quiet: list[str]
    positions: dict[int, int]  # premise id → its index in rows


@dataclass(frozen=True)
class _Point:
    # What premise_feature reads of a demand.PremisePoint; wishes and icon may be markers.
    id: int
    lat: float
    lon: float
    address: str
    surface_m2: float | None
    status: str
    wishes: Any
    top_icon: Any


_KEPT: dict[tuple[JsonStyle, str], dict[tuple[Any, ...], _Text]] = {}
_VIEWS: dict[tuple[JsonStyle, str, BBox], _View] = {}
_STATEMENTS: dict[tuple[TextClause, str, str], tuple[str, tuple[str, ...] | None]] = {}
_LOCK = threading.Lock()


def premises_text(session: Session, bbox: BBox, style: JsonStyle | None = None) -> str:
    """Return the map's premise layer (vacant premises in view, counts, classes) as JSON text.

    With its final newline, as jsonify writes it.
    """
    style = style or JsonStyle()
    view: dict[str, Any] = {
        "status": PremiseStatus.VACANT.value,
        "south": bbox.south,
        "west": bbox.west,
        "north": bbox.north,
        "east": bbox.east,
    }
    rows = _driver_rows(session, _IN_VIEW, {**view, "limit": MAX_PREMISES + 1})
    truncated = len(rows) > MAX_PREMISES
    rows = rows[:MAX_PREMISES]
    texts = _view_texts(rows, style, view["status"], bbox)
    counts = _driver_rows(
        session,
        _COUNTS_BY_DIALECT[session.get_bind().dialect.name],
        # Only the premises shown: past the cut (ordered by id) a wide view would sum the
        # counts of thousands of premises it then drops (~190 ms for 5,488 at zoom 13).
        {
            **view,
            "last": rows[-1][0] if rows else 0,
            "codes": _CODES,
            "ranks": _RANKS,
            "fallback": _FALLBACK_AT,
        },
    )
    # (index in view, wishes, icon); a premise past the cut (MAX_PREMISES) is not shown.
    positions = texts.positions
    wished = [
        (positions[premise_id], int(total), _ICON_AT[int(top) % _RANKS])
        for premise_id, total, top in counts
        if premise_id in positions
    ]
    # The classes of the counts in view, as with_demand_classes() (wishmap/geo.py) gives them;
    # a level per distinct count (a few) rather than per premise.
    breaks = demand_breaks(total for _, total, _ in wished)
    levels = {total: demand_level(total, breaks) for total in {total for _, total, _ in wished}}
    # Without wishes a premise's text is the same from one answer to the next (kept per view);
    # demand_level() is 0 for a count of 0 whatever the classes.
    features = list(texts.quiet)
    for index, total, icon in wished:
        made = texts.texts[index]
        features[index] = _with_wishes(made, style, icon, levels[total], total)
    frame = premise_features([], truncated)
    frame["classes"] = demand_classes(breaks)
    frame["features"] = _FEATURES_MARKER
    head, _, tail = style.dumps(frame).partition(style.dumps(_FEATURES_MARKER))
    return f"{head}[{','.join(features)}]{tail}\n"


def _view_texts(rows: list[tuple[Any, ...]], style: JsonStyle, status: str, bbox: BBox) -> _View:
    """The texts of these rows: the view's last ones when it read the same rows."""
    last = _VIEWS.get((style, status, bbox))
    if last is not None and last.rows == rows:
        return last
    kept = _KEPT.get((style, status))
    if kept is None:
        with _LOCK:
            kept = _KEPT.setdefault((style, status), {})
    if len(kept) + len(rows) > MAX_KEPT:
        kept.clear()
    texts = []
    for row in rows:
        found = kept.get(row)
        if found is None:
            found = kept[row] = _make_text((*row, status), style)
        texts.append(found)
    quiet = [_with_wishes(text, style, None, 0, 0) for text in texts]
    made = _View(rows, texts, quiet, {row[0]: i for i, row in enumerate(rows)})
    if len(_VIEWS) >= MAX_VIEWS:
        _VIEWS.clear()
    _VIEWS[(style, status, bbox)] = made
    return made


def _feature(point: tuple[Any, ...], wishes: Any, icon: Any, level: Any) -> dict[str, Any]:
    feature = premise_feature(_Point(*point, wishes=wishes, top_icon=icon))
    # The level with_demand_classes (wishmap/geo.py) gives each feature.
    feature["properties"]["level"] = level
    return feature


def _make_text(point: tuple[Any, ...], style: JsonStyle) -> _Text:
    marked = style.dumps(_feature(point, _MARKERS[2], _MARKERS[0], _MARKERS[1]))
    found = []
    for index, marker in enumerate(_MARKERS):
        quoted = style.dumps(marker)
        if marked.count(quoted) != 1:
            return _Text(None, (0, 1, 2), point)
        found.append((marked.index(quoted), len(quoted), index))
    found.sort()
    (s0, n0, i0), (s1, n1, i1), (s2, n2, i2) = found
    pieces = (marked[:s0], marked[s0 + n0 : s1], marked[s1 + n1 : s2], marked[s2 + n2 :])
    return _Text(pieces, (i0, i1, i2), point)


def _with_wishes(made: _Text, style: JsonStyle, icon: str | None, level: int, wishes: int) -> str:
    """The feature's text with these values (without wishes: no icon, level 0, 0 wishes)."""
    if made.pieces is None:  # markers not told apart: write this one in full
        return style.dumps(_feature(made.point, wishes, icon, level))
    a, b, c, d = made.pieces
    i, j, k = made.order
    # An int's JSON is its decimal text.
    values = (_ICON_JSON[icon], str(level), str(wishes))
    return f"{a}{values[i]}{b}{values[j]}{c}{values[k]}{d}"


def _driver_rows(
    session: Session, statement: TextClause, params: dict[str, Any]
) -> list[tuple[Any, ...]]:
    """Run a fixed textual statement with the driver's own cursor, in the session's transaction.

    SQLAlchemy's result machinery cost about as much as reading the 400 rows themselves (0.5 of
    1.3 ms); the statement is compiled once per dialect. Not echoed by SQLALCHEMY_ECHO.
    """
    connection = session.connection()
    dialect = connection.dialect
    key = (statement, dialect.name, dialect.paramstyle)
    compiled = _STATEMENTS.get(key)
    if compiled is None:
        made = statement.compile(dialect=dialect)
        order = tuple(made.positiontup or ()) if made.positional else None
        compiled = _STATEMENTS[key] = (made.string, order)
    sql, order = compiled
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, params if order is None else tuple(params[name] for name in order))
        # Plain tuples whatever the driver's rows: they are the keys of the kept texts.
        return list(map(tuple, cursor.fetchall()))
    finally:
        cursor.close()
