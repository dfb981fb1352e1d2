"""Every model's changelist, add form and change form open for an editor, at a number of
queries that does not grow with the rows shown."""

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.admin.builders import MODELS, record_with_rows, rows


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def queries_for(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return [query["sql"] for query in queries.captured_queries]


def assert_same_queries(one, many):
    """Equal counts; on failure, list the queries of the one-row page and the first
    queries of the many-row page that it does not have."""
    extra = [sql[:300] for sql in many if sql not in one][:10]
    assert len(one) == len(many), "\n".join(["queries with 1 row:", *(sql[:300] for sql in one), "", "new:", *extra])


def test_every_contract_model_is_registered():
    registered = {model for model in admin.site._registry}
    assert set(MODELS) <= registered


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_changelist_opens_at_a_fixed_query_count(editor_client, model):
    first = rows(model, 1)
    rest = rows(model, 50)[1:] if model._meta.model_name == "country" else rows(model, 49)
    one_page = f"{url(model, 'changelist')}?id__in={first[0].pk}"
    editor_client.get(one_page)  # warm the per-process caches (content types)

    one = queries_for(editor_client, one_page)
    pks = ",".join(str(obj.pk) for obj in [*first, *rest])
    response = editor_client.get(f"{url(model, 'changelist')}?id__in={pks}")
    assert len(response.context["cl"].result_list) == 50
    many = queries_for(editor_client, f"{url(model, 'changelist')}?id__in={pks}")
    assert_same_queries(one, many)


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_add_form_opens(editor_client, model):
    response = editor_client.get(url(model, "add"))
    assert response.status_code == 200
    assert b"loaded_version" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_change_form_opens_at_a_fixed_query_count(editor_client, model):
    small = record_with_rows(model, 1)
    editor_client.get(url(model, "change", small.pk))  # warm the per-process caches
    cache.clear()  # answers cached until the next write (a transfer's findings) read afresh both times
    one = queries_for(editor_client, url(model, "change", small.pk))

    large = record_with_rows(model, 50)
    cache.clear()
    many = queries_for(editor_client, url(model, "change", large.pk))
    assert_same_queries(one, many)


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_history_view_opens(editor_client, model):
    record = record_with_rows(model, 1)
    response = editor_client.get(url(model, "history", record.pk))
    assert response.status_code == 200


@pytest.mark.django_db
def test_history_view_runs_a_fixed_number_of_queries_whatever_the_number_of_changes(editor_client):
    from apps.transfers.models import Transfer
    from tests.factories import ActorFactory, SourceFactory, TransferFactory

    def changed(times):
        """A transfer saved ``times`` times, each save changing a field, a relation and
        the sources."""
        transfer = TransferFactory()
        for i in range(times):
            transfer.items = f"batch {i}"
            transfer.supplier_actor = ActorFactory()
            transfer.save()
            transfer.sources.add(SourceFactory())
        return transfer

    few = changed(1)
    editor_client.get(url(Transfer, "history", few.pk))
    one = queries_for(editor_client, url(Transfer, "history", few.pk))
    many = queries_for(editor_client, url(Transfer, "history", changed(50).pk))
    assert_same_queries(one, many)
