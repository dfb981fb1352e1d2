"""Who created and changed a record (``created_by``, ``updated_by`` on every resource, ``user``
in the change feed) is shown to editors and reviewers only; anonymous clients and signed-in
users without a role get null, so the API does not hand out the staff's usernames."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from apps.common.registry import contract_models
from apps.common.roles import EDITORS, REVIEWERS
from tests.api.resources import RESOURCES
from tests.factories import country, one_of_each

pytestmark = pytest.mark.django_db


def client_of(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def staff(django_user_model):
    user = django_user_model.objects.create_user("staff-editor", password="unused-password-1234")
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


@pytest.fixture
def records(staff):
    """One published record of every contract model, created and last changed by ``staff``."""
    created = {**one_of_each(), "country": country("KP")}
    for model in contract_models():
        model._base_manager.update(created_by=staff, updated_by=staff)
        if any(field.name == "review_status" for field in model._meta.fields):
            model._base_manager.update(review_status="published")
    return created


@pytest.fixture(params=["anonymous", "no role"])
def outsider(request, django_user_model):
    if request.param == "anonymous":
        return client_of(None)
    return client_of(django_user_model.objects.create_user("reader", password="unused-password-1234"))


def test_outsiders_get_null_bookkeeping_users_on_every_resource(records, outsider):
    for resource in RESOURCES:
        record = records[resource.record]
        detail = outsider.get(resource.detail_path(record))
        assert detail.status_code == 200, (resource.name, detail.content)
        assert (detail.json()["created_by"], detail.json()["updated_by"]) == (None, None), resource.name
        rows = outsider.get(resource.list_path, {"page_size": 500}).json()["results"]
        assert rows and all((row["created_by"], row["updated_by"]) == (None, None) for row in rows), resource.name
        csv = outsider.get(resource.detail_path(record), {"format": "csv"}).content.decode()
        assert "staff-editor" not in csv, resource.name


def test_editors_see_the_bookkeeping_users_on_every_resource(records, staff):
    for resource in RESOURCES:
        detail = client_of(staff).get(resource.detail_path(records[resource.record])).json()
        assert (detail["created_by"], detail["updated_by"]) == ("staff-editor", "staff-editor"), resource.name


def test_the_change_feed_names_the_user_to_editors_and_reviewers_only(staff, outsider, django_user_model):
    reviewer = django_user_model.objects.create_user("staff-reviewer", password="unused-password-1234")
    reviewer.groups.add(Group.objects.get(name=REVIEWERS))
    since = (timezone.now() - datetime.timedelta(seconds=1)).isoformat()
    path = "/api/v1/countries/KP/"
    editor = client_of(staff)
    response = editor.patch(path, {"official_name": "DPRK"}, format="json", HTTP_IF_MATCH=editor.get(path)["ETag"])
    assert response.status_code == 200, response.content

    def users(client):
        changes = client.get("/api/v1/changes/", {"since": since}).json()["results"]
        assert [c["natural_key"] for c in changes] == [["KP"]]
        return [c["user"] for c in changes]

    assert users(editor) == ["staff-editor"]
    assert users(client_of(reviewer)) == ["staff-editor"]
    assert users(outsider) == [None]


def test_the_schema_shows_the_users_as_nullable(anonymous_schema):
    components = anonymous_schema["components"]["schemas"]
    assert components["Transfer"]["properties"]["created_by"]["nullable"] is True
    assert components["Transfer"]["properties"]["updated_by"]["nullable"] is True
    assert components["Change"]["properties"]["user"]["nullable"] is True


@pytest.fixture
def anonymous_schema():
    return APIClient().get("/api/schema/", {"format": "json"}).json()
