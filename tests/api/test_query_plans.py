"""Every list, filter, search and feed query reads the large tables (transfers, claims,
sources, actors, designations, their history and links) through an index, never by a
sequential scan: PostgreSQL's planner is asked, with sequential scans made a last resort
(``enable_seqscan = off``), for the plan of every query each request runs, so that the small
test data cannot hide a missing index."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.common.history import link_history_model
from apps.common.registry import contract_models
from apps.transfers.models import Transfer
from tests.api.resources import RESOURCES
from tests.api.test_filters import filterset_of, values_for

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's"),
]

LARGE = [model for model in contract_models() if model.LARGE_TABLE]


def large_tables():
    tables = set()
    for model in LARGE:
        tables |= {model._meta.db_table, model.history.model._meta.db_table}
        for field in model._meta.many_to_many:
            tables |= {field.remote_field.through._meta.db_table, link_history_model(field)._meta.db_table}
    return tables


def _reads_everything(node, limited):
    """A sequential scan that may read the whole table: one with a filter, or one that no
    ``LIMIT`` above it stops early (``SELECT ... LIMIT 1001`` of a whole table reads 1001 rows)."""
    return node["Node Type"] == "Seq Scan" and ("Filter" in node or not limited)


def sequential_scans(sql):
    """The large tables a query's plan reads by a sequential scan that may read them whole."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
        cursor.execute("SET LOCAL enable_seqscan = on")
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found, nodes = [], [(plan[0]["Plan"], False)]
    while nodes:
        node, limited = nodes.pop()
        if _reads_everything(node, limited) and node["Relation Name"] in large_tables():
            found.append(node["Relation Name"])
        limited = limited or node["Node Type"] == "Limit"
        nodes.extend((child, limited) for child in node.get("Plans", []))
    return found


def offenders(client, path, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {})
    assert response.status_code == 200, (path, params, response.content[:300])
    found = []
    for query in queries.captured_queries:
        if query["sql"].lstrip().upper().startswith("SELECT"):
            found += [(path, params, table, query["sql"][:300]) for table in sequential_scans(query["sql"])]
    return found


@pytest.mark.parametrize("resource", [r for r in RESOURCES if r.model in LARGE], ids=lambda r: r.name)
def test_lists_and_filters_use_indexes(resource, records, anonymous, reviewer_client):
    record = records[resource.record]
    record.refresh_from_db()
    requests = [{}, {"ordering": "-updated_at"}, {"pagination": "cursor"}]
    for name, filter_ in filterset_of(resource).base_filters.items():
        requests.append({name: values_for(resource, name, filter_, record)[0]})
    found = []
    for client in (anonymous, reviewer_client):
        for params in requests:
            found += offenders(client, resource.list_path, params)
    assert not found, "\n".join(map(str, found))


def test_the_change_feed_uses_indexes(records, anonymous, reviewer_client):
    found = []
    for client in (anonymous, reviewer_client):
        found += offenders(client, "/api/v1/changes/", {"since": "2000-01-01T00:00:00Z"})
    assert not found, "\n".join(map(str, found))


def test_the_check_sees_a_sequential_scan():
    """The plan reader finds a sequential scan where there is no index to use."""
    assert sequential_scans(f"SELECT * FROM {Transfer._meta.db_table} WHERE quantity_unit || 'x' = 'ax'") == [
        Transfer._meta.db_table
    ]
