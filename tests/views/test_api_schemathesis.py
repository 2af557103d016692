"""schemathesis against the OpenAPI document of a running Wishmap with the demo district.

A live server on 127.0.0.1 serves the demo (`flask demo --seed 42`) from each database the suite
runs on; schemathesis reads /api/v1/openapi.json from it and sends generated requests to every
operation (with the demo officer's API token, so the officers' endpoint answers too). Every
answer must be no server error, a documented status and content type, and match its schema.
Bounded: MAX_EXAMPLES per operation. The number of requests per database is printed and kept
in test-artifacts/schemathesis-<database>.json.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select, text
from testdb import BACKENDS, POSTGRES_URL
from web import serving

from wishmap import create_app, db
from wishmap.db import Base, make_engine
from wishmap.models import Role, User
from wishmap.services.api_tokens import create_token
from wishmap.services.demo import load_demo

MAX_EXAMPLES = 25
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _admin(statement: str) -> None:
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(statement))
    finally:
        admin.dispose()


def _engine(backend: str, folder: Path) -> tuple[Any, str | None]:
    if backend == "sqlite":
        return make_engine(f"sqlite:///{folder / 'api.sqlite'}"), None
    schema = f"wm_api_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE SCHEMA "{schema}"')
    return make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"}), schema


@pytest.fixture(scope="module", params=BACKENDS)
def live_api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """Serve the demo district from a fresh database; yield its URL, token and run record."""
    backend = request.param
    folder = tmp_path_factory.mktemp(f"api-{backend}")
    engine, schema = _engine(backend, folder)
    app = create_app(
        {
            "ENGINE": engine,
            "DATABASE_URL": str(engine.url),
            "SECRET_KEY": "schemathesis",
            "TILE_URL": "",
            "LOG_LEVEL": "ERROR",
            # Every generated request comes from 127.0.0.1 with one token.
            "API_RATE_LIMIT": "100000 per minute",
            "API_TOKEN_RATE_LIMIT": "100000 per minute",
        }
    )
    app.instance_path = str(folder)
    started = time.monotonic()
    with app.app_context():
        Base.metadata.create_all(db.engine())
        load_demo(db.session(), seed=42)
        officer = db.session().scalar(select(User).where(User.role == Role.OFFICER.value))
        assert officer is not None
        secret = create_token(db.session(), officer, "schemathesis").secret
        db.close_session()
    run: dict[str, Any] = {"database": backend, "requests": 0, "failures": []}
    run["load_seconds"] = round(time.monotonic() - started, 1)
    with serving(app) as url:
        yield {"url": url, "token": secret, "run": run}
    engine.dispose()
    if schema:
        _admin(f'DROP SCHEMA "{schema}" CASCADE')


def _run_operation(operation: Any, live_api: dict[str, Any]) -> None:
    """Send MAX_EXAMPLES generated requests to one operation; raise on the first failure."""
    run = live_api["run"]
    headers = {"Authorization": f"Bearer {live_api['token']}"}

    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def generated(case: Any) -> None:
        run["requests"] += 1
        case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)

    generated()


def test_schemathesis_finds_no_server_error_nor_schema_violation(live_api: dict[str, Any]) -> None:
    run = live_api["run"]
    started = time.monotonic()
    api = schemathesis.openapi.from_url(f"{live_api['url']}/api/v1/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    failures = []
    for operation in operations:
        try:
            _run_operation(operation, live_api)
        except Exception as failure:  # every operation runs; all failures are reported
            failures.append(f"{operation.label}: {failure}")
    run["seconds"] = round(time.monotonic() - started, 1)
    run["operations"] = len(operations)
    run["failures"] = failures
    ARTIFACTS.mkdir(exist_ok=True)
    report = ARTIFACTS / f"schemathesis-{run['database']}.json"
    report.write_text(json.dumps(run, indent=2))
    print(
        f"\nschemathesis on {run['database']}: {run['requests']} generated requests to "
        f"{len(operations)} operations in {run['seconds']} s, {len(failures)} failures"
    )
    assert not failures, "\n\n".join(failures)
    # Every operation was reached, each with several generated requests.
    assert len(operations) >= 9 and run["requests"] >= 3 * len(operations)
