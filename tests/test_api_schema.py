"""Schemathesis over the whole API schema: generated requests (valid and invalid), through the WSGI app,
checked for no server error, documented status codes, documented content types and response bodies that
match their schema. The schema is read from drf-spectacular, so every endpoint added later is covered
without touching this test. Bounded: a fixed number of examples per operation and a fixed seed
(derandomized), so a run is repeatable and takes well under a minute."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

EXAMPLES_PER_OPERATION = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _schema() -> dict[str, Any]:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    loaded: dict[str, Any] = json.loads(OpenApiJsonRenderer().render(generated))
    return loaded


schema = schemathesis.openapi.from_dict(_schema())
schema.app = application


@pytest.fixture(autouse=True)
def _keep_the_test_transaction() -> Iterator[None]:
    """Requests go through the WSGI handler, which closes database connections at the end of a request
    (`close_old_connections`), and with them the test's transaction; Django's own test client switches
    that off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(stocked_world: Any) -> str:
    """The admin's token, in a world with stock, a source document, a posted pick and an open one, so
    that lists and details answer real rows (and their schema is checked against them)."""
    from rest_framework.authtoken.models import Token

    from tests.world import document, pick_from, ship

    world = stocked_world
    ship(world, pick_from(world, document(world, (world.plain, 2), no="SO-SCHEMA-1")))
    pick_from(world, document(world, (world.lot_spec, 1), no="SO-SCHEMA-2"))
    return Token.objects.get_or_create(user=world.admin)[0].key


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_every_operation_answers_as_its_schema_says(case: Any, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
