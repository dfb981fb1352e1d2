"""Who may do what, for every resource of the router (docs/data-model.md, "Who may see and do
what"): each role × each resource × read (list, detail; draft and published) and write
(create, update, delete), with the status codes it must get and no draft in any body it must
not see."""

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.common.meta import key_text
from tests.api.resources import RESOURCES

pytestmark = pytest.mark.django_db

# role: (sees drafts, create, update, delete)
EXPECTED = {
    "anonymous": (False, 401, 401, 401),
    "no_group": (False, 403, 403, 403),
    "editor": (True, 201, 200, 403),
    "reviewer": (True, 201, 200, 204),
    "editor_token": (True, 201, 200, 403),
    "inactive_token": (None, 401, 401, 401),
}


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def clients(anonymous, editor_client, reviewer_client, editor):
    no_group = APIClient()
    no_group.force_authenticate(User.objects.create_user("nobody"))
    inactive = User.objects.create_user("gone", is_active=False)
    return {
        "anonymous": anonymous,
        "no_group": no_group,
        "editor": editor_client,
        "reviewer": reviewer_client,
        "editor_token": token_client(editor),
        "inactive_token": token_client(inactive),
    }


def if_match(reviewer_client, path):
    response = reviewer_client.get(path)
    assert response.status_code == 200, response.content
    return response["ETag"]


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
def test_each_role_gets_what_it_may_and_no_draft_it_may_not_see(resource, role, records, clients):
    sees_drafts, create, update, delete = EXPECTED[role]
    client, reviewer = clients[role], clients["reviewer"]
    record = records[resource.record]
    detail = resource.detail_path(record)
    draft_key = key_text(record.natural_key()) if resource.curated else None

    listed = client.get(resource.list_path, {"page_size": 500})
    detailed = client.get(detail)
    if sees_drafts is None:
        assert (listed.status_code, detailed.status_code) == (401, 401)
    else:
        assert listed.status_code == 200, listed.content
        hidden = resource.curated and not sees_drafts
        assert detailed.status_code == (404 if hidden else 200)
        if hidden:
            assert draft_key not in listed.content.decode()
            assert draft_key not in detailed.content.decode()
            assert record.pk not in {row["id"] for row in listed.json()["results"]}

    created = client.post(resource.list_path, resource.create(records), format="json")
    assert created.status_code == create, created.content
    if create != 201:
        created = reviewer.post(resource.list_path, resource.create(records), format="json")
        assert created.status_code == 201, created.content
    fresh = resource.model.objects.get(pk=created.json()["id"])
    fresh_path = resource.detail_path(fresh)

    changed = client.patch(detail, resource.update, format="json", HTTP_IF_MATCH=if_match(reviewer, detail))
    assert changed.status_code == update, changed.content
    if draft_key and not sees_drafts:
        assert draft_key not in changed.content.decode()

    removed = client.delete(fresh_path, HTTP_IF_MATCH=if_match(reviewer, fresh_path))
    assert removed.status_code == delete, removed.content
    assert resource.model.objects.filter(pk=fresh.pk).exists() is (delete != 204)
