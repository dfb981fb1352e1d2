"""Schemathesis over every GET operation of /api/schema/, in process against the WSGI
app: no server error, and every response matches the schema (status, content type,
body). Writes are covered by the generic resource tests."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from sanctionsdb.wsgi import application
from tests.api.conftest import fill_empty_fields
from tests.factories import one_of_each

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application).include(method="GET")

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def keep_test_connection():
    """The real WSGI handler closes the database connection around each request, which
    would end the test's transaction on PostgreSQL; Django's test client stops it the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def published_data(db, keep_test_connection):
    for record in one_of_each().values():
        fill_empty_fields(record)
        if hasattr(record, "review_status"):
            type(record).objects.filter(pk=record.pk).update(review_status="published")


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_get_operations_never_fail_and_match_the_schema(case, published_data):
    case.call_and_validate(checks=CHECKS)
