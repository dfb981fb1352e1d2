"""The profile and the graph are cached until the data changes (apps.common.cache): a cached
answer is served with one query (the data version, read from the database), and a write through any path (a model save, the API, an
admin action, the loader, a many-to-many change) shows in the next answer."""

import datetime
import json
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.common import kept
from apps.common.cache import cache_key, cached_answer, data_changed, data_version, version_held
from apps.common.dataversion import table_versions
from apps.common.roles import REVIEWERS, sees_drafts
from apps.explore.graph import graph_parts, graph_reads
from apps.explore.graph_json import tally_graph_json
from apps.transfers.models import Transfer
from tests.admin.forms import admin_url
from tests.api.conftest import user_in
from tests.factories import (
    AuthorityFactory,
    MeasureFactory,
    RegimeFactory,
    RelationshipFactory,
    ResolutionFactory,
    SourceFactory,
    TransferFactory,
    VoteFactory,
    country,
)

pytestmark = pytest.mark.django_db

PROFILE = "/api/v1/countries/RU/profile/"
GRAPH = "/api/v1/graph/"


@pytest.fixture
def missiles(db):
    """A published DPRK → Russia missiles transfer under a UN arms export ban Russia voted for."""
    resolution = ResolutionFactory(symbol="S/RES/1718 (2006)", number=1718, voted_on=datetime.date(2006, 10, 14))
    VoteFactory(resolution=resolution, country=country("RU"), position="yes")
    regime = RegimeFactory(code="UN-1718", authority=AuthorityFactory(code="UN"), target_country=country("KP"))
    regime.resolutions.add(resolution)
    MeasureFactory(regime=regime, code="arms-export-ban", direction="exports_from_target", covers=["missiles"])
    transfer = TransferFactory(
        reference="kp-ru-missiles",
        category="missiles",
        started_on=datetime.date(2023, 11, 1),
        ended_on=datetime.date(2024, 1, 31),
        review_status="published",
    )
    return {"regime": regime, "resolution": resolution, "transfer": transfer}


def received(client):
    return client.get(PROFILE).json()["transfers_in"]["total"]


def contravened(client):
    return [c["resolution"] for c in client.get(PROFILE).json()["contravened_resolutions_voted_for"]]


def edges(client):
    return {(e["source"], e["target"], e["category"], e["count"]) for e in client.get(GRAPH).json()["edges"]}


@pytest.mark.parametrize("path", [PROFILE, GRAPH, f"{GRAPH}?from=2023-01-01&category=missiles"])
def test_a_cached_answer_is_served_with_only_the_data_version_read(missiles, anonymous, path):
    """The profile with the data version; the graph with its tables' versions (and the data
    version, in the same statement: ``dataversion.table_versions``)."""
    first = anonymous.get(path)
    with CaptureQueriesContext(connection) as queries:
        again = anonymous.get(path)
    assert again.status_code == 200 and again.json() == first.json()
    [query] = [q["sql"] for q in queries.captured_queries]
    if path == PROFILE:
        assert query == "SELECT version FROM common_dataversion WHERE id = 1"
    else:
        assert "FROM common_dataversion WHERE id = 1 UNION ALL SELECT name, version FROM common_tableversion" in query


def test_drafts_are_cached_apart_for_those_who_see_them(missiles, anonymous, editor_client):
    TransferFactory(reference="kp-ru-draft", category="missiles", review_status="draft")
    assert received(anonymous) == 1
    assert received(editor_client) == 2
    assert received(anonymous) == 1


def test_a_model_save_and_delete_show_in_the_next_answer(missiles, anonymous):
    assert received(anonymous) == 1 and ("KP", "RU", "missiles", 1) in edges(anonymous)
    second = TransferFactory(reference="kp-ru-missiles-2", category="missiles", review_status="published")
    assert received(anonymous) == 2 and ("KP", "RU", "missiles", 2) in edges(anonymous)
    second.delete()
    assert received(anonymous) == 1 and ("KP", "RU", "missiles", 1) in edges(anonymous)


def test_an_api_write_shows_in_the_next_answer(missiles, anonymous, reviewer_client):
    assert received(anonymous) == 1 and received(reviewer_client) == 1
    response = reviewer_client.post(
        "/api/v1/transfers/",
        {"reference": "ir-ru-drones", "supplier": "IR", "recipient": "RU", "category": "munitions"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert received(reviewer_client) == 2  # a draft: editors and reviewers see it
    assert received(anonymous) == 1


def test_an_admin_publish_action_shows_in_the_next_answer(missiles, anonymous):
    draft = TransferFactory(reference="kp-ru-draft", category="missiles", review_status="draft")
    assert received(anonymous) == 1
    staff = user_in(REVIEWERS, "staff-reviewer")
    staff.is_staff = True
    staff.save()
    client = Client()
    client.force_login(staff)
    response = client.post(
        admin_url(Transfer, "changelist"), {"action": "publish", "_selected_action": [str(draft.pk)]}, follow=True
    )
    assert response.status_code == 200
    assert Transfer.objects.get(pk=draft.pk).review_status == "published"
    assert received(anonymous) == 2


def test_a_load_shows_in_the_next_answer(missiles, anonymous, tmp_path):
    assert received(anonymous) == 1 and contravened(anonymous) == ["S/RES/1718 (2006)"]
    data = tmp_path / "more.json"
    record = {
        "reference": "kp-ru-missiles-loaded",
        "supplier": ["KP"],
        "recipient": ["RU"],
        "category": "missiles",
        "started_on": "2024-02-01",
        "review_status": "published",
    }
    data.write_text(json.dumps([{"model": "transfers.transfer", "fields": record}]), encoding="utf-8")
    call_command("import_data", str(data), verbosity=0)
    assert Transfer.objects.filter(reference="kp-ru-missiles-loaded").exists()
    assert received(anonymous) == 2
    assert ("KP", "RU", "missiles", 2) in edges(anonymous)


def test_a_many_to_many_change_shows_in_the_next_answer(missiles, anonymous):
    later = ResolutionFactory(symbol="S/RES/1874 (2009)", number=1874, voted_on=datetime.date(2009, 6, 12))
    VoteFactory(resolution=later, country=country("RU"), position="yes")
    assert contravened(anonymous) == ["S/RES/1718 (2006)"]
    missiles["regime"].resolutions.add(later)  # the measure has no provisions: it rests on its regime's
    assert contravened(anonymous) == ["S/RES/1718 (2006)", "S/RES/1874 (2009)"]
    missiles["regime"].resolutions.remove(later)
    assert contravened(anonymous) == ["S/RES/1718 (2006)"]


# --- the keys and the answers themselves (apps.common.cache) ---------------------------------


def test_an_answers_key_is_its_name_and_parts_at_a_data_version_whatever_the_order_of_a_mapping():
    by_name = {"from": "2023-01-01", "category": "missiles"}
    in_other_order = {"category": "missiles", "from": "2023-01-01"}
    assert cache_key("graph", by_name, version=7) == cache_key("graph", in_other_order, version=7)
    assert cache_key("graph", by_name, version=7) != cache_key("graph", by_name, version=8)
    assert cache_key("graph", by_name, version=7) != cache_key("profile", by_name, version=7)
    assert cache_key("graph", [1], version=7) != cache_key("graph", [2], version=7)


def test_an_answer_from_the_shared_cache_is_a_copy_the_caller_may_change():
    """Unless it is kept in process (``in_process=True``: the same object every time), an
    answer is unpickled from the cache on each read: changing one leaves the next intact."""
    data_changed()  # a data version to keep the answer under
    computed = []

    def compute():
        computed.append({"total": 1})
        return computed[-1]

    cached_answer("test-copy", [1], compute)["total"] = 2
    assert cached_answer("test-copy", [1], compute) == {"total": 1}
    assert len(computed) == 1


def test_an_answer_estimated_past_the_whole_budget_is_not_kept_in_process(settings):
    """Its estimate grows with its pickle's length (``BYTES_PER_PICKLED_BYTE``): an answer
    of 20,000 characters is past a budget of 50,000 bytes, so it is read from the shared cache
    each time, a new object, and the process keeps nothing of it."""
    settings.COMPILED_READS_MAX_BYTES = 50_000
    data_changed()
    computed = []

    def compute():
        computed.append(["x" * 20_000])
        return computed[-1]

    first = cached_answer("test-too-large", [1], compute, in_process=True)
    again = cached_answer("test-too-large", [1], compute, in_process=True)
    assert again == first and again is not first
    assert len(computed) == 1  # the shared cache kept it
    assert not [key for key in kept.store.key_list("answer") if "test-too-large" in str(key)]


def test_an_answer_lives_in_the_shared_cache_as_long_as_answer_cache_seconds_says(settings):
    settings.ANSWER_CACHE_SECONDS = 0  # Django's cache: expired at once, never read again
    data_changed()
    computed = []
    for _ in range(2):
        cached_answer("test-lifetime", [1], lambda: computed.append("an answer") or computed[-1])
    assert len(computed) == 2


def test_a_held_version_keeps_answers_through_the_blocks_own_writes_and_only_there(missiles):
    """Inside ``version_held`` the answers read before a write are read again after it (the
    block's writes change nothing they are made of); outside it, the same write makes them
    stale."""
    computed = []

    def count():
        computed.append(1)
        return len(computed)

    before = data_version()
    with version_held():
        assert cached_answer("held", [], count, in_process=True) == 1
        data_changed()
        assert data_version() == before
        assert cached_answer("held", [], count, in_process=True) == 1
    assert data_version() != before
    assert cached_answer("held", [], count, in_process=True) == 2


# --- an answer kept under its tables' versions: the graph ----------------------------------


def graph(client, path=GRAPH):
    return client.get(path).json()


def rename_kp():
    kp = country("KP")
    kp.name = "DPRK, renamed"
    kp.save()


def retarget_regime(missiles):
    regime = missiles["regime"]
    regime.target_country = country("IR")
    regime.save()


def rename_authority(missiles):
    authority = missiles["regime"].authority
    authority.name = "The Security Council, renamed"
    authority.save()


# A write to each model the graph is made of (``graph_reads``), and what it changes there.
GRAPH_WRITES = {
    "a country": lambda missiles: rename_kp(),
    "a regime": retarget_regime,
    "an authority": rename_authority,
    "a relationship": lambda missiles: RelationshipFactory(reference="ru-kp-treaty", review_status="published"),
    "a transfer's tally": lambda missiles: TransferFactory(reference="kp-ru-more", review_status="published"),
}


@pytest.mark.parametrize("write", GRAPH_WRITES)
@pytest.mark.parametrize("path", [GRAPH, f"{GRAPH}?from=2023-01-01"])
def test_a_write_to_what_the_graph_is_made_of_shows_in_the_next_graph(missiles, anonymous, write, path):
    before = graph(anonymous, path)
    GRAPH_WRITES[write](missiles)
    after = graph(anonymous, path)
    assert after != before
    with CaptureQueriesContext(connection) as queries:
        assert graph(anonymous, path) == after
    assert len(queries.captured_queries) == 1  # kept again


def test_the_graph_is_kept_through_writes_to_what_it_is_not_made_of(missiles, anonymous):
    """A new source, and a transfer's description (no tally changes), leave the graph without
    a period kept; the data version moves on, and the profile is computed again. A graph of a
    period reads the transfers themselves: the description makes it stale."""
    period = f"{GRAPH}?from=2023-01-01"
    first, first_of_period, profile = graph(anonymous), graph(anonymous, period), anonymous.get(PROFILE).json()
    version = data_version()
    SourceFactory(title="A new report")
    transfer = missiles["transfer"]
    transfer.description = "Described again."
    transfer.save()
    assert data_version() != version
    with CaptureQueriesContext(connection) as queries:
        assert graph(anonymous) == first
    assert len(queries.captured_queries) == 1
    with CaptureQueriesContext(connection) as queries:
        assert graph(anonymous, period) == first_of_period
    assert len(queries.captured_queries) > 1
    with CaptureQueriesContext(connection) as queries:
        assert anonymous.get(PROFILE).json() == profile
    assert len(queries.captured_queries) > 1


@pytest.mark.parametrize("path", ["/network/", "/network/?start=2023-01-01"])
def test_the_network_pictures_pairs_are_kept_until_a_table_they_are_made_of_is_written(missiles, anonymous, path):
    """A new source redraws the page from the kept pairs (no statement reads the transfers or
    their tally); a new transfer between two other countries is drawn on the next read."""
    first = anonymous.get(path).content.decode()
    SourceFactory(title="A new report")
    with CaptureQueriesContext(connection) as queries:
        assert anonymous.get(path).content.decode() == first
    named = {table for query in queries.captured_queries for table in TABLE_NAMED.findall(query["sql"])}
    assert not named & {"transfers_transfer", "transfers_transfertally"}, named
    assert "Mongolia" not in first
    TransferFactory(
        reference="mn-cn-more",
        supplier=country("MN"),
        recipient=country("CN"),
        started_on=datetime.date(2024, 1, 1),
        review_status="published",
    )
    assert "Mongolia" in anonymous.get(path).content.decode()


TABLE_NAMED = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)


@pytest.mark.parametrize("start", [None, datetime.date(2023, 1, 1)])
@pytest.mark.parametrize("drafts", [False, True], ids=["public", "drafts"])
def test_the_graph_reads_no_table_but_those_it_is_kept_under(missiles, start, drafts):
    """Every table the graph's statements name is one of ``graph_reads``' (the user's groups
    aside: whether they see drafts is part of the key): a table left out would keep a graph
    its change had made stale."""
    RelationshipFactory(reference="ru-kp-treaty", review_status="published")
    user = user_in(REVIEWERS, "graph-reviewer") if drafts else AnonymousUser()
    assert sees_drafts(user) is drafts
    with CaptureQueriesContext(connection) as queries:
        parts = graph_parts(start=start, user=user)
        assert graph_parts(start=start, user=user, by_pair=True)["pairs"]  # the network picture's pairs
        if start is None:  # and as the API builds it, supplier by supplier
            tally_graph_json([], user=user, transfers="http://testserver/api/v1/transfers/")
    assert parts["flows"] and parts["others"]
    named = {table for query in queries.captured_queries for table in TABLE_NAMED.findall(query["sql"])}
    # The versions themselves: the countries' version keys the suppliers' kept edges.
    kept_under = {model._meta.db_table for model in graph_reads(start)} | {"common_dataversion", "common_tableversion"}
    assert named and named <= kept_under, named - kept_under


def test_a_tables_version_is_the_data_version_of_its_last_write():
    """Written: the data version that write set; never written: the data version now; a
    change no trigger sees (``data_changed``): every table's version with the data's."""
    data_changed()
    source_table, country_table = SourceFactory._meta.model._meta.db_table, "geo_country"
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM common_tableversion WHERE name = %s", [country_table])
    SourceFactory(title="Written now")
    written = data_version()
    assert table_versions([source_table, country_table], "default") == (written, written)
    ResolutionFactory(symbol="S/RES/9999 (2099)", number=9999)
    assert table_versions([source_table, country_table], "default") == (written, data_version())
    data_changed()
    assert data_version() > written
    assert table_versions([source_table], "default") == (data_version(),)


def test_only_the_whole_graph_keeps_its_suppliers_edges(missiles, anonymous):
    """The graph of every category keeps each supplier's edges for the next write; a graph of
    a few categories (the client's choice, each as large) is kept whole only."""
    transfers = "http://testserver/api/v1/transfers/"

    def suppliers_kept(categories):
        return cache.get(cache_key("graph-suppliers", True, categories, transfers, version="fingerprinted"))

    cache.clear()
    anonymous.get(f"{GRAPH}?category=missiles")
    assert suppliers_kept(["missiles"]) is None
    anonymous.get(GRAPH)
    assert [entry.country for entry in suppliers_kept([]).values()] == [("KP", country("KP").name)]
