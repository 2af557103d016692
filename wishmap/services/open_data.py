"""The open API's documents: published statistics and key figures as JSON, and their OpenAPI.

Everything here is already protected by the statistics service (floor of residents and
cell-key noise, services/disclosure.py): the API publishes exactly what the officers' pages and
exports publish, so it can be public. The OpenAPI 3.1 document is built with apispec from the
same parameter list the handlers check, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apispec import APISpec
from flask_babel import gettext as _

from wishmap.services import api_spec, exports
from wishmap.services import statistics as stats
from wishmap.services.dashboard import Dashboard, Figures
from wishmap.taxonomy import BY_CODE, GROUPS

MAX_PER_PAGE = 500
DEFAULT_PER_PAGE = 100
# name → (JSON Schema, description): the statistics endpoint's query parameters.
STATISTICS_PARAMETERS: dict[str, tuple[dict[str, Any], str]] = {
    "by": ({"type": "string", "enum": list(stats.DIMENSIONS)}, "First grouping (street)."),
    "then": ({"type": "string", "enum": list(stats.DIMENSIONS)}, "Optional second grouping."),
    "level": (
        {"type": "string", "pattern": "^[A-Za-z0-9_ -]{1,40}$"},
        "District level when grouping by district.",
    ),
    "since": ({"type": "string", "format": "date"}, "First day counted (YYYY-MM-DD)."),
    "until": ({"type": "string", "format": "date"}, "Last day counted, whole (YYYY-MM-DD)."),
    "type": ({"type": "string", "enum": sorted(BY_CODE)}, "Shop-type code, e.g. bakery."),
    "group": ({"type": "string", "enum": sorted(GROUPS)}, "Shop-type group code, e.g. food."),
    "district": ({"type": "integer", "minimum": 0}, "District id."),
    "street": ({"type": "integer", "minimum": 0}, "Street id."),
    "page": ({"type": "integer", "minimum": 1, "default": 1}, "Page of rows, from 1."),
    "per_page": (
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
        "Rows per page.",
    ),
}


def _positive(args: Mapping[str, str], name: str, default: int, largest: int) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= largest:
        raise stats.StatisticsError(
            _("%(name)s must be a whole number from 1 to %(max)s.", name=name, max=largest)
        )
    return int(raw)


def parse_statistics_args(args: Mapping[str, str]) -> tuple[stats.StatsQuery, int, int]:
    """Return the query, page and page size named by the parameters; raise on any bad one."""
    unknown = sorted(set(args) - set(STATISTICS_PARAMETERS))
    if unknown:
        raise stats.StatisticsError(
            _("Unknown parameter: %(names)s.", names=", ".join(unknown[:5]))
        )
    page = _positive(args, "page", 1, 10**6)
    per_page = _positive(args, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    return stats.parse_query(args), page, per_page


def protection(min_residents: int, max_noise: int) -> dict[str, Any]:
    """Return how the figures are protected, as the API states it in every answer."""
    return {
        "method": "cell key",
        "min_residents": min_residents,
        "max_noise": max_noise,
        "suppressed_counts": None,
    }


def statistics_document(table: stats.StatsTable, page: int, per_page: int) -> dict[str, Any]:
    """Return one page of a statistics table as JSON: its rows with codes, labels and counts."""
    records = exports.records(table)
    start = (page - 1) * per_page
    return {
        "query": table.query.args(),
        "level": table.level,
        "protection": protection(table.min_residents, table.max_noise),
        "generated_at": table.generated_at.isoformat(timespec="seconds"),
        "page": page,
        "per_page": per_page,
        "total": len(records),
        "rows": records[start : start + per_page],
    }


def _figures(figures: Figures) -> dict[str, Any]:
    return {
        "premises": figures.premises,
        "vacant": figures.vacant,
        "vacancy_rate": None if figures.vacancy_rate is None else round(figures.vacancy_rate, 4),
        "median_days_vacant": figures.median_days_vacant,
        "let": figures.let,
        "came_true": figures.came_true,
        "wishes_this_month": figures.wishes_this_month,
        "wishes_last_month": figures.wishes_last_month,
        "trend": figures.trend,
    }


def dashboard_document(board: Dashboard) -> dict[str, Any]:
    """Return the key figures as JSON: city, districts, residents per month, unmet demand."""
    return {
        "protection": protection(board.min_residents, board.max_noise),
        "generated_at": board.generated_at.isoformat(timespec="seconds"),
        "this_month": board.this_month,
        "last_month": board.last_month,
        "city": _figures(board.city),
        "district_level": board.level,
        "districts": [
            {"id": district.id, "ref": district.ref, "name": district.name, **_figures(f)}
            for district, f in board.districts
        ],
        "residents_per_month": [{"month": m, "residents": v} for m, v in board.months],
        "unmet_demand": [
            {
                "type": u.code,
                "label": u.label,
                "residents": u.residents,
                "vacant_premises": u.premises,
            }
            for u in board.unmet
        ],
    }


def _count() -> dict[str, Any]:
    return {"type": ["integer", "null"], "minimum": 0}


def openapi(server_url: str) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of the open API, built with apispec."""
    spec = APISpec(
        title="Wishmap open data",
        version="1",
        openapi_version="3.1.0",
        info={
            "description": (
                "Published, protected aggregates of residents' wishes for shops: counts of "
                "fewer than min_residents distinct residents are null (suppressed), every "
                "other count carries a fixed cell-key noise of at most max_noise."
            )
        },
        servers=[{"url": server_url}],
    )
    spec.components.schema(
        "Error",
        {
            "type": "object",
            "required": ["error", "detail"],
            "properties": {
                "error": {"type": "string", "description": "A stable code: bad_parameter, …"},
                "detail": {"type": "string", "description": "The reason, in the asked language."},
                "parameter": {"type": "string", "description": "The parameter at fault."},
            },
        },
    )
    spec.components.schema(
        "Protection",
        {
            "type": "object",
            "properties": {
                "method": {"type": "string"},
                "min_residents": {"type": "integer"},
                "max_noise": {"type": "integer"},
                "suppressed_counts": {"type": "null"},
            },
        },
    )
    figures = {
        "premises": {"type": "integer"},
        "vacant": {"type": "integer"},
        "vacancy_rate": {"type": ["number", "null"]},
        "median_days_vacant": {"type": ["number", "null"]},
        "let": {"type": "integer"},
        "came_true": {"type": "integer"},
        "wishes_this_month": _count(),
        "wishes_last_month": _count(),
        "trend": {"type": ["integer", "null"]},
    }
    spec.components.schema("Figures", {"type": "object", "properties": figures})
    spec.components.schema(
        "StatisticsPage",
        {
            "type": "object",
            "required": ["rows", "total", "page", "per_page", "protection"],
            "properties": {
                "query": {"type": "object", "additionalProperties": {"type": "string"}},
                "level": {"type": ["string", "null"]},
                "protection": {"$ref": "#/components/schemas/Protection"},
                "generated_at": {"type": "string"},
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "total": {"type": "integer"},
                "rows": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["wishes", "residents", "suppressed"],
                        "properties": {
                            "wishes": _count(),
                            "residents": _count(),
                            "suppressed": {"type": "boolean"},
                        },
                        "additionalProperties": {"type": ["string", "integer", "null"]},
                    },
                },
            },
        },
    )
    spec.components.schema(
        "Dashboard",
        {
            "type": "object",
            "properties": {
                "protection": {"$ref": "#/components/schemas/Protection"},
                "generated_at": {"type": "string"},
                "this_month": {"type": "string"},
                "last_month": {"type": "string"},
                "city": {"$ref": "#/components/schemas/Figures"},
                "district_level": {"type": ["string", "null"]},
                "districts": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "integer"},
                            "ref": {"type": "string"},
                            "name": {"type": "string"},
                            **figures,
                        },
                    },
                },
                "residents_per_month": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"month": {"type": "string"}, "residents": _count()},
                    },
                },
                "unmet_demand": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "type": {"type": "string"},
                            "label": {"type": "string"},
                            "residents": _count(),
                            "vacant_premises": {"type": "integer"},
                        },
                    },
                },
            },
        },
    )
    error = {
        "description": "A bad parameter, with the reason.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    limited = {
        "description": "Too many requests from this address (or with this token).",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    unauthorized = {
        "description": "No officer's session or token, or a token unknown or revoked.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    forbidden = {
        "description": "The account is not an officer's or an admin's.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }

    def ok(schema: str) -> dict[str, Any]:
        return {
            "description": "OK",
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        }

    spec.path(
        path="/statistics",
        operations={
            "get": {
                "operationId": "statistics",
                "summary": "Active wishes and distinct residents, grouped and filtered.",
                "parameters": [
                    {"name": name, "in": "query", "schema": schema, "description": text}
                    for name, (schema, text) in STATISTICS_PARAMETERS.items()
                ],
                "responses": {
                    "200": ok("StatisticsPage"),
                    "400": error,
                    "401": unauthorized,
                    "429": limited,
                },
            }
        },
    )
    spec.path(
        path="/dashboard",
        operations={
            "get": {
                "operationId": "dashboard",
                "summary": "Key figures for the city and per district.",
                "responses": {
                    "200": ok("Dashboard"),
                    "400": error,
                    "401": unauthorized,
                    "429": limited,
                },
            }
        },
    )
    shared = {"400": error, "401": unauthorized, "403": forbidden, "429": limited}
    api_spec.add_paths(spec, shared)
    return spec.to_dict()
