"""A list never counts a million rows: the count is exact up to API_EXACT_COUNT_LIMIT records,
PostgreSQL's estimate beyond (``count_exact`` false; SQLite always counts), and the page links
come from reading one record past the page, right whatever the count says."""

import pytest
from django.db import connection

from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def sources():
    return [SourceFactory() for _ in range(7)]


def test_exact_under_the_limit(sources, anonymous, settings):
    settings.API_EXACT_COUNT_LIMIT = 7
    body = anonymous.get("/api/v1/sources/").json()
    assert (body["count"], body["count_exact"]) == (7, True)


def test_estimated_over_the_limit_on_postgresql(sources, anonymous, settings):
    settings.API_EXACT_COUNT_LIMIT = 3
    body = anonymous.get("/api/v1/sources/").json()
    if POSTGRESQL:
        # The planner's estimate, never below what the bounded count saw.
        assert body["count_exact"] is False
        assert body["count"] >= 4
    else:
        assert (body["count"], body["count_exact"]) == (7, True)
    assert len(body["results"]) == 7


def test_links_follow_the_records_not_the_count(sources, anonymous, settings):
    settings.API_EXACT_COUNT_LIMIT = 1
    first = anonymous.get("/api/v1/sources/?page_size=3").json()
    second = anonymous.get(first["next"]).json()
    third = anonymous.get(second["next"]).json()
    assert [len(page["results"]) for page in (first, second, third)] == [3, 3, 1]
    assert third["next"] is None and third["previous"] is not None
    seen = [row["id"] for page in (first, second, third) for row in page["results"]]
    assert sorted(seen) == sorted(source.pk for source in sources)
    assert anonymous.get("/api/v1/sources/?page_size=3&page=4").status_code == 404
    # Page 0 is no page number: a 400 naming the parameter (tests/api/test_bad_input.py).
    assert anonymous.get("/api/v1/sources/?page_size=3&page=0").status_code == 400


def test_admin_changelist_pages_with_an_estimate(sources, admin_client, settings):
    settings.API_EXACT_COUNT_LIMIT = 2
    response = admin_client.get("/admin/evidence/source/")
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert len(changelist.result_list) == 7
    assert changelist.paginator.exact is not POSTGRESQL
