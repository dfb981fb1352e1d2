"""List pages and details run a statement compiled once (apps.common.compiled): what they
serve is what the ORM's path serves (tests/api/test_list_rows.py compares every resource),
the kept statement never outlives what it depends on, and on PostgreSQL a page is one
prepared statement."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.actors.models import Actor
from apps.common import kept
from apps.common.api.compiled import CompiledPage, KeptPage, read_page
from apps.common.cache import cached_answer, data_changed
from apps.common.changes import _history_keys, _keys_of_every_model
from apps.common.registry import contract_models
from apps.transfers.api.views import TransferViewSet
from apps.transfers.models import Transfer
from tests.factories import ActorFactory, TransferFactory, country

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statement and plans")

LIST = "/api/v1/transfers/?supplier=KP"


def published_transfers(count, **fields):
    return [TransferFactory(review_status="published", **fields) for _ in range(count)]


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json(), [query["sql"] for query in captured.captured_queries]


def references(page):
    return sorted(record["reference"] for record in page["results"])


def test_a_write_shows_in_the_next_page(anonymous):
    published_transfers(2)
    first = anonymous.get(LIST).json()
    assert anonymous.get(LIST).json() == first  # the kept statement, run again
    TransferFactory(reference="new-one", review_status="published")
    after = anonymous.get(LIST).json()
    assert after["count"] == first["count"] + 1
    assert "new-one" in references(after)


def test_a_key_resolved_when_compiled_is_resolved_again_after_a_write(anonymous):
    """A filter by natural key writes the key's id into the statement: after the key moves
    to another record, the filter must find that record's transfers."""
    old = ActorFactory(slug="acme")
    published_transfers(1, reference="old-acme", supplier_actor=old)
    url = "/api/v1/transfers/?supplier_actor=acme"
    assert references(anonymous.get(url).json()) == ["old-acme"]
    # A bulk update sends no signal, but the data version's trigger sees it: the key is resolved again.
    Actor.objects.filter(pk=old.pk).update(slug="acme-before")
    assert references(anonymous.get(url).json()) == []
    published_transfers(1, reference="new-acme", supplier_actor=ActorFactory(slug="acme"))
    assert references(anonymous.get(url).json()) == ["new-acme"]


def test_a_kept_page_reads_the_data_version_in_its_own_statement(anonymous):
    """Read again, a kept page sends no statement of its own for the data version: its rows'
    statement reads it (``VERSION_COLUMN``), in the same snapshot as the rows."""
    published_transfers(2)
    first, _ = queries_of(anonymous, LIST)
    again, queries = queries_of(anonymous, LIST)
    assert again == first
    assert "SELECT version FROM common_dataversion WHERE id = 1" not in queries
    assert sum("(SELECT version FROM common_dataversion WHERE id = 1)" in query for query in queries) == 1


def test_a_page_written_to_while_it_is_compiled_is_compiled_again_then_left_to_the_orm(anonymous):
    """Its rows come at a newer data version than it was compiled at: it is compiled again;
    when that happens twice over, ``read_page`` leaves the page to the ORM's path (None)."""
    published_transfers(2)
    compiled = []

    def transfers():
        rows = Transfer.objects.order_by("pk").values("pk")
        rows.counted = Transfer.objects.all()
        return rows

    def compile_while_written_to():
        compiled.append(1)
        data_changed()  # another writer, between the version read and the rows
        return CompiledPage(transfers(), 1, 10)

    assert read_page(("test-written-to",), compile_while_written_to) is None
    assert len(compiled) == 2

    def compile_once_written_to():
        compiled.append(1)
        if len(compiled) == 3:
            data_changed()
        return CompiledPage(transfers(), 1, 10)

    rows, count, exact = read_page(("test-written-to-once",), compile_once_written_to)
    assert len(compiled) == 4 and (len(rows), count, exact) == (2, 2, True)


def test_a_page_past_the_last_is_still_a_404(anonymous):
    published_transfers(1)
    assert anonymous.get(LIST + "&page=2").status_code == 404
    assert anonymous.get(LIST + "&page=2").status_code == 404
    assert anonymous.get(LIST + "&page=last").status_code == 200


def test_the_page_size_and_count_limit_in_force_are_part_of_the_kept_page(anonymous):
    published_transfers(5)
    second_page = LIST + "&page=2"
    with override_settings(API_PAGE_SIZE=2):
        assert len(anonymous.get(second_page).json()["results"]) == 2  # the 3rd and 4th of 5
    with override_settings(API_PAGE_SIZE=3):
        assert len(anonymous.get(second_page).json()["results"]) == 2  # the 4th and 5th of 5
    with override_settings(API_EXACT_COUNT_LIMIT=2):
        page = anonymous.get(LIST).json()
        assert (page["count_exact"], page["count"] >= 3) == (connection.vendor != "postgresql", True)
    page = anonymous.get(LIST).json()
    assert (page["count"], page["count_exact"]) == (5, True)


def test_a_page_kept_yesterday_is_compiled_again_today(anonymous, monkeypatch):
    """An ongoing transfer runs to today (apps.common.periods): whether it is still active
    after a later day changes when the day comes, and so does the statement of the page."""
    TransferFactory(
        reference="still-going",
        review_status="published",
        started_on=datetime.date(2024, 3, 1),
        ended_on=None,
        date_precision="day",
    )
    url = "/api/v1/transfers/?active_after=2024-05-01"
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2024, 4, 10))
    assert references(anonymous.get(url).json()) == []  # it has run to 10 April so far
    assert references(anonymous.get(url).json()) == []  # the kept page
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2024, 5, 15))
    assert references(anonymous.get(url).json()) == ["still-going"]  # now it has reached May


def test_one_detail_statement_serves_every_record_with_its_etag(anonymous):
    first, second = published_transfers(2)
    kept.store.clear()  # details are kept across data versions: earlier tests' may be there
    for transfer in (first, second, first):
        response = anonymous.get(f"/api/v1/transfers/{transfer.reference}/")
        assert response.status_code == 200
        assert response.json()["reference"] == transfer.reference
        assert response["ETag"] == f'"{transfer.pk}-{transfer.version}"'
    anonymous_details = [
        key for key in kept.store.key_list("read") if "detail" in key and key[1] is TransferViewSet and not key[2]
    ]
    assert len(anonymous_details) == 1  # one statement for every record
    again = anonymous.get(
        f"/api/v1/transfers/{first.reference}/", headers={"If-None-Match": f'"{first.pk}-{first.version}"'}
    )
    assert again.status_code == 304
    assert anonymous.get("/api/v1/transfers/no-such-transfer/").status_code == 404


def test_a_detail_is_kept_per_audience(anonymous, editor_client):
    draft = TransferFactory(reference="still-a-draft")
    assert anonymous.get("/api/v1/transfers/still-a-draft/").status_code == 404
    assert editor_client.get("/api/v1/transfers/still-a-draft/").json()["reference"] == draft.reference
    assert anonymous.get("/api/v1/transfers/still-a-draft/").status_code == 404


@on_postgresql
def test_a_page_is_one_prepared_statement_on_postgresql(anonymous):
    published_transfers(3)
    anonymous.get(LIST)
    page, queries = queries_of(anonymous, LIST)
    assert page["count"] == 3
    # Rows, many-to-many lists and the data version (apps.common.dataversion) they were read
    # at: one statement; the count was read with the first request, and kept with the page.
    assert len(queries) == 1, queries
    assert "ARRAY(SELECT" in queries[0] and "count(*)" not in queries[0]
    assert "(SELECT version FROM common_dataversion WHERE id = 1)" in queries[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%transfers_transfer%"])
        assert cursor.fetchone()[0] >= 1


@pytest.mark.parametrize("limit", [2, 1000])
def test_a_count_is_worked_out_once_per_kept_page(anonymous, limit):
    """The count, exact or estimated, is read with the first request of a kept page only."""
    published_transfers(4)
    with override_settings(API_EXACT_COUNT_LIMIT=limit):
        first, queries = queries_of(anonymous, LIST)
        assert any("count(" in query.lower() for query in queries)
        page, queries = queries_of(anonymous, LIST)
    assert page == first
    estimated = limit == 2 and connection.vendor == "postgresql"
    assert (page["count_exact"], page["count"] >= 3) == (not estimated, True)
    assert [query for query in queries if "count(" in query.lower() or query.startswith("EXPLAIN")] == []


def test_an_empty_first_page_counts_zero_exactly(anonymous):
    """No transfer of the supplier: the first page, empty, says count 0, exact, and no next
    page, when it is compiled and when it is read again."""
    published_transfers(2, supplier=country("IR"))
    for _ in range(2):
        page = anonymous.get(LIST).json()
        assert (page["count"], page["count_exact"], page["next"], page["results"]) == (0, True, None, [])


@on_postgresql
@pytest.mark.parametrize("public_only", [True, False])
def test_the_feed_keys_in_one_statement_are_each_models_keys(public_only, editor):
    """The change feed's one ``UNION ALL`` statement picks the keys the per-model reads pick,
    in a tie too (``after``)."""
    moment = datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)
    for number in range(4):
        TransferFactory(reference=f"tie-{number}", review_status="published" if number % 2 else "draft")
        ActorFactory(slug=f"tie-actor-{number}")
    for model in contract_models():
        model.history.model.objects.filter(history_date__gte=moment).update(history_date=moment)
    since = moment - datetime.timedelta(seconds=1)
    resumes = [("transfers.transfer", 0), ("actors.actor", 10**12), ("zz.past_every_label", 5), ("aa.before", 5)]
    for after in [None, *resumes, ("geo.country", 1)]:
        expected = sorted(
            (date, label, history_id)
            for model in contract_models()
            for date, history_id, label in _history_keys(model, since, after, 3, public_only)
        )[:4]
        assert _keys_of_every_model(since, after, 3, public_only) == expected
        assert _keys_of_every_model(since, after, 3, public_only) == expected  # the kept statement


def test_an_answer_kept_in_process_is_the_same_object_until_a_write():
    computed = []

    def compute():
        computed.append(object())
        return computed[-1]

    first = cached_answer("test-in-process", [country("KP").pk], compute, in_process=True)
    assert cached_answer("test-in-process", [country("KP").pk], compute, in_process=True) is first
    data_changed()
    assert cached_answer("test-in-process", [country("KP").pk], compute, in_process=True) is not first
    assert len(computed) == 2


def test_a_new_data_version_drops_the_pages_and_answers_of_older_ones(anonymous):
    """A site written to all day must not keep every version's pages: each worker keeps the
    current version's only."""
    published_transfers(1)
    for number in range(3):
        anonymous.get(f"{LIST}&page_size={number + 1}")
        cached_answer("test-versions", [number], lambda number=number: number, in_process=True)
        data_changed()
    anonymous.get(LIST)
    cached_answer("test-versions", ["now"], lambda: "now", in_process=True)
    assert len(kept.store.key_list("read", for_data=True)) == 1
    answers = kept.store.key_list("answer")
    versions = [key[1].split(":")[2] for key in answers]
    assert versions == [versions[0]] * len(answers)  # the current version's only
    ours = [key for key in answers if ":test-versions:" in key[1]]
    assert len(ours) == 1 and kept.store.get(ours[0]) == "now"
    # And on PostgreSQL the page's bounded count (``kept_bounded_count``).
    assert len(answers) == (2 if connection.vendor == "postgresql" else 1)


# --- the store's budget -------------------------------------------------------------------


def test_the_least_recently_used_value_goes_first_past_the_budget(settings):
    settings.COMPILED_READS_MAX_BYTES = 1000
    store = kept.KeptStore()
    first, second = object(), object()
    store.put(("read", "first"), first, 400)
    store.put(("plan", "second"), second, 400)
    assert store.get(("read", "first")) is first  # now the most recently used
    store.put(("answer", "third"), object(), 400)
    assert store.key_list() == [("read", "first"), ("answer", "third")]
    assert store.bytes == 800 + len(repr(("read", "first"))) + len(repr(("answer", "third"))) <= 1000
    store.put(("read", "too large"), object(), 2000)
    assert store.key_list() == [("read", "first"), ("answer", "third")]  # above the whole budget: not kept
    assert store.key_list("answer") == [("answer", "third")]


def test_a_new_data_version_drops_only_the_values_worked_out_from_the_data(settings):
    settings.COMPILED_READS_MAX_BYTES = 10_000
    store = kept.KeptStore()
    store.put(("read", "detail"), object(), 100)
    store.put(("read", "page at v1"), object(), 100, data_version=1)
    assert store.get(("read", "page at v1"), data_version=2) is kept.MISSING
    assert store.key_list() == [("read", "detail")]
    assert store.bytes == 100 + len(repr(("read", "detail")))


def test_threads_sharing_the_store_never_break_it(settings):
    """A gthread worker's threads look up, add and drop values at once, across versions."""
    settings.COMPILED_READS_MAX_BYTES = 5_000
    store = kept.KeptStore()
    failures = []

    def work(offset):
        try:
            for number in range(3000):
                version = number // 500
                key = ("read", number % 40)
                if store.get(key, data_version=version) is kept.MISSING:
                    store.put(key, object(), 100 + offset, data_version=version if number % 3 else None)
        except Exception as error:  # noqa: BLE001 - any failure of another thread is the finding
            failures.append(error)

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert store.bytes == sum(size for _, size, _ in store._entries.values()) <= 5_000


def test_statements_plans_and_answers_share_one_budget(anonymous, settings):
    """A page's statement, the list plan and an answer kept in process are one store: past
    COMPILED_READS_MAX_BYTES the least recently used of any kind is dropped first."""
    published_transfers(1)
    kept.store.clear()
    assert anonymous.get(LIST).status_code == 200  # its plan, then its statement
    cached_answer("test-budget", [1], lambda: "an answer", in_process=True)

    def kinds():
        # On PostgreSQL a page's bounded count is an answer too (``kept_bounded_count``).
        return [key[0] for key in kept.store.key_list() if ":bounded-count:" not in str(key)]

    order = kinds()
    assert order == ["plan", "read", "answer"]
    first_page = kept.store.key_list("read")[0]
    settings.COMPILED_READS_MAX_BYTES = kept.store.bytes + 100  # full
    # The plan is used again (now the most recent), and another page's statement is added:
    # the least recently used, the first page's statement, makes room for it.
    assert anonymous.get(LIST + "&page_size=2").status_code == 200
    assert kept.store.bytes <= settings.COMPILED_READS_MAX_BYTES
    assert kinds() == ["answer", "plan", "read"]
    assert first_page not in kept.store.key_list()


def test_a_thousand_filter_urls_keep_the_store_within_its_budget(anonymous, settings):
    """Every distinct filter is a statement of its own: a client asking a thousand of them
    leaves the worker's store within COMPILED_READS_MAX_BYTES, the most recent kept."""
    published_transfers(2, supplier=country("KP"))
    settings.COMPILED_READS_MAX_BYTES = 1_000_000
    kept.store.clear()
    for number in range(1000):
        assert anonymous.get(f"{LIST}&q=ref-{number}").status_code == 200
        assert kept.store.bytes <= 1_000_000
    pages = [key for key in kept.store.key_list("read") if "list" in key]
    assert 2 <= len(pages) < 1000  # a PostgreSQL page's statement is larger: fewer fit
    assert any("&q=ref-999" in str(key) for key in pages)  # the latest page is kept
    assert not any("&q=ref-0" in str(key) for key in pages)  # the oldest are dropped


def test_request_values_are_parameters_never_written_into_the_statement(anonymous):
    """A filter's value and a detail's key are sent with each run of the kept statement; its
    text holds placeholders only (on PostgreSQL, the prepared statement's ``$n``)."""
    published_transfers(1, reference="bound-ref")
    kept.store.clear()
    assert anonymous.get(f"{LIST}&reference=needle%27s-100%25").status_code == 200  # needle's-100%
    assert anonymous.get("/api/v1/transfers/bound-ref/").json()["reference"] == "bound-ref"
    reads = [kept.store.get(key) for key in kept.store.key_list("read")]
    reads = [read.page.rows if isinstance(read, KeptPage) else read for read in reads]  # a list page's rows
    assert len(reads) == 2
    for read in reads:
        assert "needle" not in read.sql and "bound-ref" not in read.sql and "%s" in read.sql
    assert any("needle" in str(value) for value in reads[0].params), reads[0].params
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ["%transfers_%"])
            statements = [row[0] for row in cursor.fetchall()]
        assert len(statements) >= 2 and all("$1" in statement for statement in statements)
        assert not any("needle" in statement or "bound-ref" in statement for statement in statements)


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("url", ["/api/v1/transfers/", "/api/v1/transfers/kept-ref/"])
def test_a_broken_connection_is_replaced_by_the_first_read_without_a_select_1(url, anonymous, monkeypatch):
    """The first read of a request is the health check of the connection it reuses
    (apps.common.health): no ``SELECT 1`` before it, and a connection the server closed
    meanwhile (a restart) is replaced and the read sent again."""
    published_transfers(1, reference="kept-ref")
    assert anonymous.get(url).status_code == 200
    checks = []
    monkeypatch.setattr(type(connections["default"]), "is_usable", lambda self: checks.append(self) or True)
    other = connections.create_connection("default")
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
    other.close()
    connection.health_check_done = False  # a new request on the kept connection
    response = anonymous.get(url)
    assert response.status_code == 200, response.content
    assert checks == []
    assert not connection.connection.closed


def test_a_statement_that_can_match_nothing_is_kept_as_none_and_not_compiled_again():
    """``filter(pk__in=[])`` has no SQL (Django raises ``EmptyResultSet``): the store keeps
    that answer, at the size of an empty reading, rather than trying again on every request."""
    from django.core.exceptions import EmptyResultSet

    from apps.common.compiled import kept as kept_read

    calls = []

    def compile_nothing():
        calls.append(1)
        raise EmptyResultSet

    key = ("test-nothing", datetime.date.today())
    assert kept_read(key, compile_nothing) is None
    assert kept_read(key, compile_nothing) is None
    assert len(calls) == 1


def test_a_readings_estimated_size_grows_with_its_statement():
    """The store is bounded by bytes, and a reading holds the ORM's compiler, query and
    converters, which grow with its statement (measured: 26 KB for 740 characters, 85 KB for
    3,100): a list page's reading is estimated several times a one-column reading's."""
    from apps.common.compiled import CompiledRead

    small = CompiledRead(Transfer.objects.values("reference"))
    columns = [field.attname for field in Transfer._meta.concrete_fields]
    names = ["supplier__name", "recipient__name", "supplier_actor__name", "recipient_actor__name"]
    page = CompiledRead(Transfer.objects.filter(review_status="published").values(*columns, *names))
    assert len(page.sql) > 5 * len(small.sql)
    assert page.kept_bytes > 3 * small.kept_bytes
