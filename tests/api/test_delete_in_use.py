"""Deleting a record that others refer to through a protected relation is a 409 naming what
refers to it, with nothing deleted (before: ProtectedError, a 500)."""

import pytest

from apps.actors.models import Actor

pytestmark = pytest.mark.django_db


def test_deleting_a_record_others_refer_to_is_a_conflict_and_deletes_nothing(records, reviewer_client):
    actor = records["actor"]
    path = f"/api/v1/actors/{actor.slug}/"
    etag = reviewer_client.get(path)["ETag"]

    response = reviewer_client.delete(path, HTTP_IF_MATCH=etag)

    assert response.status_code == 409, response.content
    assert "designations" in response.json()["detail"]
    assert Actor.objects.filter(pk=actor.pk).exists()
    assert reviewer_client.get(path)["ETag"] == etag
