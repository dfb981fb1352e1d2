"""The tallies (apps.transfers.tallies): the counts of transfers, claims and findings the graph, the
network, the home page and a country's profile read are a fresh count after every write path:
saves, moves between buckets, publishing, deletes (with their cascades), loads; checked and
rebuilt by ``manage.py tallies``. Designations are counted by their actor's country and year."""

import datetime
import functools
import io
import operator
from urllib.parse import urlencode

import orjson
import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from apps.common.api.renderers import ORJSONRenderer
from apps.common.roles import REVIEWERS
from apps.common.services import records_set_review_status
from apps.explore import graph as graphs
from apps.explore import selectors
from apps.explore.api.serializers import GraphSerializer
from apps.explore.graph_json import graph_json, tally_graph_json
from apps.explore.pages import PUBLIC, country_page, home_page
from apps.ingest.loader import RecordList, load_records
from apps.ingest.services.records import Location, Record
from apps.sanctions.models import Designation, Measure
from apps.transfers import tallies
from apps.transfers.findings import audience_of
from apps.transfers.models import Claim, ClaimTally, Finding, FindingTally, Transfer, TransferTally
from apps.transfers.services import CONTRAVENING
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    DesignationFactory,
    MeasureFactory,
    RegimeFactory,
    SourceFactory,
    TransferFactory,
    country,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def in_step():
    """Every row of the tallies is a fresh count: ``[]``, else the differences."""
    return tallies.differences()


def bucket(transfer):
    state = tallies.counted(transfer)
    return TransferTally.objects.get(
        supplier_id=state.supplier_id,
        recipient_id=state.recipient_id,
        category=state.category,
        status=state.status,
        published=state.published,
    )


def shells(reference, **fields):
    values = {
        "reference": reference,
        "supplier": country("KP"),
        "recipient": country("RU"),
        "category": "munitions",
        "started_on": D(2023, 9, 1),
        "ended_on": D(2023, 10, 1),
        "review_status": "published",
    }
    return TransferFactory(**{**values, **fields})


def test_a_transfer_moved_to_another_bucket_takes_its_count_and_its_dates_with_it():
    early = shells("early", started_on=D(2022, 1, 1), ended_on=None)
    late = shells("late", started_on=D(2024, 1, 1), ended_on=D(2024, 12, 31))
    row = bucket(late)
    assert (row.transfers, row.open_ended, row.first_start, row.last_end) == (2, 1, D(2022, 1, 1), D(2024, 12, 31))
    early.status = "corroborated"  # leaves with the earliest start and the open end
    early.save()
    row = bucket(late)
    assert (row.transfers, row.open_ended, row.first_start, row.last_end) == (1, 0, D(2024, 1, 1), D(2024, 12, 31))
    assert (bucket(early).transfers, bucket(early).first_start) == (1, D(2022, 1, 1))
    late.recipient = country("SY")  # its old bucket left empty: gone
    late.save()
    assert not TransferTally.objects.filter(recipient=country("RU"), status="alleged").exists()
    late.started_on, late.ended_on = D(2020, 5, 1), D(2020, 6, 1)  # its dates in its own bucket
    late.save()
    assert (bucket(late).first_start, bucket(late).last_end) == (D(2020, 5, 1), D(2020, 6, 1))
    assert in_step() == []


def test_publishing_deleting_and_returning_to_draft_move_transfers_and_their_claims(reviewer):
    draft = shells("draft-shells", review_status="draft")
    claims = [ClaimFactory(transfer=draft, review_status="published") for _ in range(2)]
    ClaimFactory(transfer=draft, review_status="draft")
    assert tallies.claims_count(published_only=True) == 0
    assert tallies.claims_count(published_only=False) == 3
    records_set_review_status(queryset=Transfer.objects.filter(pk=draft.pk), status="published", user=reviewer)
    assert tallies.claims_count(published_only=True) == 2
    assert bucket(Transfer.objects.get(pk=draft.pk)).published
    assert in_step() == []
    claims[0].review_status = "draft"
    claims[0].save()
    assert tallies.claims_count(published_only=True) == 1
    claims[1].delete()
    assert tallies.claims_count(published_only=True) == 0
    records_set_review_status(queryset=Transfer.objects.filter(pk=draft.pk), status="draft", user=reviewer)
    assert in_step() == []
    Transfer.objects.get(pk=draft.pk).delete()  # its claims go first, each counted out
    assert TransferTally.objects.count() == 0
    assert tallies.claims_count(published_only=False) == 0
    assert in_step() == []


def test_a_claim_moved_to_another_transfer_is_counted_with_its_new_transfer():
    published = shells("published")
    draft = shells("draft", review_status="draft")
    claim = ClaimFactory(transfer=draft, review_status="published")
    assert tallies.claims_count(published_only=True) == 0
    claim.transfer = published
    claim.save()
    assert tallies.claims_count(published_only=True) == 1
    assert in_step() == []


def test_an_edit_that_moves_nothing_writes_no_tally():
    transfer = shells("quiet")
    transfer.description = "Seen at Rajin."
    transfer.quantity_low = 10
    with CaptureQueriesContext(connection) as queries:
        transfer.save()
    assert not [q for q in queries if "tally" in q["sql"].lower() and "select" not in q["sql"].lower()[:8]]
    assert in_step() == []


def record(label, **fields):
    return Record(label, fields, Location("test", fields.get("reference", label)))


def load(*records):
    report = load_records([RecordList(list(records))], change_reason="test")
    assert not report.errors, report.errors
    return report


def transfer_record(reference, **fields):
    values = {
        "reference": reference,
        "supplier": ["KP"],
        "recipient": ["RU"],
        "category": "munitions",
        "started_on": "2023-09-01",
        "review_status": "published",
    }
    return record("transfers.transfer", **{**values, **fields})


def claim_record(reference, transfer, url, **fields):
    values = {
        "reference": reference,
        "transfer": [transfer],
        "stance": "alleges",
        "claimant_country": ["US"],
        "source": [url],
        "review_status": "published",
    }
    return record("transfers.claim", **{**values, **fields})


def test_a_load_counts_what_it_creates_and_moves_what_it_changes():
    url = SourceFactory().url
    shells("stored-draft", review_status="draft", category="missiles")
    ClaimFactory(
        reference="stored-claim", transfer=Transfer.objects.get(reference="stored-draft"), review_status="published"
    )
    load(
        transfer_record("loaded-1", ended_on="2023-12-31"),
        transfer_record("loaded-2", started_on="2021-02-01", status="confirmed"),
        claim_record("loaded-claim-1", "loaded-1", url),
        claim_record("loaded-claim-2", "loaded-2", url, review_status="draft"),
    )
    assert in_step() == []
    assert tallies.claims_count(published_only=True) == 1
    # Again: one transfer moved (to another status, a later start), the draft published (its
    # stored claim, not in the load, with it), a claim moved to another transfer.
    load(
        transfer_record("loaded-2", started_on="2022-02-01", status="alleged"),
        transfer_record("stored-draft", category="missiles", started_on="2023-09-01"),
        claim_record("loaded-claim-1", "loaded-2", url, review_status="draft"),
        claim_record("loaded-claim-2", "stored-draft", url),
    )
    assert in_step() == []
    assert tallies.claims_count(published_only=True) == 2
    # And a load that changes nothing the tallies count.
    load(transfer_record("loaded-1", ended_on="2023-12-31", description="Rail cars at Tumangang."))
    assert in_step() == []


def test_import_data_counts_what_it_loads(tmp_path):
    data = tmp_path / "shells.json"
    data.write_text(
        '[{"model": "transfers.transfer", "fields": {"reference": "loaded-shells", "supplier": ["KP"], '
        '"recipient": ["RU"], "category": "munitions", "started_on": "2023-09-01", "review_status": "published"}}]'
    )
    call_command("import_data", str(data), stdout=io.StringIO())
    assert bucket(Transfer.objects.get(reference="loaded-shells")).transfers == 1
    assert in_step() == []


def test_check_reports_every_difference_and_rebuild_mends_them():
    shells("one")
    ClaimFactory(transfer=Transfer.objects.get(reference="one"), review_status="published")
    TransferTally.objects.update(transfers=5)
    ClaimTally.objects.all().delete()
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("tallies", "--check", stdout=out, stderr=io.StringIO())
    assert exit_.value.code == 1
    assert "stored (5, 0, datetime.date(2023, 9, 1), datetime.date(2023, 10, 1)), counted (1, 0" in out.getvalue()
    assert "claims (True, True): stored None, counted 1" in out.getvalue()
    call_command("tallies", "--rebuild", stdout=io.StringIO())
    out = io.StringIO()
    call_command("tallies", "--check", stdout=out)
    assert "the tallies are a fresh count" in out.getvalue()


def test_the_migration_counts_what_is_stored_as_a_rebuild_does():
    from importlib import import_module

    migration = import_module("apps.transfers.migrations.0008_tallies")
    shells("a", ended_on=None)
    shells("b", review_status="draft", status="confirmed")
    ClaimFactory(transfer=Transfer.objects.get(reference="a"), review_status="published")
    ClaimFactory(transfer=Transfer.objects.get(reference="b"), review_status="published")
    TransferTally.objects.all().delete()
    ClaimTally.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(migration.COUNT_TRANSFERS)
        cursor.execute(migration.COUNT_CLAIMS)
    assert in_step() == []


# --- the readers answer as the grouped queries they replace -----------------------------------


def grouped_edges(user):
    """The graph's transfer edges as a GROUP BY of every transfer ``user`` reads computes them."""
    rows = (
        Transfer.objects.visible_to(user)
        .values("supplier__iso2", "recipient__iso2", "category", "status")
        .annotate(
            transfers=Count("pk"),
            first_start=Min("started_on"),
            last_end=Max("ended_on"),
            open_ended=Count("pk", filter=Q(ended_on__isnull=True)),
        )
        .order_by("supplier__iso2", "recipient__iso2", "category", "status")
    )
    return [
        (r["supplier__iso2"], r["recipient__iso2"], r["category"], r["status"], r["transfers"])
        + (r["first_start"], r["last_end"], r["open_ended"] > 0)
        for r in rows
    ]


def test_the_graph_the_flows_and_the_home_counts_read_off_the_tallies_are_the_grouped_ones(reviewer):
    for number, (supplier, recipient, category, status, published) in enumerate(
        [
            ("KP", "RU", "munitions", "alleged", True),
            ("KP", "RU", "munitions", "alleged", False),
            ("KP", "RU", "missiles", "confirmed", True),
            ("RU", "KP", "refined_petroleum", "alleged", True),
            ("IR", "RU", "drones", "corroborated", False),
        ]
    ):
        shells(
            f"t-{number}",
            supplier=country(supplier),
            recipient=country(recipient),
            category=category,
            status=status,
            started_on=D(2020 + number, 1, 1),
            ended_on=None if number % 2 else D(2025, number + 1, 1),
            review_status="published" if published else "draft",
        )
    today = D(2026, 12, 6)
    for user in (PUBLIC, reviewer):
        edges = [e for e in graphs.country_graph(user=user, today=today)["edges"] if e["kind"] == "transfer"]
        assert [
            (e["source"], e["target"], e["category"], e["status"], e["count"], e["started_on"], e["ended_on"])
            + (e["ongoing"],)
            for e in edges
        ] == grouped_edges(user)
        profile = selectors.country_profile(country("RU"), user=user, today=today)
        transfers = Transfer.objects.visible_to(user)
        assert profile["transfers_in"]["total"] == transfers.filter(recipient=country("RU")).count()
        assert profile["transfers_out"]["by_status"] == {
            row["status"]: row["n"]
            for row in transfers.filter(supplier=country("RU")).values("status").annotate(n=Count("pk")).order_by()
        }
    home = home_page()
    assert home["counts"]["transfers"] == Transfer.objects.visible_to(PUBLIC).count() == 3
    assert home["counts"]["claims"] == Claim.objects.visible_to(PUBLIC).count()
    # As many transfers each: by code.
    assert [(c["iso2"], c["transfers"]) for c in home["involved"]] == [("KP", 3), ("RU", 3)]


@pytest.mark.parametrize(
    "question",
    [{}, {"categories": ["missiles", "munitions"]}, {"start": D(2023, 1, 1), "end": D(2024, 6, 30)}],
    ids=["whole", "categories", "period"],
)
def test_the_graph_api_writes_what_its_serializer_wrote(demo_data, reviewer, question):
    """The graph's JSON is written straight from the edges' numbers: the same document as
    ``GraphSerializer`` and the renderer made of ``country_graph``'s answer."""
    transfers = "http://testserver/api/v1/transfers/"
    for user in (PUBLIC, reviewer):
        graph = graphs.country_graph(user=user, today=D(2026, 12, 6), **question)
        assert any(edge["kind"] == "transfer" for edge in graph["edges"])
        for edge in graph["edges"]:
            filters = edge.pop("filters")
            edge["list"] = f"{transfers}?{urlencode(filters)}" if filters else None
        expected = orjson.loads(ORJSONRenderer().render(GraphSerializer(graph).data))
        parts = graphs.graph_parts(user=user, today=D(2026, 12, 6), **question)
        assert orjson.loads(graph_json(parts, transfers)) == expected


def pairs_of(flows):
    """``flows`` (``graph_flows``' edges) taken together by supplier and recipient, as the
    network picture draws them: their categories, their strongest status, their count."""
    pairs = {}
    for supplier, s_name, recipient, r_name, category, status, count, *_dates in flows:
        pair = pairs.setdefault((supplier, recipient), [supplier, s_name, recipient, r_name, set(), status, 0])
        pair[4].add(category)
        if graphs.STATUS_RANK[status] > graphs.STATUS_RANK[pair[5]]:
            pair[5] = status
        pair[6] += count
    return [(*pair[:4], tuple(sorted(pair[4])), *pair[5:]) for _key, pair in sorted(pairs.items())]


@pytest.mark.parametrize(
    "question",
    [{}, {"categories": ["missiles", "munitions"]}, {"start": D(2023, 1, 1), "end": D(2024, 6, 30)}],
    ids=["whole", "categories", "period"],
)
def test_the_networks_pairs_grouped_in_the_database_are_the_graphs_edges_taken_together(demo_data, reviewer, question):
    """The network picture's links, grouped by pair before they leave the database (the
    categories joined, the strongest status, the count summed), say what the graph's edges of
    each pair say together, for the public and for editors (drafts included)."""
    for number, (status, published) in enumerate(
        [("disproven", True), ("confirmed", False), ("corroborated", True), ("alleged", True)]
    ):
        TransferFactory(
            reference=f"pair-{number}",
            supplier=country("BY"),
            recipient=country("MM"),
            category=["munitions", "missiles", "drones", "munitions"][number],
            status=status,
            started_on=D(2023, number + 1, 1),
            ended_on=None,
            review_status="published" if published else "draft",
        )
    today = D(2026, 12, 6)
    for user in (PUBLIC, reviewer):
        flows = graphs.graph_parts(user=user, today=today, **question)["flows"]
        pairs = graphs.graph_parts(user=user, today=today, by_pair=True, **question)["pairs"]
        assert any(count > 1 and len(categories) > 1 for *_names, categories, _status, count in pairs)
        assert pairs == pairs_of(flows)
    # Editors see the draft confirmed transfer: BY → MM is confirmed for them, corroborated for
    # the public.
    strongest = {
        user: {(p[0], p[2]): p[5] for p in graphs.graph_parts(user=user, today=today, by_pair=True)["pairs"]}
        for user in (PUBLIC, reviewer)
    }
    assert strongest[reviewer][("BY", "MM")] == "confirmed"
    assert strongest[PUBLIC][("BY", "MM")] == "corroborated"


def stored_contravening(country, user):
    """The stored contravening findings of the transfers ``country`` is party to, as ``user`` reads them."""
    rows = Finding.objects.filter(
        Q(supplier=country) | Q(recipient=country), kind__in=CONTRAVENING, audience__in=audience_of(user)
    )
    return rows if user is not PUBLIC else rows.filter(published=True)


@pytest.mark.parametrize("iso2", ["KP", "RU", "IR"])
def test_the_profile_counts_off_the_findings_tally_what_the_stored_findings_count(demo_data, reviewer, iso2):
    party = country(iso2)
    TransferFactory(reference="a-draft", category="munitions", review_status="draft")
    for user in (PUBLIC, reviewer):
        profile = selectors.country_profile(party, user=user, today=D(2026, 12, 6))
        for entry in profile["contravened_resolutions_voted_for"]:
            measures = Measure.objects.filter(
                functools.reduce(operator.or_, (Q(regime__code=r, code=m) for r, m in entry["measures"]))
            )
            rows = stored_contravening(party, user).filter(measure__in=measures)
            assert entry["transfers_count"] == rows.values("transfer_id").distinct().count()
        grouped = (
            Finding.objects.filter(
                Q(obliges_supplier=True, supplier=party) | Q(obliges_recipient=True, recipient=party),
                kind__in=CONTRAVENING,
                audience__in=audience_of(user),
                **({"published": True} if user is PUBLIC else {}),
            )
            .values("measure__regime__code", "measure__code", "kind")
            .annotate(n=Count("transfer_id", distinct=True))
            .order_by("measure__regime__code", "measure__code", "kind")
        )
        assert profile["findings_obliging"] == [
            {"measure": [r["measure__regime__code"], r["measure__code"]], "kind": r["kind"], "transfers_count": r["n"]}
            for r in grouped
        ]
    assert in_step() == []


def test_a_resolutions_examples_are_its_most_recent_transfers_among_its_measures(demo_data, reviewer):
    """More transfers than a resolution lists, under several of its measures, on both sides."""
    for number in range(30):
        shells(
            f"more-shells-{number}",
            category=["munitions", "missiles", "arms"][number % 3],
            started_on=None if number == 7 else D(2010 + number % 15, 1 + number % 12, 1),
            ended_on=None,
            review_status="draft" if number % 4 == 0 else "published",
        )
    for number in range(8):
        shells(
            f"ru-kp-{number}",
            supplier=country("RU"),
            recipient=country("KP"),
            category="missiles",
            started_on=D(2023, 1 + number, 1),
            ended_on=None,
        )
    for user in (PUBLIC, reviewer):
        profile = selectors.country_profile(country("RU"), user=user, today=D(2026, 12, 6))
        assert profile["contravened_resolutions_voted_for"]
        for entry in profile["contravened_resolutions_voted_for"]:
            measures = Measure.objects.filter(
                functools.reduce(operator.or_, (Q(regime__code=r, code=m) for r, m in entry["measures"]))
            )
            rows = stored_contravening(country("RU"), user).filter(measure__in=measures)
            expected = list(
                Transfer.objects.filter(pk__in=rows.values("transfer_id"))
                .order_by("-started_on", "reference")
                .values_list("reference", flat=True)[: selectors.EXAMPLES]
            )
            assert entry["transfers"] == expected


def test_deleting_a_measure_or_a_designation_counts_their_findings_out():
    """Their findings go by cascade, without a signal of their own."""
    regime = RegimeFactory(code="UN-1718")
    for code in ("arms-export-ban", "munitions-ban"):
        MeasureFactory(regime=regime, code=code, covers=["arms"], started_on=D(2009, 6, 12))
    freeze = MeasureFactory(
        regime=regime, code="asset-freeze", kind="asset_freeze", direction="not_applicable", covers=[]
    )
    bank = ActorFactory(slug="a-bank")
    shells("shells", supplier_actor=bank)
    shells("more-shells", recipient=country("SY"))
    listing = DesignationFactory(regime=regime, actor=bank, listed_on=D(2019, 1, 1))
    assert FindingTally.objects.filter(findings__contains="designated_party").exists()
    listing.delete()
    assert in_step() == []
    freeze.delete()
    Measure.objects.get(code="munitions-ban").delete()
    assert in_step() == []
    MeasureFactory(regime=regime, code="munitions-ban", covers=["arms"], started_on=D(2009, 6, 12))
    assert FindingTally.objects.filter(findings__contains=" ").exists()  # two findings each
    regime.delete()  # its measures, all at once
    assert not FindingTally.objects.exists()
    assert in_step() == []


def test_designations_are_counted_by_their_actors_country_and_year_through_saves_loads_and_deletes():
    regime = RegimeFactory(code="UN-1718")
    trader = ActorFactory(slug="a-trader", country=country("RU"))
    listing = DesignationFactory(regime=regime, actor=trader, reference="one", listed_on=D(2022, 5, 1))
    DesignationFactory(regime=regime, actor=trader, reference="two", listed_on=None)
    assert tallies.designations_by_year(country("RU")) == {2022: 1, 0: 1}
    listing.listed_on = D(2023, 1, 1)
    listing.save()
    trader.country = country("KP")
    trader.save()
    assert tallies.designations_by_year(country("KP")) == {2023: 1, 0: 1}
    assert tallies.designations_by_year(country("RU")) == {}
    assert in_step() == []
    load(
        record("actors.actor", slug="a-trader", name=trader.name, kind=trader.kind, country=["IR"]),
        record(
            "sanctions.designation", regime=["UN-1718"], reference="three", actor=["a-trader"], listed_on="2024-02-02"
        ),
        record(
            "sanctions.designation", regime=["UN-1718"], reference="one", actor=["a-trader"], listed_on="2021-01-01"
        ),
    )
    assert tallies.designations_by_year(country("IR")) == {2021: 1, 2024: 1, 0: 1}
    assert in_step() == []
    listing.refresh_from_db()
    listing.delete()
    assert tallies.designations_by_year(country("IR")) == {2024: 1, 0: 1}
    assert in_step() == []


def test_the_profile_and_the_timeline_count_designations_as_the_designations_do(demo_data, client):
    for iso2 in ("RU", "KP", "IR"):
        party = country(iso2)
        profile = selectors.country_profile(party, user=PUBLIC, today=D(2026, 12, 6))
        assert profile["designations_count"] == Designation.objects.filter(actor__country=party).count()
    page = country_page(country("KP"))
    lane = [item["label"] for item in page["timeline"] if item["lane"] == "designations"]
    years = (
        Designation.objects.filter(actor__country=country("KP"), listed_on__isnull=False)
        .values_list("listed_on__year")
        .annotate(n=Count("pk"))
        .order_by("listed_on__year")
    )
    assert lane and lane == [f"{n} designation{'s' if n != 1 else ''} listed in {year}" for year, n in years]


# --- a property: after any sequence of writes, the tallies are a fresh count -----------------

PARTIES = [("KP", "RU"), ("RU", "KP"), ("IR", "RU")]


class Writes(RuleBasedStateMachine):
    """Random writes through the models and the loader (transfers and claims added, moved
    between buckets, their dates changed, published and returned to draft, deleted); after
    each, every row of the tallies equals a fresh GROUP BY, and the graph rebuilt supplier by
    supplier from what it kept (``tally_graph_json``) is the whole graph worked out afresh."""

    @initialize()
    def source(self):
        self.url = SourceFactory().url
        self.number = 0
        self.reviewer = User.objects.create_user("machine-reviewer", password="unused-password-1234")
        self.reviewer.groups.add(Group.objects.get(name=REVIEWERS))
        self.regime = RegimeFactory(code="UN-1718")
        self.actors = [ActorFactory(slug=f"actor-{n}", country=country("RU")) for n in range(2)]

    @rule(
        parties=st.sampled_from(PARTIES),
        category=st.sampled_from(["munitions", "missiles"]),
        status=st.sampled_from(["alleged", "confirmed"]),
        year=st.one_of(st.none(), st.integers(2019, 2025)),
        ongoing=st.booleans(),
        published=st.booleans(),
    )
    def add_transfer(self, parties, category, status, year, ongoing, published):
        self.number += 1
        TransferFactory(
            reference=f"t-{self.number}",
            supplier=country(parties[0]),
            recipient=country(parties[1]),
            category=category,
            status=status,
            started_on=D(year, 1, 1) if year else None,
            ended_on=None if ongoing or not year else D(year, 6, 30),
            review_status="published" if published else "draft",
        )

    @rule(data=st.data())
    def change_a_transfer(self, data):
        transfers = list(Transfer.objects.order_by("pk"))
        if not transfers:
            return
        transfer = data.draw(st.sampled_from(transfers))
        change = data.draw(st.sampled_from(["publish", "unpublish", "status", "parties", "dates", "delete"]))
        if change == "delete":
            transfer.delete()
            return
        if change == "publish":
            transfer.review_status = "published"
        elif change == "unpublish":
            transfer.review_status = "draft"
        elif change == "status":
            transfer.status = data.draw(st.sampled_from(["alleged", "confirmed", "disproven"]))
        elif change == "parties":
            transfer.supplier, transfer.recipient = (country(c) for c in data.draw(st.sampled_from(PARTIES)))
        else:
            year = data.draw(st.integers(2015, 2026))
            transfer.started_on = D(year, 1, 1)
            transfer.ended_on = data.draw(st.sampled_from([None, D(year, 1, 1), D(year, 12, 31)]))
        transfer.save()

    @rule(data=st.data(), published=st.booleans())
    def add_a_claim(self, data, published):
        transfers = list(Transfer.objects.order_by("pk"))
        if not transfers:
            return
        self.number += 1
        ClaimFactory(
            reference=f"c-{self.number}",
            transfer=data.draw(st.sampled_from(transfers)),
            review_status="published" if published else "draft",
        )

    @rule(data=st.data())
    def change_a_claim(self, data):
        claims = list(Claim.objects.order_by("pk"))
        if not claims:
            return
        claim = data.draw(st.sampled_from(claims))
        change = data.draw(st.sampled_from(["publish", "unpublish", "move", "delete"]))
        if change == "delete":
            claim.delete()
            return
        if change == "move":
            claim.transfer = data.draw(st.sampled_from(list(Transfer.objects.order_by("pk"))))
        else:
            claim.review_status = "published" if change == "publish" else "draft"
        claim.save()

    @rule(
        data=st.data(),
        published=st.booleans(),
        status=st.sampled_from(["alleged", "confirmed"]),
        year=st.integers(2015, 2026),
        ongoing=st.booleans(),
    )
    def load_some(self, data, published, status, year, ongoing):
        """A load that changes a stored transfer (its status, dates, publishing it or not) and
        adds a claim to it."""
        transfers = list(Transfer.objects.order_by("pk").values_list("reference", "supplier__iso2", "recipient__iso2"))
        if not transfers:
            return
        reference, supplier, recipient = data.draw(st.sampled_from(transfers))
        self.number += 1
        load(
            transfer_record(
                reference,
                supplier=[supplier],
                recipient=[recipient],
                status=status,
                started_on=f"{year}-03-01",
                ended_on=None if ongoing else f"{year}-04-30",
                review_status="published" if published else "draft",
            ),
            claim_record(f"c-{self.number}", reference, self.url),
        )

    @rule(actor=st.integers(0, 1), year=st.one_of(st.none(), st.integers(2015, 2025)))
    def designate(self, actor, year):
        self.number += 1
        DesignationFactory(
            regime=self.regime,
            actor=self.actors[actor],
            reference=f"d-{self.number}",
            listed_on=D(year, 3, 1) if year else None,
        )

    @rule(data=st.data())
    def change_a_designation(self, data):
        designations = list(Designation.objects.order_by("pk"))
        if not designations:
            return
        designation = data.draw(st.sampled_from(designations))
        change = data.draw(st.sampled_from(["relist", "actor", "delete"]))
        if change == "delete":
            designation.delete()
            return
        if change == "actor":
            designation.actor = data.draw(st.sampled_from(self.actors))
        else:
            year = data.draw(st.one_of(st.none(), st.integers(2015, 2025)))
            designation.listed_on = D(year, 3, 1) if year else None
            designation.delisted_on = None
        designation.save()

    @rule(actor=st.integers(0, 1), iso2=st.sampled_from(["RU", "KP", None]))
    def move_an_actor(self, actor, iso2):
        self.actors[actor].country = country(iso2) if iso2 else None
        self.actors[actor].save()

    @invariant()
    def the_tallies_are_a_fresh_count(self):
        assert in_step() == []

    @invariant()
    def the_graph_rebuilt_by_supplier_is_the_whole_graph(self):
        transfers = "http://testserver/api/v1/transfers/"
        for user in (PUBLIC, self.reviewer):
            for categories in ([], ["missiles"]):
                whole = graph_json(graphs.graph_parts(categories=categories, user=user), transfers)
                assert orjson.loads(tally_graph_json(categories, user=user, transfers=transfers)) == orjson.loads(whole)


def test_after_any_sequence_of_writes_the_tallies_are_a_fresh_count(django_db_blocker):
    """Each example runs in a transaction rolled back afterwards (the test database is shared)."""

    class Isolated(Writes):
        def __init__(self):
            super().__init__()
            self._atomic = transaction.atomic()
            self._atomic.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    Isolated.TestCase.settings = settings(
        max_examples=8, stateful_step_count=12, deadline=None, suppress_health_check=list(HealthCheck)
    )
    Isolated.TestCase().runTest()


@pytest.fixture
def reviewer(db):
    user = User.objects.create_user("a-reviewer", password="unused-password-1234")
    user.groups.add(Group.objects.get(name=REVIEWERS))
    return user
