"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis).

Every operation of /api/schema/ gets generated requests, valid and invalid, sent through the
WSGI application as an administrator's service account. Every response must be no 5xx, have a
status the schema documents, and match the schema's body and content type. Ids are steered
half of the time to rows that exist (and versions to the current one), so moves really run on
cases in every state instead of all answering 404.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cases.models import Case, Status
from config.wsgi import application
from people.apikeys import create_api_key
from people.models import Role, RoleAssignment

pytestmark = pytest.mark.slow  # hundreds of generated requests: `make test` runs them, `pytest` not

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# The committed schema, which test_schema.py proves equal to the one the code generates (a lazy
# schema from the running app, ``schemathesis.pytest.from_fixture``, does not work on pytest 9).
schema = schemathesis.openapi.from_path(Path(__file__).parent.parent / "openapi.yaml")
schema.app = application


@pytest.fixture
def wsgi_in_test_transaction():
    """Calling the WSGI application directly fires request_finished, whose handler would close
    the test's database connection (and its transaction); Django's test client unhooks it too."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(world, wsgi_in_test_transaction) -> dict[str, Any]:
    """The test world with a case in every state and an admin service account's key."""
    key, raw = create_api_key("fuzz")
    RoleAssignment.objects.create(user=key.user, role=Role.ADMIN)
    cases = [world.in_status(status) for status in Status.values]
    cases.append(world.in_status(Status.IN_PROGRESS, "dispute"))
    return {
        "token": raw,
        "ids": {
            "cases": itertools.cycle([c.pk for c in cases]),
            "regions": itertools.cycle([world.grid.pk, world.town.pk]),
            "organisations": itertools.cycle([world.dept.pk, world.enterprise.pk]),
            "enterprises": itertools.cycle([world.enterprise.pk]),
            "people": itertools.cycle([world.handler.person_id]),
        },
    }


def steer(case: Any, world: dict[str, Any]) -> None:
    """Point every other generated id at a real row, and its version at the current one."""
    value = (case.path_parameters or {}).get("id")
    collection = case.path.split("/")[3]
    pool = world["ids"].get(collection)
    if pool is None or not isinstance(value, int) or value % 2:
        return
    case.path_parameters["id"] = next(pool)
    if collection == "cases" and isinstance(case.body, dict) and "version" in case.body:
        current = Case.objects.filter(pk=case.path_parameters["id"]).values_list(
            "version", flat=True
        )
        case.body["version"] = current.first()


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_schema_and_never_fails(case, fuzz_world):
    steer(case, fuzz_world)
    case.call_and_validate(headers={"Authorization": f"Token {fuzz_world['token']}"}, checks=CHECKS)
