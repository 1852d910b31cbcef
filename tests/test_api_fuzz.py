"""Schemathesis over the published OpenAPI schema: whatever it sends, no 5xx, no status the
schema does not declare, every response matches the schema, and no invalid input is
accepted. Orders exist in early states, so transitions meet real orders (the schema's
example number) as well as missing ones.

CI runs a few dozen cases per operation; `make fuzz` runs KEFU_FUZZ_EXAMPLES (1,000) per
operation on SQLite and PostgreSQL (long: see README, Tests).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config._checks import NegativeDataRejectionConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from kefu.accounts.models import User
from kefu.accounts.services import create_token, create_user
from kefu.customers.models import Customer
from kefu.demo.data import create_departments
from kefu.tickets import services
from kefu.wsgi import application
from tests.conftest import bj
from tests.flows import intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_schema(db: None) -> Iterator[Any]:
    # Like Django's test client: the WSGI handler must not close the test's connection
    # at the end of each request, or the test transaction is gone.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        loaded = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
        # A body too large (413) or an address too long (414) is rejected input too.
        loaded.config.checks.negative_data_rejection = NegativeDataRejectionConfig(
            expected_statuses=[400, 401, 403, 404, 405, 406, 409, 413, 414, 415, 422, 428, 429]
        )
        yield loaded
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


def _world(role: str) -> User:
    """Set up once per test database; schemathesis may ask for the fixture per operation.
    Returns the user of `role` the cases are sent as."""
    found = User.objects.filter(username=f"fuzz-{role}").first()
    if found is not None:
        return found
    if User.objects.filter(username="fuzz-leader").exists():
        return create_user(username=f"fuzz-{role}", password=None, role=role)
    create_departments()
    agent = create_user(username="fuzz-agent", password=None, role="agent", department_code="KFB")
    leader = create_user(
        username="fuzz-leader", password=None, role="shift_leader", department_code="KFB"
    )
    customer = Customer.objects.create(
        account_number="5100000001",
        name="王伟",
        phone="13900000001",
        address="城关街道1号",
        district="城关街道",
        area_class="urban",
        substation="110kV城关变电站",
        feeder="10kV城关一回线",
        transformer="城关1-1号台区",
        category="resident",
    )
    first = services.accept_order(
        actor=agent, intake=intake("repair", customer), accepted_at=bj("2026-03-10 09:00")
    )
    assert first.number == "2026031000001"
    services.accept_order(
        actor=agent,
        intake=intake("complaint", customer, topic="billing"),
        accepted_at=bj("2026-03-10 09:01"),
        dispatch_to="YXB",
    )
    return leader if role == "shift_leader" else _world(role)


def _token(role: str) -> str:
    _, secret = create_token(user=_world(role), name="fuzz")
    return secret


#: The token each role's test sends, made by its fixture before the cases are drawn.
TOKENS: dict[str, str] = {}


@pytest.fixture
def leader_token(db: None) -> str:
    """The shift leader reads and does the most."""
    TOKENS["shift_leader"] = _token("shift_leader")
    return TOKENS["shift_leader"]


@pytest.fixture
def integration_token(db: None) -> str:
    """An integration is the one on the wire from outside."""
    TOKENS["integration"] = _token("integration")
    return TOKENS["integration"]


class _RoleToken:
    """The token as schemathesis's own auth. A header set over the generated case left
    schemathesis believing it had sent the broken credentials it drew: a negative case
    whose only other change serialises to valid text (`department=false`) was reported as
    invalid input accepted. Now a case carries the token unless schemathesis breaks the
    credentials on purpose (and then expects the 401 it gets)."""

    role = ""

    def get(self, case: Any, context: Any) -> str:
        return TOKENS[self.role]

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


class _LeaderToken(_RoleToken):
    role = "shift_leader"


class _IntegrationToken(_RoleToken):
    role = "integration"


EXAMPLES = int(os.environ.get("KEFU_FUZZ_EXAMPLES", "40"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@schema.auth.apply(_LeaderToken, refresh_interval=None)
@FUZZ
def test_no_input_makes_the_api_fail_as_a_shift_leader(case: Any, leader_token: str) -> None:
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@schema.auth.apply(_IntegrationToken, refresh_interval=None)
@FUZZ
def test_no_input_makes_the_api_fail_as_an_integration(case: Any, integration_token: str) -> None:
    case.call_and_validate(checks=CHECKS)
