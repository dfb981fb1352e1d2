"""Pinned query counts, one table for the API and the admin (as NetBox pins its own in
``tenancy/tests/query_counts.json``).

``tests/query_counts.json`` holds the exact number of queries of every API list endpoint
(anonymous and editor), every API detail endpoint (anonymous and editor), and the
changelist and change page of every contract model the admin registers, on one fixed data
set (``ROWS`` of every model, all published, plus one set of drafts behind them). A test
compares each measured count with the table, exactly, and on a mismatch lists every query
of the request, so a query added to any request fails here with the SQL that shows where.
The keys are derived from the URL router and ``admin.site._registry``: a new resource or a
new admin page without a pinned count fails too.

Counts are of the second of two identical requests, so the per-process caches (content
types, the user's permissions) are warm, as they are in production: an API list
or detail then runs the statement compiled by the first (apps/common/compiled.py). A count
that differs by backend is written as ``{"postgresql": n, "sqlite": m}``: on PostgreSQL a
page reads its many-to-many lists in its own statement (apps/common/api/rows.py), on SQLite
in one more query each. A kept page's count is read with the first request only
(apps/common/api/compiled.py).

To regenerate the table after a deliberate change, on both backends::

    UPDATE_QUERY_COUNTS=1 .venv/bin/python -m pytest tests/test_query_counts.py
    UPDATE_QUERY_COUNTS=1 DATABASE_URL=postgres://... .venv/bin/python -m pytest tests/test_query_counts.py
    git diff tests/query_counts.json   # every changed count is a changed query: say why in the commit

The other tests here check that no list's count grows with its page size.
"""

import json
import os
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from apps.common.models import CuratedModel
from apps.common.registry import contract_models
from apps.common.roles import EDITORS
from apps.transfers import tallies
from tests.api.resources import RESOURCES
from tests.factories import AuthorityFactory, TransferFactory, country, one_of_each

TABLE = Path(__file__).resolve().parent / "query_counts.json"
UPDATE = os.environ.get("UPDATE_QUERY_COUNTS") == "1"
ROWS = 50

# --- what the table must cover, derived from the URL router and the admin ----------------


def api_resources():
    """{basename: list path} of every resource the API router serves (``<basename>-list``)."""
    found = {}

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif namespace == "api" and pattern.name and pattern.name.endswith("-list"):
                found[pattern.name.removesuffix("-list")] = reverse(f"api:{pattern.name}")

    walk(get_resolver().url_patterns, None)
    return found


def admin_models():
    """The contract models the admin registers."""
    contract = set(contract_models())
    return sorted((model for model in admin.site._registry if model in contract), key=lambda m: m._meta.label_lower)


RESOURCE_BY_BASENAME = {resource.basename: resource for resource in RESOURCES}


def measurements():
    """(key, who, model or resource, view) of every count the table pins."""
    found = []
    for basename in sorted(api_resources()):
        resource = RESOURCE_BY_BASENAME.get(basename)
        if resource is None:
            continue  # test_every_api_resource_is_in_the_resource_table names it
        for view in ("list", "detail"):
            for who in ("anonymous", "editor"):
                found.append((f"api:{resource.name}:{view}:{who}", who, resource, view))
    for model in admin_models():
        for view in ("changelist", "change"):
            found.append((f"admin:{model._meta.label_lower}:{view}", "staff", model, view))
    for question in EXPLORE:
        for who in ("anonymous", "editor"):
            found.append((f"api:explore:{question}:{who}", who, question, "uncached"))
    return found


# The cross-app questions, measured uncached (a cached answer takes no query, see
# tests/api/test_answer_cache.py); their counts do not grow with the data either.
EXPLORE = {
    "profile-KP": "/api/v1/countries/KP/profile/",
    "profile-RU": "/api/v1/countries/RU/profile/",
    "graph": "/api/v1/graph/",
    "graph-filtered": "/api/v1/graph/?from=2020-01-01&to=2030-12-31&category=missiles&category=fuel",
}


MEASUREMENTS = measurements()


def test_every_api_resource_is_in_the_resource_table():
    assert set(api_resources()) == set(RESOURCE_BY_BASENAME)
    for basename, path in api_resources().items():
        assert RESOURCE_BY_BASENAME[basename].list_path == path


def test_the_table_pins_every_api_resource_and_admin_page_and_nothing_else():
    if UPDATE:
        pytest.skip("the table is being rewritten")
    table = json.loads(TABLE.read_text(encoding="utf-8"))
    expected = {key for key, *_ in MEASUREMENTS}
    assert len(expected) == 4 * len(api_resources()) + 2 * len(admin_models()) + 2 * len(EXPLORE)
    missing, stale = sorted(expected - set(table)), sorted(set(table) - expected)
    assert (missing, stale) == ([], []), f"run with UPDATE_QUERY_COUNTS=1 (module docstring); missing {missing}"


# --- the data set --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data_set(django_db_setup, django_db_blocker):
    """ROWS records of every model, published, and one set of drafts that published records
    point at; built once for the module and rolled back after it. Returns the first set (the
    records whose detail and change pages are measured) and the users."""
    with django_db_blocker.unblock(), transaction.atomic():
        first = None
        for number in range(ROWS):
            records = one_of_each()
            first = first or {**records, "country": country("KP")}
            AuthorityFactory(code=f"N{number}", kind="national", country=country("US"))
        for model in contract_models():
            if issubclass(model, CuratedModel):
                model.objects.update(review_status="published")
        # An update without signals: the tallies counted again, as after any such write.
        tallies.rebuild()
        drafts = one_of_each()
        first["transfer"].in_exchange_for.add(drafts["transfer"])
        type(first["statement"]).objects.filter(pk=first["statement"].pk).update(event=drafts["event"])
        editor = User.objects.create_user("counted-editor", password="unused-password-1234")
        editor.groups.add(Group.objects.get(name=EDITORS))
        staff = User.objects.create_user("counted-staff", password="unused-password-1234", is_staff=True)
        staff.groups.add(Group.objects.get(name=EDITORS))
        yield {"records": first, "editor": editor, "staff": staff}
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _no_throttling(settings):
    settings.API_THROTTLE_RATES = {"anon": None, "user": None}
    cache.clear()
    yield
    cache.clear()


def client_for(who, data_set):
    if who == "anonymous":
        return APIClient()
    if who == "editor":
        client = APIClient()
        client.force_authenticate(data_set["editor"])
        return client
    client = Client()
    client.force_login(data_set["staff"])
    return client


def path_for(target, view, records):
    if view == "uncached":
        return EXPLORE[target]
    if view == "list":
        return target.list_path
    if view == "detail":
        return target.detail_path(records[target.record])
    opts = target._meta
    if view == "changelist":
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    record = next(value for value in records.values() if isinstance(value, target))
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])


def queries_for(client, path, params=None, *, uncached=False):
    """The SQL of a GET of ``path``, after a first identical GET has warmed the caches (with
    ``uncached``, the cached answers cleared again before it)."""
    client.get(path, params)
    if uncached:
        cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(path, params)
    assert response.status_code == 200, (path, response.status_code)
    return response, [query["sql"] for query in context.captured_queries]


def pinned(entry):
    """The pinned count of this backend: a number, or ``{vendor: number}``."""
    return entry.get(connection.vendor) if isinstance(entry, dict) else entry


def listing(queries):
    return "\n".join(f"{number:3}. {sql[:400]}" for number, sql in enumerate(queries, 1))


_measured = {}


@pytest.fixture(scope="module")
def _write_table_when_updating():
    yield
    if UPDATE and _measured:
        table = json.loads(TABLE.read_text(encoding="utf-8")) if TABLE.exists() else {}
        expected = {key for key, *_ in MEASUREMENTS}
        table = {key: value for key, value in table.items() if key in expected}
        for key, count in _measured.items():
            if isinstance(table.get(key), dict):
                table[key] = {**table[key], connection.vendor: count}
            else:
                table[key] = count
        TABLE.write_text(json.dumps(dict(sorted(table.items())), indent=2) + "\n", encoding="utf-8")


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "who", "target", "view"), MEASUREMENTS, ids=[m[0] for m in MEASUREMENTS])
def test_query_count_is_pinned(key, who, target, view, data_set, _write_table_when_updating):
    path = path_for(target, view, data_set["records"])
    _response, queries = queries_for(client_for(who, data_set), path, uncached=view == "uncached")
    if UPDATE:
        _measured[key] = len(queries)
        return
    table = json.loads(TABLE.read_text(encoding="utf-8"))
    assert key in table, f"{key} has no pinned count: run with UPDATE_QUERY_COUNTS=1 (module docstring)"
    expected = pinned(table[key])
    assert len(queries) == expected, (
        f"GET {path} as {who}: {len(queries)} queries, pinned {expected} in {TABLE.name}:\n{listing(queries)}"
    )


# --- the profile and the graph do not grow with the data ----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("question", sorted(EXPLORE))
@pytest.mark.parametrize("who", ["anonymous", "editor"])
def test_explore_query_count_does_not_grow_with_the_data(question, who, data_set):
    client = client_for(who, data_set)
    before, before_queries = queries_for(client, EXPLORE[question], uncached=True)
    for _ in range(3):
        records = one_of_each()
        type(records["transfer"]).objects.filter(pk=records["transfer"].pk).update(review_status="published")
    tallies.rebuild()  # after the updates without signals
    TransferFactory.create_batch(20, category="missiles", review_status="published")
    TransferFactory.create_batch(20, supplier=country("RU"), recipient=country("KP"), category="fuel")
    after, after_queries = queries_for(client, EXPLORE[question], uncached=True)
    assert after.json() != before.json()
    assert len(after_queries) == len(before_queries), listing(after_queries)


# --- no list grows with its page size ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
@pytest.mark.parametrize("who", ["anonymous", "editor"])
@pytest.mark.parametrize("pagination", ["page", "cursor"])
def test_list_query_count_does_not_grow_with_page_size(resource, who, pagination, data_set):
    client = client_for(who, data_set)
    extra = {"pagination": "cursor"} if pagination == "cursor" else {}
    one, one_queries = queries_for(client, resource.list_path, {"page_size": 1, **extra})
    many, many_queries = queries_for(client, resource.list_path, {"page_size": ROWS, **extra})
    assert len(one.json()["results"]) == 1
    assert len(many.json()["results"]) == ROWS
    assert len(many_queries) == len(one_queries), listing(many_queries)


@pytest.mark.django_db
def test_cursor_pagination_walks_forward_without_counting(data_set):
    client = client_for("anonymous", data_set)
    first = client.get("/api/v1/transfers/", {"pagination": "cursor", "page_size": 10}).json()
    assert "count" not in first
    following = client.get(first["next"]).json()
    assert following["results"][0]["id"] > first["results"][-1]["id"]
