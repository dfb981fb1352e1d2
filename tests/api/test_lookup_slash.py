"""A natural key that is a record's URL (an authority's or a regime's code, a reference) may
not contain "/": the API refuses it with a 400 under the field's name (before: the record was
saved and the answer was a 500, its URL impossible to build; found by schemathesis)."""

import pytest

from apps.sanctions.models import Authority

pytestmark = pytest.mark.django_db


def test_a_url_key_with_a_slash_is_refused_and_nothing_is_saved(reviewer_client):
    body = {"code": "EU/UK", "name": "Two at once", "kind": "supranational"}
    response = reviewer_client.post("/api/v1/authorities/", body, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["code"]
    assert not Authority.objects.filter(code="EU/UK").exists()
