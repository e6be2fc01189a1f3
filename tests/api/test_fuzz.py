"""Schemathesis over every operation of the OpenAPI schema, as the integration, a merchant and staff.

Fails on any 5xx and on any response that the schema does not describe (status, content type, body).
The number of examples per operation is bounded (FUZZ_EXAMPLES, default 8) so that CI stays short
(about two minutes on 2 cores); FUZZ_COVERAGE=1 adds schemathesis's boundary-value cases.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from core import roles
from tests.factories import MembershipFactory, MerchantFactory, UserFactory

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
# Any 5xx, a status the operation does not document, a content type or body that is not the documented
# one. (Not "a schema-valid request was refused": several operations have cross-field rules.)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))


@pytest.fixture
def _wsgi_keeps_the_test_connection():
    """The WSGI handler closes the database connection after each request; the test transaction needs it."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_tokens(db, _wsgi_keeps_the_test_connection):
    merchant = MerchantFactory(shop_code="F0000001")
    owner = MembershipFactory(merchant=merchant, user=UserFactory(username="fuzz_owner")).user
    staff = UserFactory(
        username="fuzz_staff", roles=[roles.STAFF_REVIEWER, roles.STAFF_ADJUDICATOR, roles.STAFF_OPS]
    )
    integration = UserFactory(username="fuzz_upstream", roles=[roles.INTEGRATION])
    return [Token.objects.create(user=u).key for u in (integration, owner, staff)]


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # Schemathesis's coverage cases (boundary values of every parameter) run as explicit examples: about
    # 5 minutes more on 2 cores, so only with FUZZ_COVERAGE=1 (run them before a release).
    phases=[Phase.explicit, Phase.generate] if os.environ.get("FUZZ_COVERAGE") else [Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation(case, fuzz_tokens):
    for key in fuzz_tokens:
        response = case.call(headers={"Authorization": f"Token {key}"})
        case.validate_response(response, checks=CHECKS)
