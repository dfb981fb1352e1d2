"""A detail read as a list's rows are (its statement compiled once per resource and audience,
the record's key its parameter: ``BaseViewSet.retrieve``) shows every record exactly as the
resource's serializer does, with the same ETag, as tests/api/test_list_rows.py holds for
lists; a record the client may not see is a 404 both ways."""

import pytest

from apps.common.api import views
from tests.api.conftest import serializer_path
from tests.api.resources import RESOURCES

CLIENTS = ["anonymous", "editor_client"]


def records_of(resource, mixed_data):
    """The fixture's filled record of the resource and a few others of the demo data: the
    first and last by id, drafts and published ones."""
    model = resource.model
    chosen = [mixed_data[resource.record], *model.objects.order_by("pk")[:2], *model.objects.order_by("-pk")[:2]]
    return list({record.pk: record for record in chosen}.values())


@pytest.fixture
def compiled_details(monkeypatch):
    """Whether each detail request was served by a compiled statement."""
    served = []
    original = views.BaseViewSet._compiled_detail

    def spy(self, plan, key_type):
        compiled = original(self, plan, key_type)
        served.append(compiled is not None)
        return compiled

    monkeypatch.setattr(views.BaseViewSet, "_compiled_detail", spy)
    return served


@pytest.mark.parametrize("who", CLIENTS)
@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
def test_details_match_the_serializer(resource, who, mixed_data, request, monkeypatch, compiled_details):
    client = request.getfixturevalue(who)
    shown = 0
    for record in records_of(resource, mixed_data):
        url = resource.detail_path(record)
        fast = client.get(url)
        slow = serializer_path(client, monkeypatch, url)
        assert fast.status_code == slow.status_code, url
        if fast.status_code == 404:
            continue
        assert fast.status_code == 200, fast.content
        assert fast.json() == slow.json(), url
        assert fast["ETag"] == slow["ETag"], url
        shown += 1
    assert shown, f"{resource.name}: no record shown to {who}, the comparison would be vacuous"
    assert compiled_details and all(compiled_details), f"{resource.name}: a detail took the serializer's path"
