"""Schemathesis over every operation of /api/schema/ (reads and writes), in process against
the WSGI app, as an anonymous client, a reviewer and an editor (each with a real token): no
server error, and every response is one the schema documents (status code, content type and
body).

Generated path parameters are sometimes replaced by the key of a record that exists, and the
generated If-Match sometimes by that record's current ETag, so that writes get past the 404 and
the 428/412 and reach validation and the database; every example runs in a savepoint that is
rolled back, so that a delete does not take the record away from the next example. The last
test checks that the writes did reach validation and the database. Rate limits are off
(tests/api/conftest.py's autouse fixture sets every API_THROTTLE_RATES to None), so no answer
is a 429."""

from collections import defaultdict

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.common.api.views import etag_for
from apps.common.roles import EDITORS, REVIEWERS
from sanctionsdb.wsgi import application
from tests.api.conftest import fill_empty_fields, user_in
from tests.api.resources import RESOURCES
from tests.factories import country, one_of_each

# Examples per operation and role: about 1,100 requests in all (the suite runs twice in CI,
# within its 30 minutes; raise them locally for a longer hunt).
REVIEWER_EXAMPLES = 7
EDITOR_EXAMPLES = 4
ANONYMOUS_READ_EXAMPLES = 8
REFUSED_EXAMPLES = 2
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
EXISTING = "existing-record"  # stands for the key of the record that exists
CURRENT = "current-etag"  # stands for the ETag of that record as it now is

# The fuzzing phase only: the coverage phase's hundreds of cases for every operation do not fit
# the time this file may take.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=CONFIG)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# (method, path, role) -> status codes seen
OUTCOMES = defaultdict(set)
# The writes done with the record's ETag as a GET gives it (not with ``*``, which matches any)
DONE_WITH_REAL_ETAG = set()


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """The key of the record that exists three times in four, else the generated one (drawn by
    Hypothesis, so that a failure shrinks)."""
    if not path_parameters:
        return st.just(path_parameters)
    existing = {name: EXISTING for name in path_parameters}
    return st.sampled_from([existing, existing, existing, path_parameters])


@schema.hook
def flatmap_headers(context, headers):
    """The record's current ETag three times in four, else the generated If-Match (a 412)."""
    if not headers or "If-Match" not in headers:
        return st.just(headers)
    current = {**headers, "If-Match": CURRENT}
    return st.sampled_from([current, current, current, headers])


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One published record of every model, a reviewer and an editor with tokens, made once for
    the module inside a transaction rolled back at its end. The real WSGI handler closes the
    database connection around each request, which would end that transaction; Django's test
    client stops it the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            records = {**one_of_each(), "country": country("KP")}
            for record in records.values():
                fill_empty_fields(record)
                if hasattr(record, "review_status"):
                    type(record).objects.filter(pk=record.pk).update(review_status="published")
            tokens = {
                "reviewer": Token.objects.create(user=user_in(REVIEWERS, "schemathesis-reviewer")).key,
                "editor": Token.objects.create(user=user_in(EDITORS, "schemathesis-editor")).key,
            }
            yield {"records": records, "tokens": tokens}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            for signal in (request_started, request_finished):
                signal.connect(close_old_connections)


RESOURCE_BY_NAME = {resource.name: resource for resource in RESOURCES}


def existing_record(case, records):
    resource = RESOURCE_BY_NAME.get(case.operation.path.split("/")[3])
    if resource is None:
        return None, None
    record = records[resource.record]
    return resource, type(record).objects.get(pk=record.pk)


def prepare(case, role, seeded):
    """Put the real key and ETag where the hooks asked for them, and the role's token."""
    headers = dict(case.headers or {})
    if role != "anonymous":
        headers["Authorization"] = f"Token {seeded['tokens'][role]}"
    resource, record = existing_record(case, seeded["records"])
    for name, value in (case.path_parameters or {}).items():
        if value == EXISTING:
            case.path_parameters[name] = getattr(record, resource.lookup)
    real_etag = headers.get("If-Match") == CURRENT
    if real_etag:
        headers["If-Match"] = etag_for(record)
    case.headers = headers
    return real_etag


def call_and_validate(case, role, seeded):
    """One example as ``role``, in a savepoint rolled back afterwards."""
    real_etag = prepare(case, role, seeded)
    with transaction.atomic():
        try:
            response = case.call_and_validate(checks=CHECKS)
        finally:
            transaction.set_rollback(True)
    key = (case.method.upper(), case.operation.path, role)
    OUTCOMES[key].add(response.status_code)
    if real_etag and response.status_code < 300:
        DONE_WITH_REAL_ETAG.add(key)


def examples(count):
    return settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


# Examples per operation, within the file's time budget: a reviewer may do
# everything, so every operation gets most; an anonymous write and an editor's delete are
# refused before the body is read, and an editor's reads are a reviewer's.


@pytest.mark.django_db
@schema.parametrize()
@examples(REVIEWER_EXAMPLES)
def test_every_operation_as_a_reviewer(case, seeded):
    call_and_validate(case, "reviewer", seeded)


@pytest.mark.django_db
@schema.include(method=sorted(WRITES - {"DELETE"})).parametrize()
@examples(EDITOR_EXAMPLES)
def test_every_create_and_change_as_an_editor(case, seeded):
    call_and_validate(case, "editor", seeded)


@pytest.mark.django_db
@schema.include(method="GET").parametrize()
@examples(ANONYMOUS_READ_EXAMPLES)
def test_every_read_anonymously(case, seeded):
    call_and_validate(case, "anonymous", seeded)


@pytest.mark.django_db
@schema.include(method=sorted(WRITES)).parametrize()
@examples(REFUSED_EXAMPLES)
def test_every_write_anonymously_is_refused(case, seeded):
    call_and_validate(case, "anonymous", seeded)


@pytest.mark.django_db
@schema.include(method="DELETE").parametrize()
@examples(REFUSED_EXAMPLES)
def test_every_delete_as_an_editor_is_refused(case, seeded):
    call_and_validate(case, "editor", seeded)


def test_writes_reached_validation_and_the_database():
    """Run after the tests above: the real keys and ETags the hooks put in let writes past the
    404 and the 428/412 (a 400 alone proves little: the body is validated before If-Match is
    checked, and schemathesis also sends ``*``, which matches any record). Every reviewer's change,
    with the record's real ETag among others, and delete was done (200, 204) or refused by the database
    (409), some creates and replacements were done, and no write operation of a reviewer or an
    editor's create or change got only refusals; every anonymous write and editor's delete was
    refused."""
    if not OUTCOMES:
        pytest.skip("runs after the schemathesis tests of this file")
    writes = {key: codes for key, codes in OUTCOMES.items() if key[0] in WRITES}
    reviewer = {key: codes for key, codes in writes.items() if key[2] == "reviewer"}
    assert {key[0] for key in reviewer} == WRITES
    done = {"PATCH": {200}, "DELETE": {204, 409}}
    assert not [key for key, codes in reviewer.items() if key[0] in done and not codes & done[key[0]]], reviewer
    assert not [key for key in reviewer if key[0] == "PATCH" and key not in DONE_WITH_REAL_ETAG], DONE_WITH_REAL_ETAG
    assert any(200 in codes for key, codes in reviewer.items() if key[0] == "PUT"), reviewer
    assert any(201 in codes for key, codes in reviewer.items() if key[0] == "POST"), reviewer
    allowed = {
        key: codes
        for key, codes in writes.items()
        if key[2] == "reviewer" or (key[2] == "editor" and key[0] != "DELETE")
    }
    assert not [key for key, codes in allowed.items() if not codes & {200, 201, 204, 400, 409}], allowed
    refused = {key: codes for key, codes in writes.items() if key not in allowed}
    assert all(codes <= {401, 403, 404} for codes in refused.values()), refused
