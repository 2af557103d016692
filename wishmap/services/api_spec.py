"""The open API's premises, shop types, vacancy and demand endpoints: their parameters (read
by the handlers) and their part of the OpenAPI document (written from the same lists)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apispec import APISpec

from wishmap.services.api_data import LANGUAGES, STATUSES
from wishmap.services.api_demand import MAX_LEVEL
from wishmap.services.api_params import Param, bbox_param, limit_params
from wishmap.taxonomy import GROUPS

# Codes are lower-case words; the pattern keeps odd bytes out before any query is made.
CODE = {"type": "string", "pattern": "^[a-z0-9_]{1,40}$"}
ID = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
STATUS = Param("status", {"type": "string", "enum": STATUSES}, "Premise status.")
STREET = Param("street", ID, "Street id.")
TYPE = Param("type", CODE, "Shop-type code, e.g. bakery.")
GROUP = Param("group", {"type": "string", "enum": sorted(GROUPS)}, "Shop-type group code.")
SINCE = Param("since", {"type": "string", "format": "date"}, "First day counted (YYYY-MM-DD).")
UNTIL = Param("until", {"type": "string", "format": "date"}, "Last day counted (YYYY-MM-DD).")


@dataclass(frozen=True)
class Endpoint:
    """One GET endpoint: path, parameters, answer schema, and whether officers alone may call."""

    path: str
    summary: str
    params: list[Param]
    schema: str
    officer: bool = False
    media_type: str = "application/json"


PREMISES = Endpoint(
    "/premises",
    "Premises as an RFC 7946 FeatureCollection (a page of them).",
    [STATUS, bbox_param(), STREET, *limit_params()],
    "PremiseCollection",
    media_type="application/geo+json",
)
SHOP_TYPES = Endpoint(
    "/shop-types",
    "Shop types with their labels in the language asked.",
    [
        Param("lang", {"type": "string", "enum": LANGUAGES}, "Label language (default: asked)."),
        GROUP,
        *limit_params(),
    ],
    "ShopTypePage",
)
VACANCIES = Endpoint(
    "/vacancies",
    "Officers: premises with rent, vacancy dates and days vacant.",
    [STATUS, STREET, *limit_params()],
    "VacancyPage",
    officer=True,
)
PREMISE_DEMAND = Endpoint(
    "/demand/premises",
    "Distinct residents per premise and shop type, protected.",
    [Param("premise", ID, "Premise id."), STATUS, STREET, TYPE, bbox_param(), *limit_params()],
    "DemandPage",
)
CELL_DEMAND = Endpoint(
    "/demand/cells",
    "Distinct residents per grid cell (base × 2^level metres) in a bbox, protected (GeoJSON).",
    [
        bbox_param(required=True),
        Param(
            "level",
            {"type": "integer", "minimum": 0, "maximum": MAX_LEVEL, "default": 0},
            "Cell level: cells of WISHMAP_DEMAND_CELL_M × 2^level metres.",
        ),
        TYPE,
        GROUP,
        *limit_params(),
    ],
    "CellCollection",
    media_type="application/geo+json",
)
STREET_DEMAND = Endpoint(
    "/demand/streets",
    "Active wishes and distinct residents per street, protected.",
    [TYPE, GROUP, SINCE, UNTIL, Param("district", ID, "District id."), *limit_params()],
    "AreaPage",
)
DISTRICT_DEMAND = Endpoint(
    "/demand/districts",
    "Active wishes and distinct residents per district, protected.",
    [
        Param("level", {"type": "string", "pattern": "^[A-Za-z0-9_ -]{1,40}$"}, "District level."),
        TYPE,
        GROUP,
        SINCE,
        UNTIL,
        STREET,
        *limit_params(),
    ],
    "AreaPage",
)
ENDPOINTS = [
    PREMISES,
    SHOP_TYPES,
    VACANCIES,
    PREMISE_DEMAND,
    CELL_DEMAND,
    STREET_DEMAND,
    DISTRICT_DEMAND,
]


def _nullable(kind: str) -> dict[str, Any]:
    return {"type": [kind, "null"]}


PAGE = {
    "total": {"type": "integer", "minimum": 0},
    "limit": {"type": "integer"},
    "offset": {"type": "integer"},
    "next_offset": _nullable("integer"),
}
FIGURES = {
    "wishes": {"type": ["integer", "null"], "minimum": 0},
    "residents": {"type": ["integer", "null"], "minimum": 0},
    "suppressed": {"type": "boolean"},
}
PROTECTION = {"$ref": "#/components/schemas/Protection"}


def _page(items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "total", "limit", "offset"],
        "properties": {"items": {"type": "array", "items": items}, **PAGE, **extra},
    }


def _collection(geometry: str, properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["type", "features", "total", "limit", "offset"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["type", "geometry", "properties"],
                    "properties": {
                        "type": {"const": "Feature"},
                        "id": {"type": ["integer", "string"]},
                        "geometry": {
                            "type": "object",
                            "required": ["type", "coordinates"],
                            "properties": {"type": {"const": geometry}},
                        },
                        "properties": {"type": "object", "properties": properties},
                    },
                },
            },
            **PAGE,
            **extra,
        },
    }


def schemas() -> dict[str, dict[str, Any]]:
    """Return the answer schemas of these endpoints by name."""
    return {
        "PremiseCollection": _collection(
            "Point",
            {
                "ref": {"type": "string"},
                "address": {"type": "string"},
                "street_id": _nullable("integer"),
                "street": {"type": "string"},
                "status": {"type": "string", "enum": STATUSES},
                "surface_m2": _nullable("number"),
            },
        ),
        "ShopTypePage": _page(
            {
                "type": "object",
                "required": ["code", "label", "group"],
                "properties": {
                    "code": {"type": "string"},
                    "label": {"type": "string"},
                    "group": {"type": "string"},
                    "group_label": {"type": "string"},
                    "icon": {"type": "string"},
                },
            },
            language={"type": "string", "enum": LANGUAGES},
        ),
        "VacancyPage": _page(
            {
                "type": "object",
                "required": ["id", "ref", "status"],
                "properties": {
                    "id": {"type": "integer"},
                    "ref": {"type": "string"},
                    "address": {"type": "string"},
                    "street_id": _nullable("integer"),
                    "status": {"type": "string", "enum": STATUSES},
                    "surface_m2": _nullable("number"),
                    "rent_eur_month": _nullable("integer"),
                    "vacant_since": {"type": ["string", "null"], "format": "date"},
                    "days_vacant": _nullable("integer"),
                    "let_on": {"type": ["string", "null"], "format": "date"},
                    "opened_on": {"type": ["string", "null"], "format": "date"},
                    "opened_type": _nullable("string"),
                },
            }
        ),
        "DemandPage": _page(
            {
                "type": "object",
                "required": ["premise_id", "type", *FIGURES],
                "properties": {
                    "premise_id": {"type": "integer"},
                    "type": {"type": "string"},
                    "label": {"type": "string"},
                    **FIGURES,
                },
            },
            protection=PROTECTION,
        ),
        "CellCollection": _collection(
            "Polygon",
            {
                "level": {"type": "integer"},
                "row": {"type": "integer"},
                "col": {"type": "integer"},
                "size_m": {"type": "number"},
                **FIGURES,
            },
            protection=PROTECTION,
        ),
        "AreaPage": _page(
            {
                "type": "object",
                "required": ["id", "name", *FIGURES],
                "properties": {
                    "id": _nullable("integer"),
                    "ref": _nullable("string"),
                    "name": {"type": "string"},
                    **FIGURES,
                },
            },
            protection=PROTECTION,
            level=_nullable("string"),
        ),
    }


def add_paths(spec: APISpec, responses: dict[str, Any]) -> None:
    """Add these endpoints, their schemas and the bearer-token scheme to spec.

    responses names the shared error answers ("400", "401", "403", "429").
    """
    spec.components.security_scheme(
        "bearerToken",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token made on an officer's account page.",
        },
    )
    for name, schema in schemas().items():
        spec.components.schema(name, schema)
    for endpoint in ENDPOINTS:
        answers = {
            "200": {
                "description": "OK",
                "content": {
                    endpoint.media_type: {
                        "schema": {"$ref": f"#/components/schemas/{endpoint.schema}"}
                    }
                },
            },
            "400": responses["400"],
            "401": responses["401"],
            "429": responses["429"],
        }
        operation: dict[str, Any] = {
            "operationId": endpoint.path.strip("/").replace("/", "_").replace("-", "_"),
            "summary": endpoint.summary,
            "parameters": [param.openapi() for param in endpoint.params],
            "responses": answers,
        }
        if endpoint.officer:
            answers["403"] = responses["403"]
            operation["security"] = [{"bearerToken": []}]
        spec.path(path=endpoint.path, operations={"get": operation})
