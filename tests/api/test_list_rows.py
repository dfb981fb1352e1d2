"""The list pages read with ``values()`` (apps/common/api/rows.py) show every record exactly as
the resource's serializer does: the same fields in the same order, the same relations as
natural keys, the same hidden drafts, the same URLs and the same page links."""

import pytest

from apps.common.api import views
from tests.api.conftest import serializer_path
from tests.api.resources import RESOURCES

CLIENTS = ["anonymous", "editor_client"]


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
