"""The list pages read with ``values()`` (apps/common/api/rows.py) show every record exactly as
the resource's serializer does: the same fields in the same order, the same relations as
natural keys, the same hidden drafts, the same URLs and the same page links."""

import pytest
from django.core.management import call_command
from django.db import transaction

from apps.common.api import views
from tests.api.conftest import fill_empty_fields
from tests.api.resources import RESOURCES
from tests.factories import country, one_of_each

CLIENTS = ["anonymous", "editor_client"]


@pytest.fixture(scope="module")
def mixed_data_module(django_db_setup, django_db_blocker):
    """The demo data plus one filled record of every model; half the curated records of the
    fixture published, so that drafts hang on published records and the reverse. Loaded once
    for the module, rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", verbosity=0)
        records = {**one_of_each(), "country": country("KP")}
        for index, record in enumerate(records.values()):
            fill_empty_fields(record)
            if hasattr(record, "review_status") and index % 2 == 0:
                type(record).objects.filter(pk=record.pk).update(review_status="published")
        yield records
        transaction.set_rollback(True)


@pytest.fixture
def mixed_data(mixed_data_module, db):
    return mixed_data_module


def serializer_path(client, monkeypatch, url):
    with monkeypatch.context() as patch:
        patch.setattr(views, "plan_for", lambda view, request: None)
        return client.get(url)


@pytest.mark.parametrize("who", CLIENTS)
@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
@pytest.mark.parametrize("query", ["", "?page_size=3&page=2&ordering=-created_at"])
def test_rows_match_the_serializer(resource, who, query, mixed_data, request, monkeypatch):
    client = request.getfixturevalue(who)
    url = resource.list_path + query
    fast = client.get(url)
    slow = serializer_path(client, monkeypatch, url)
    assert fast.status_code == slow.status_code == 200
    assert fast.json()["results"], f"{url} lists nothing: the comparison would be vacuous"
    assert fast.json() == slow.json()


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
def test_csv_rows_match_the_serializer(resource, mixed_data, editor_client, monkeypatch):
    url = resource.list_path + "?format=csv"
    fast = editor_client.get(url)
    slow = serializer_path(editor_client, monkeypatch, url)
    assert fast.content == slow.content


def test_the_rows_path_serves_lists(mixed_data, anonymous, monkeypatch):
    """The list goes through ``rows`` (so that the comparisons above compare two paths)."""
    served = []
    original = views.plan_for

    def spy(view, request):
        plan = original(view, request)
        served.append(plan is not None)
        return plan

    monkeypatch.setattr(views, "plan_for", spy)
    for resource in RESOURCES:
        assert anonymous.get(resource.list_path).status_code == 200
    assert served == [True] * len(RESOURCES)


def test_expand_takes_the_serializer_path(mixed_data, anonymous):
    response = anonymous.get("/api/v1/transfers/?expand=supplier")
    assert response.status_code == 200
    assert all(isinstance(row["supplier"], dict) for row in response.json()["results"])


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
def test_cursor_pages_match_the_serializer(resource, mixed_data, editor_client, monkeypatch):
    url = resource.list_path + "?pagination=cursor&page_size=2"
    fast, slow = editor_client.get(url).json(), serializer_path(editor_client, monkeypatch, url).json()
    assert fast == slow
    if fast["next"]:
        assert (
            editor_client.get(fast["next"]).json() == serializer_path(editor_client, monkeypatch, fast["next"]).json()
        )
