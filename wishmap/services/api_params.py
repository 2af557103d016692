"""The open API's query parameters: one declaration each, read by the handlers and the OpenAPI.

Every endpoint lists its parameters once (name, JSON Schema, description); parse() checks a
request against that list and the OpenAPI document is written from it, so the two cannot drift
apart. Any bad value raises ApiParamError with the parameter's name and the reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask_babel import gettext as _

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
MAX_OFFSET = 10**6
# "minlon,minlat,maxlon,maxlat" (RFC 7946 §5): four decimal numbers, checked in range below.
_NUMBER = r"-?[0-9]+(\.[0-9]+)?"
BBOX_PATTERN = rf"^{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}$"


class MultiArgs(Protocol):
    """The part of werkzeug's MultiDict that parse() reads."""

    def getlist(self, key: str) -> list[str]: ...

    def keys(self) -> Any: ...


class ApiParamError(ValueError):
    """A query parameter was unknown or bad; .parameter names it ("" when the reason alone
    says which), the message says why."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class Param:
    """One query parameter: its JSON Schema (type, bounds, enum, pattern) and description."""

    name: str
    schema: dict[str, Any]
    description: str
    required: bool = False

    def openapi(self) -> dict[str, Any]:
        """Return the parameter as an OpenAPI Parameter Object."""
        return {
            "name": self.name,
            "in": "query",
            "required": self.required,
            "schema": self.schema,
            "description": self.description,
        }


@dataclass(frozen=True)
class BBox:
    """A bounding box in degrees (RFC 7946 order: west, south, east, north)."""

    west: float
    south: float
    east: float
    north: float


@dataclass
class Parsed:
    """The values of a request's parameters, defaults filled in."""

    values: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.values.get(name)


def limit_params() -> list[Param]:
    """Return the pagination parameters every list endpoint takes."""
    return [
        Param(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            "Items per page.",
        ),
        Param(
            "offset",
            {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
            "Items skipped before this page.",
        ),
    ]


def bbox_param(required: bool = False) -> Param:
    """Return the bbox parameter: minlon,minlat,maxlon,maxlat in degrees."""
    return Param(
        "bbox",
        {"type": "string", "pattern": BBOX_PATTERN, "maxLength": 100},
        "minlon,minlat,maxlon,maxlat in degrees (WGS 84).",
        required,
    )


def _integer(param: Param, raw: str) -> int:
    schema = param.schema
    low, high = schema.get("minimum", 0), schema.get("maximum", 2**31 - 1)
    text = raw.strip()
    if not text.lstrip("-").isdigit() or len(text) > 12 or not low <= int(text) <= high:
        raise ApiParamError(
            param.name,
            _(
                "%(name)s must be a whole number from %(low)s to %(high)s.",
                name=param.name,
                low=low,
                high=high,
            ),
        )
    return int(text)


def parse_bbox(name: str, raw: str) -> BBox:
    """Return the bbox "minlon,minlat,maxlon,maxlat", or raise saying what is wrong."""
    parts = raw.split(",")
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        raise ApiParamError(
            name, _("bbox must be four numbers: minlon,minlat,maxlon,maxlat.")
        ) from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise ApiParamError(name, _("bbox must be four finite numbers."))
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise ApiParamError(name, _("bbox longitudes must lie from -180 to 180."))
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        raise ApiParamError(name, _("bbox latitudes must lie from -90 to 90."))
    if west > east or south > north:
        raise ApiParamError(name, _("bbox must be minlon,minlat,maxlon,maxlat (min ≤ max)."))
    return BBox(west, south, east, north)


def _value(param: Param, raw: str) -> Any:
    schema = param.schema
    kind = schema.get("type")
    if kind == "integer":
        return _integer(param, raw)
    if "enum" in schema and raw not in schema["enum"]:
        raise ApiParamError(
            param.name,
            _(
                "%(name)s must be one of: %(choices)s.",
                name=param.name,
                choices=", ".join(str(c) for c in schema["enum"]),
            ),
        )
    if len(raw) > schema.get("maxLength", 200):
        raise ApiParamError(param.name, _("%(name)s is too long.", name=param.name))
    if param.name == "bbox":
        return parse_bbox(param.name, raw)
    return raw


def parse(args: MultiArgs, params: Sequence[Param]) -> Parsed:
    """Return the values of args for params (defaults filled in); raise on any bad one."""
    known = {param.name: param for param in params}
    unknown = sorted(set(args.keys()) - set(known))
    if unknown:
        raise ApiParamError(
            unknown[0], _("Unknown parameter: %(names)s.", names=", ".join(unknown[:5]))
        )
    parsed = Parsed()
    for name, param in known.items():
        given = args.getlist(name)
        if len(given) > 1:
            raise ApiParamError(name, _("%(name)s is given more than once.", name=name))
        if not given or given[0] == "":
            if param.required:
                raise ApiParamError(name, _("%(name)s is required.", name=name))
            parsed.values[name] = param.schema.get("default")
            continue
        parsed.values[name] = _value(param, given[0])
    return parsed


def page_links(total: int, limit: int, offset: int) -> dict[str, int | None]:
    """Return the pagination members of a page: total, limit, offset and the next offset."""
    following = offset + limit
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "next_offset": following if following < total else None,
    }
