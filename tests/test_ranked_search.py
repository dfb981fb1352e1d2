"""Search ranks: a record whose reference or name is the text comes before one whose name
starts with it, before one that names it in a short text, before one that only mentions it
in its description; the API's ``q``, the admin's search box and ``/search/`` agree, and an
explicit order (``?ordering=``, a sorted column) still wins."""

import json
import re

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from apps.common import kept
from apps.common.choices import ReviewStatus
from apps.common.search import ranked
from apps.transfers.models import Transfer
from tests import factories as f

pytestmark = pytest.mark.django_db

# In the order search must give them for "komid"; created in another order, and each one's
# own order (-started_on, reference) is the reverse of the relevance order.
EXPECTED = ["komid", "komid-shipment-2019", "fuel-2021", "fuel-2023"]


@pytest.fixture
def transfers():
    rows = [
        ("fuel-2023", "refined petroleum", "Delivered through a front of Komid.", 2023),
        ("komid-shipment-2019", "rocket parts", "", 2019),
        ("komid", "missiles", "", 2017),
        ("fuel-2021", "Komid's trucks", "", 2021),
        ("unrelated", "coal", "Nothing to do with it.", 2024),
    ]
    import datetime

    for reference, items, description, year in rows:
        f.TransferFactory(
            reference=reference,
            items=items,
            description=description,
            started_on=datetime.date(year, 1, 1),
            ended_on=None,
            review_status=ReviewStatus.PUBLISHED,
        )


def test_the_relevance_order_of_a_search(transfers):
    found = ranked(
        Transfer.objects.filter(
            Q(reference__icontains="komid") | Q(items__icontains="komid") | Q(description__icontains="komid")
        ),
        ("reference", "items", "description"),
        "komid",
    )
    assert [t.reference for t in found] == EXPECTED
    scores = [t.relevance for t in found]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)


def test_the_api_q_orders_by_relevance_unless_an_ordering_is_asked(client, transfers):
    answer = client.get("/api/v1/transfers/?q=komid").json()
    assert [row["reference"] for row in answer["results"]] == EXPECTED
    answer = client.get("/api/v1/transfers/?q=komid&ordering=reference").json()
    assert [row["reference"] for row in answer["results"]] == sorted(EXPECTED)
    # Without q, the list's own order.
    answer = client.get("/api/v1/transfers/").json()
    assert [row["reference"] for row in answer["results"]][0] == "unrelated"


def test_the_admin_search_box_orders_by_relevance_unless_a_column_is_sorted(admin_client, transfers):
    def listed(url):
        html = admin_client.get(url).content.decode()
        return [ref for ref in re.findall(r'/change/[^"]*">([a-z0-9-]+)</a>', html)]

    assert listed("/admin/transfers/transfer/?q=komid") == EXPECTED
    assert listed("/admin/transfers/transfer/?q=komid&o=1") == sorted(EXPECTED)


def test_the_search_page_lists_the_best_match_first(client, transfers):
    html = client.get("/search/?q=komid").content.decode()
    section = html[html.index("<h2>Transfers") :]
    section = section[: section.index("</section>")]
    found = [ref for ref in re.findall(r'href="/transfers/([a-z0-9-]+)/"', section) if ref in EXPECTED]
    assert list(dict.fromkeys(found)) == EXPECTED


def test_only_a_bounded_number_of_matches_is_ranked_and_every_match_stays_in_the_answer(client, transfers, monkeypatch):
    """With room for one candidate of each kind: the most recent match (fuel-2023) and the most
    recent whose reference begins with the text (komid-shipment-2019) are ranked; the others
    follow in the list's order, and the count is whole."""
    monkeypatch.setattr("apps.common.search.RANKED_CANDIDATES", 1)
    answer = client.get("/api/v1/transfers/?q=komid").json()
    assert [row["reference"] for row in answer["results"]] == ["komid-shipment-2019", "fuel-2023", "fuel-2021", "komid"]
    assert answer["count"] == 4


@pytest.fixture
def many_matches():
    """45 transfers naming "komid", in the list's order by year, some by reference."""
    import datetime

    for i in range(45):
        f.TransferFactory(
            reference=f"komid-{i:02d}" if i % 4 == 0 else f"fuel-{i:02d}",
            items="Komid's trucks" if i % 3 else "rocket parts",
            description="" if i % 3 else "through a front of Komid",
            started_on=datetime.date(1980 + i, 1, 1),
            ended_on=None,
            review_status=ReviewStatus.PUBLISHED,
        )


FIELDS = ("reference", "items", "description")


def _komid():
    return ranked(
        Transfer.objects.filter(
            Q(reference__icontains="komid") | Q(items__icontains="komid") | Q(description__icontains="komid")
        ),
        FIELDS,
        "komid",
    )


def test_a_ranked_searchs_pages_are_the_rows_of_its_whole_order(many_matches, monkeypatch):
    """Every page (slice) read in parts holds the rows the whole ordered statement gives at
    those places: the ranked candidates, then the other matches in the list's order."""
    monkeypatch.setattr("apps.common.search.RANKED_CANDIDATES", 6)
    whole = [t.reference for t in _komid()]
    scores = [t.relevance for t in _komid()]
    assert len(whole) == 45 and len(set(whole)) == 45
    # The candidates (the six most recent, and six whose reference starts with the text)
    # come first, by relevance; the others in the list's order, newest first.
    assert whole[:6] == [ref for ref in whole[:6] if ref.startswith("komid")]
    assert [t.started_on.year for t in _komid()[12:]] == sorted(
        (t.started_on.year for t in _komid()[12:]), reverse=True
    )
    for start in range(0, 46, 5):
        for size in (1, 4, 10, 25):
            page = _komid()[start : start + size]
            assert [t.reference for t in page] == whole[start : start + size]
            # Each row carries the relevance the whole statement gives it (-1 past the candidates).
            assert [t.relevance for t in page] == scores[start : start + size]
    values = _komid().values("reference")
    assert [row["reference"] for row in values[3:17]] == whole[3:17]
    # Ordered again, it is the plain order.
    assert [t.reference for t in _komid().order_by("reference")[:5]] == sorted(whole)[:5]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's")
def test_no_statement_of_a_ranked_page_sorts_every_match(many_matches, monkeypatch):
    """With sorting made a last resort, PostgreSQL's plans for a page of a ranked search sort
    the candidates at most: the other matches are read in the list's order by its index as
    far as the page goes."""
    monkeypatch.setattr("apps.common.search.RANKED_CANDIDATES", 3)
    for start in (0, 20):
        with CaptureQueriesContext(connection) as captured:
            assert len(_komid()[start : start + 5]) == 5
        sorted_rows = []
        for query in captured.captured_queries:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_sort = off")
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {query['sql']}")
                plan = cursor.fetchone()[0]
                cursor.execute("SET LOCAL enable_sort = on")
            nodes = [(json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]]
            while nodes:
                node = nodes.pop()
                if node["Node Type"] in ("Sort", "Incremental Sort"):
                    sorted_rows.append(sum(child["Actual Rows"] for child in node["Plans"]))
                nodes.extend(node.get("Plans", []))
        # The candidates' keys are sorted once (kept until the next write), by key.
        assert all(n <= 2 * 3 for n in sorted_rows), sorted_rows


def test_a_ranked_searchs_count_is_counted_once_until_the_next_write(client, many_matches, monkeypatch):
    """The same search asked again reads its candidates and, on PostgreSQL where a page
    carries its bounded count, its count from what the first asking kept (no statement of the
    second counts the matches; SQLite, the embedded store for small data, counts exactly every
    time: ``apps.common.paging``), and a write makes both stale: a new match is counted and
    listed."""
    counts_kept = connection.vendor == "postgresql"
    monkeypatch.setattr("apps.common.search.RANKED_CANDIDATES", 6)
    first = client.get("/api/v1/transfers/?q=komid&page_size=20").json()
    assert first["count"] == 45
    with CaptureQueriesContext(connection) as captured:
        again = client.get("/api/v1/transfers/?q=komid&page_size=20").json()
    assert again == first
    assert not counts_kept or not [q["sql"] for q in captured.captured_queries if "count(" in q["sql"].lower()]
    # A later page, read past the candidates in the list's order, counts the same.
    with CaptureQueriesContext(connection) as captured:
        second_page = client.get("/api/v1/transfers/?q=komid&page_size=20&page=2").json()
    assert second_page["count"] == 45 and len(second_page["results"]) == 20
    assert not counts_kept or not [q["sql"] for q in captured.captured_queries if "count(" in q["sql"].lower()]
    import datetime

    f.TransferFactory(
        reference="komid-new",
        items="rocket parts",
        started_on=datetime.date(2030, 1, 1),
        ended_on=None,
        review_status=ReviewStatus.PUBLISHED,
    )
    after = client.get("/api/v1/transfers/?q=komid&page_size=20").json()
    assert after["count"] == 46
    # The newest match is among the candidates, ranked with the others whose reference
    # begins with the text.
    assert "komid-new" in [row["reference"] for row in after["results"][:6]]


def test_a_ranked_searchs_pages_kept_as_statements_are_its_whole_order(client, many_matches, monkeypatch):
    """A page of a ranked search that lies within its candidates, or wholly past them, is kept
    as one statement until the next write, as a filtered list's page is
    (``apps.common.api.compiled``); read first and then again from that statement, every page
    holds the rows the whole ranked order gives at its places, with the whole count. Only the
    page that spans the candidates and the matches past them is read in parts each time."""
    monkeypatch.setattr("apps.common.search.RANKED_CANDIDATES", 6)
    search = "/api/v1/transfers/?q=komid"
    whole = [row["reference"] for row in client.get(f"{search}&page_size=45").json()["results"]]
    assert len(whole) == 45
    kept.store.clear()
    for number in range(1, 10):
        for _asking in range(2):  # the first asking keeps the page's statement, the second runs it
            answer = client.get(f"{search}&page_size=5&page={number}").json()
            assert [row["reference"] for row in answer["results"]] == whole[(number - 1) * 5 : number * 5]
            assert answer["count"] == 45
    pages = [kept.store.get(key).page for key in kept.store.key_list("read") if "list" in key]
    assert len(pages) == 9
    assert sum(page is not None for page in pages) == 8
