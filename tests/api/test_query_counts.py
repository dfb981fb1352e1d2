"""No list endpoint's query count grows with its page size: a page of 1 row and a page of
50 rows cost the same number of queries, for anonymous clients (drafts filtered out of
relations too), for editors, and with cursor pagination."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.common.models import CuratedModel
from tests.api.resources import RESOURCES
from tests.factories import AuthorityFactory, country, one_of_each

pytestmark = pytest.mark.django_db

ROWS = 50


@pytest.fixture
def fifty_of_each(db):
    for number in range(ROWS):
        one_of_each()
        AuthorityFactory(code=f"N{number}", kind="national", country=country("US"))
    for resource in RESOURCES:
        if issubclass(resource.model, CuratedModel):
            resource.model.objects.update(review_status="published")


def queries_for(client, path, params):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response, [query["sql"] for query in context.captured_queries]


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
def test_list_query_count_does_not_grow_with_page_size(resource, fifty_of_each, anonymous, editor_client):
    for client in (anonymous, editor_client):
        for extra in ({}, {"pagination": "cursor"}):
            one, one_queries = queries_for(client, resource.list_path, {"page_size": 1, **extra})
            many, many_queries = queries_for(client, resource.list_path, {"page_size": ROWS, **extra})
            assert len(one.json()["results"]) == 1
            assert len(many.json()["results"]) == ROWS
            assert len(many_queries) == len(one_queries), "\n".join(many_queries)


def test_cursor_pagination_walks_forward_without_counting(fifty_of_each, anonymous):
    first = anonymous.get("/api/v1/transfers/", {"pagination": "cursor", "page_size": 10}).json()
    assert "count" not in first
    following = anonymous.get(first["next"]).json()
    assert following["results"][0]["id"] > first["results"][-1]["id"]
