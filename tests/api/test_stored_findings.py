"""Stored findings (apps.transfers.findings): written only by the engine, kept true by every
write path, read by the API and the pages, checked and rebuilt by ``manage.py findings``."""

import datetime
import io
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from apps.sanctions.models import Designation
from apps.transfers import findings, tallies
from apps.transfers.management.commands.findings import differences
from apps.transfers.models import Finding, FindingsQueue, Transfer
from tests.factories import (
    ActorFactory,
    AuthorityFactory,
    ClaimFactory,
    DesignationFactory,
    MeasureFactory,
    RegimeFactory,
    TransferFactory,
    country,
)
from tests.scratch import ROOT

pytestmark = pytest.mark.django_db
D = datetime.date


def stored(transfer, audience=("any", "editors")):
    return sorted(Finding.objects.filter(transfer=transfer, audience__in=audience).values_list("kind", "measure__code"))


def in_step():
    """Every transfer's stored findings are the engine's, now."""
    transfers = Transfer.objects.select_related("supplier", "recipient", "supplier_actor", "recipient_actor")
    return differences(transfers)


def arms_ban(**fields):
    values = {"code": "arms-export-ban", "covers": ["arms"], "started_on": D(2009, 6, 12)}
    return MeasureFactory(**{**values, **fields})


def cap(**fields):
    values = {
        "code": "refined-petroleum-cap",
        "kind": "trade_cap",
        "direction": "imports_to_target",
        "covers": ["refined_petroleum"],
        "cap_quantity": Decimal(500_000),
        "cap_unit": "barrels",
        "cap_period": "calendar_year",
        "started_on": D(2018, 1, 1),
    }
    return MeasureFactory(**{**values, **fields})


def fuel(reference, day, barrels, **fields):
    values = {
        "reference": reference,
        "supplier": country("RU"),
        "recipient": country("KP"),
        "category": "refined_petroleum",
        "started_on": day,
        "ended_on": day,
        "date_precision": "day",
        "quantity_low": barrels,
        "quantity_high": barrels,
        "quantity_unit": "barrels",
        "review_status": "published",
    }
    return TransferFactory(**{**values, **fields})


def test_a_saved_transfer_has_its_findings_stored_at_once_and_the_api_reads_them(anonymous):
    arms_ban()
    shells = TransferFactory(reference="kp-ru-shells", category="munitions", review_status="published")
    assert stored(shells) == [("breach", "arms-export-ban")]
    # The API answers from the stored rows, not from a computation of its own.
    Finding.objects.filter(transfer=shells).update(kind="possible_breach")
    body = anonymous.get("/api/v1/transfers/kp-ru-shells/contraventions/").json()
    assert [c["finding"] for c in body["contraventions"]] == ["possible_breach"]


def test_a_change_to_a_measure_a_regime_or_an_authority_is_followed(anonymous):
    measure = arms_ban()
    shells = TransferFactory(category="munitions", started_on=D(2023, 1, 1), ended_on=D(2023, 2, 1))
    assert stored(shells) == [("breach", "arms-export-ban")]
    measure.ended_on = D(2022, 12, 31)
    measure.save()
    assert stored(shells) == []
    measure.ended_on = None
    measure.save()
    regime = measure.regime
    regime.target_country = country("IR")
    regime.save()
    assert stored(shells) == []
    regime.target_country = country("KP")
    regime.save()
    assert stored(shells) == [("breach", "arms-export-ban")]
    authority = regime.authority
    authority.binds = "own_jurisdiction"
    authority.save()
    assert stored(shells) == []  # binds only its members, and it has none
    authority.members.add(country("RU"))
    assert stored(shells) == [("breach", "arms-export-ban")]
    assert in_step() == []


def test_a_designation_and_its_delisting_are_followed():
    regime = RegimeFactory(code="UN-1718")
    MeasureFactory(regime=regime, code="asset-freeze", kind="asset_freeze", direction="not_applicable", covers=[])
    bank = ActorFactory(slug="a-bank")
    payment = TransferFactory(
        category="financial",
        supplier_actor=bank,
        started_on=D(2020, 3, 1),
        ended_on=D(2020, 3, 2),
        date_precision="day",
    )
    assert stored(payment) == []
    listing = DesignationFactory(regime=regime, actor=bank, listed_on=D(2019, 1, 1))
    assert stored(payment) == [("designated_party", "asset-freeze")]
    listing.delisted_on = D(2020, 1, 1)
    listing.save()
    assert stored(payment) == []


def test_findings_are_worked_out_for_every_transfer_the_engine_reaches_and_for_none_it_does_not():
    """A load works out the findings of the transfers with a country some measure targets (the
    DPRK, Iran) or an actor designated somewhere, and leaves the others without: those and only
    those are reached (``reached_condition``), and what is stored is the engine's."""
    import json

    from apps.ingest.loader import load_records
    from apps.ingest.services.readers import FileSource
    from apps.transfers.services import reached_condition

    for target in ("KP", "IR"):
        regime = RegimeFactory(code=f"UN-{target}", target_country=country(target))
        MeasureFactory(
            regime=regime, code=f"{target.lower()}-arms-exports", covers=["arms"], direction="exports_from_target"
        )
    frozen = RegimeFactory(code="UN-FREEZE", target_country=country("KP"))
    MeasureFactory(regime=frozen, code="asset-freeze", kind="asset_freeze", direction="not_applicable", covers=[])
    bank = ActorFactory(slug="a-bank")
    DesignationFactory(regime=frozen, actor=bank, listed_on=D(2019, 1, 1))

    def record(reference, supplier, recipient, **fields):
        values = {
            "reference": reference,
            "supplier": [supplier],
            "recipient": [recipient],
            "category": "munitions",
            "started_on": "2020-03-01",
            "ended_on": "2020-03-02",
            "date_precision": "day",
            "status": "alleged",
            "review_status": "published",
        }
        return {"model": "transfers.transfer", "fields": {**values, **fields}}

    records = [
        record("from-kp", "KP", "RU"),
        record("from-ir", "IR", "RU"),
        record("bank-payment", "FR", "DE", category="financial", supplier_actor=["a-bank"]),
        record("unreached", "FR", "DE"),
    ]
    report = load_records([FileSource(data=json.dumps(records).encode(), name="reached.json")])
    assert report.ok, report.errors
    reached = set(Transfer.objects.filter(reached_condition()).values_list("reference", flat=True))
    assert reached == {"from-kp", "from-ir", "bank-payment"}
    by_reference = {t.reference: t for t in Transfer.objects.all()}
    assert stored(by_reference["from-kp"]) == [("breach", "kp-arms-exports")]
    assert stored(by_reference["from-ir"]) == [("breach", "ir-arms-exports")]
    assert stored(by_reference["bank-payment"]) == [("designated_party", "asset-freeze")]
    assert stored(by_reference["unreached"]) == []
    assert in_step() == []


def listed_arms_ban(regime):
    """An arms embargo on ``regime``'s target that reaches only the parties listed under it."""
    return MeasureFactory(
        regime=regime,
        code="listed-arms-ban",
        covers=["munitions"],
        direction="imports_to_target",
        applies_to="listed_only",
    )


def shells_to(actor, *, supplier, recipient):
    """Munitions from ``supplier`` to ``recipient``'s ``actor``, over two days of October 2021."""
    return TransferFactory(
        category="munitions",
        supplier=country(supplier),
        recipient=country(recipient),
        recipient_actor=actor,
        started_on=D(2021, 10, 1),
        ended_on=D(2021, 10, 2),
        date_precision="day",
    )


def test_a_deleted_designation_leaves_the_other_findings_as_the_engine_gives_them():
    """Two listings of one actor, each a finding of the transfer; the first deleted (its finding
    goes by cascade), the other is the transfer's only finding, numbered as the engine numbers
    it. A measure on listed parties only stops reaching a party whose listing is deleted."""
    regime = RegimeFactory(code="UN-1718")
    MeasureFactory(regime=regime, code="asset-freeze", kind="asset_freeze", direction="not_applicable", covers=[])
    listed_arms_ban(regime)
    trader = ActorFactory(slug="a-trader", country=country("KP"))
    first = DesignationFactory(regime=regime, actor=trader, reference="KPi.901", listed_on=D(2010, 1, 1))
    DesignationFactory(regime=regime, actor=trader, reference="KPi.902", listed_on=D(2015, 1, 1))
    shells = shells_to(trader, supplier="RU", recipient="KP")
    assert stored(shells) == [
        ("breach", "listed-arms-ban"),
        ("designated_party", "asset-freeze"),
        ("designated_party", "asset-freeze"),
    ]
    first.delete()
    assert stored(shells) == [("breach", "listed-arms-ban"), ("designated_party", "asset-freeze")]
    assert in_step() == []
    Designation.objects.get(reference="KPi.902").delete()
    assert stored(shells) == []
    assert in_step() == []


def test_a_measure_on_listed_parties_stops_reaching_a_party_whose_listing_is_deleted():
    """No finding of the transfer rests on the listing itself (no asset freeze): its deletion
    still takes away the breach of the measure that reached the party through it."""
    regime = RegimeFactory(code="UN-2216", target_country=country("YE"))
    listed_arms_ban(regime)
    militia = ActorFactory(slug="a-militia", country=country("YE"))
    listing = DesignationFactory(regime=regime, actor=militia, reference="YEi.001", listed_on=D(2015, 4, 14))
    shells = shells_to(militia, supplier="IR", recipient="YE")
    assert stored(shells) == [("breach", "listed-arms-ban")]
    listing.delete()
    assert stored(shells) == []
    assert in_step() == []


def test_a_delivery_takes_the_others_of_its_cap_period_past_the_cap_and_its_deletion_back():
    cap()
    first = fuel("fuel-march", D(2024, 3, 1), 300_000)
    assert stored(first) == [("counts_toward_cap", "refined-petroleum-cap")]
    second = fuel("fuel-june", D(2024, 6, 1), 300_000)
    assert stored(first) == [("exceeds_cap", "refined-petroleum-cap")]
    assert stored(second) == [("exceeds_cap", "refined-petroleum-cap")]
    next_year = fuel("fuel-2025", D(2025, 1, 5), 1_000)
    assert stored(next_year) == [("counts_toward_cap", "refined-petroleum-cap")]
    second.delete()
    assert stored(first) == [("counts_toward_cap", "refined-petroleum-cap")]
    assert in_step() == []


def test_a_write_of_many_batches_sums_the_caps_months_once_and_stores_what_the_engine_gives(monkeypatch):
    """Writing the findings of many transfers, batch after batch, changes nothing the engine
    reads (the caps' month totals are sums of transfers, not of findings): the totals are
    summed once for the whole write (per audience), not once a batch, and every batch's findings are the
    engine's, the cap exceeded across batches included."""
    cap()
    deliveries = [fuel(f"fuel-{month}", D(2024, month, 1), 100_000) for month in range(1, 8)]
    Finding.objects.all().delete()
    monkeypatch.setattr(findings, "BATCH", 2)
    with CaptureQueriesContext(connection) as captured:
        findings.write([t.pk for t in deliveries])
    # Once as every transfer counts (the findings everyone reads) and once as the public reads
    # them (a published delivery's cap findings are also written for the public), not once
    # a batch of two transfers (eight).
    summed = [q["sql"] for q in captured.captured_queries if "date_trunc" in q["sql"].lower()]
    assert len(summed) == 2, summed
    # 700,000 barrels in 2024 against a cap of 500,000: every delivery of the year exceeds it.
    assert {stored(t)[0] for t in deliveries} == {("exceeds_cap", "refined-petroleum-cap")}
    assert in_step() == []


def test_a_less_specific_supply_counted_as_uncounted_is_followed_by_the_caps_deliveries():
    """A ``fuel`` supply has no cap finding of its own (a possible breach), but the cap's
    deliveries of its period count it among the supplies they could not count: adding,
    moving or deleting it changes theirs (found by the property test below)."""
    cap()
    march = fuel("fuel-march", D(2024, 3, 1), 100_000)
    vague = fuel("some-fuel", D(2024, 5, 1), 0, category="fuel")
    assert Finding.objects.get(transfer=march, audience="editors").cap_uncounted == 1
    vague.started_on = vague.ended_on = D(2023, 5, 1)
    vague.save()
    assert Finding.objects.get(transfer=march, audience="editors").cap_uncounted == 0
    vague.started_on = vague.ended_on = D(2024, 5, 1)
    vague.save()
    vague.delete()
    assert Finding.objects.get(transfer=march, audience="editors").cap_uncounted == 0
    assert in_step() == []


def test_a_draft_delivery_counts_for_editors_and_not_for_the_public(anonymous, editor_client):
    cap()
    fuel("fuel-published", D(2024, 3, 1), 300_000)
    draft = fuel("fuel-draft", D(2024, 6, 1), 300_000, review_status="draft")
    url = "/api/v1/transfers/fuel-published/contraventions/"
    assert [c["finding"] for c in anonymous.get(url).json()["contraventions"]] == ["counts_toward_cap"]
    assert [c["finding"] for c in editor_client.get(url).json()["contraventions"]] == ["exceeds_cap"]
    draft.review_status = "published"
    draft.save()
    assert [c["finding"] for c in anonymous.get(url).json()["contraventions"]] == ["exceeds_cap"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transfer_with_claims_and_findings_is_deleted_whole():
    """Its claims go first: their deletion does not write the findings of a transfer that is
    going (they would outlive it, and the commit would fail on the foreign key)."""
    arms_ban()
    shells = TransferFactory(reference="kp-ru-shells", category="munitions", review_status="published")
    ClaimFactory(transfer=shells)
    with transaction.atomic():
        shells.delete()
    assert not Transfer.objects.exists()
    assert not Finding.objects.exists()
    assert tallies.differences() == []


def test_check_reports_every_difference_and_rebuild_mends_them():
    arms_ban()
    shells = TransferFactory(reference="kp-ru-shells", category="munitions")
    Finding.objects.filter(transfer=shells).update(kind="possible_breach")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("findings", "--check", "--no-progress", stdout=out, stderr=io.StringIO())
    assert exit_.value.code == 1
    assert "kp-ru-shells [any #0] kind: stored 'possible_breach', computed 'breach'" in out.getvalue()
    call_command("findings", "--rebuild", "--no-progress", stdout=io.StringIO())
    out = io.StringIO()
    call_command("findings", "--check", "--no-progress", stdout=out)
    assert "1 transfer(s) checked" in out.getvalue()


def test_a_change_bearing_on_many_transfers_is_queued_and_shown(settings, anonymous):
    measure = arms_ban()
    for number in range(3):
        TransferFactory(reference=f"shells-{number}", category="munitions", review_status="published")
    settings.FINDINGS_SYNC_LIMIT = 2
    measure.covers = ["missiles"]
    measure.save()
    assert FindingsQueue.objects.count() == 3
    response = anonymous.get("/api/v1/findings/")
    assert response["X-Findings-Being-Recomputed"] == "3"
    assert response.json()["count"] == 3  # still the old findings, said to be recomputing
    assert anonymous.get("/api/v1/countries/KP/profile/").json()["findings_being_recomputed"] == 3
    assert anonymous.get("/api/v1/transfers/shells-0/contraventions/").json()["being_recomputed"] == 3
    findings.process()
    assert FindingsQueue.objects.count() == 0
    assert anonymous.get("/api/v1/findings/").json()["count"] == 0
    assert anonymous.get("/api/v1/countries/KP/profile/").json()["findings_being_recomputed"] == 0
    assert in_step() == []


WORKER_SETUP = """
import datetime
from apps.geo.models import Country
from apps.sanctions.models import Authority, Measure, Regime
from apps.transfers.models import Transfer
un = Authority.objects.create(code="UN", name="United Nations", kind="intergovernmental", binds="all_states")
regime = Regime.objects.create(code="UN-1718", name="DPRK", authority=un, target_country=Country.objects.get(iso2="KP"))
Measure.objects.create(regime=regime, code="arms-export-ban", kind="arms_embargo", direction="exports_from_target",
                       covers=["arms"], started_on=datetime.date(2009, 6, 12))
for number in range(3):
    Transfer.objects.create(reference=f"shells-{number}", supplier=Country.objects.get(iso2="KP"),
                            recipient=Country.objects.get(iso2="RU"), category="munitions",
                            started_on=datetime.date(2023, 9, 1))
"""
WORKER_CHANGE = """
from apps.sanctions.models import Measure
from apps.transfers.models import Finding, FindingsQueue
measure = Measure.objects.get(code="arms-export-ban")
measure.covers = ["missiles"]
measure.save()
print(FindingsQueue.objects.count(), Finding.objects.count())
"""
WORKER_AFTER = """
from apps.transfers.models import Finding, FindingsQueue
print(FindingsQueue.objects.count(), Finding.objects.count())
"""


def test_a_background_worker_process_works_through_the_queue(tmp_path, scratch_template):
    """A change bearing on more transfers than FINDINGS_SYNC_LIMIT is left to the task library's
    worker: a real ``manage.py db_worker`` process on a database of its own."""
    from tests.scratch import ScratchDatabase

    scratch = ScratchDatabase(tmp_path, template=scratch_template)
    try:
        env = {"FINDINGS_SYNC_LIMIT": "2"}

        def shell(code):
            done = subprocess.run(
                [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
                cwd=ROOT,
                env={**scratch.env(), **env},
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, done.stderr
            return done.stdout.split()

        shell(WORKER_SETUP)
        assert shell(WORKER_AFTER) == ["0", "3"]  # three transfers, written one by one: at once
        assert shell(WORKER_CHANGE) == ["3", "3"]  # queued, the old findings still there
        worker = subprocess.run(
            [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--interval", "0"],
            cwd=ROOT,
            env={**scratch.env(), **env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert worker.returncode == 0, worker.stderr
        assert shell(WORKER_AFTER) == ["0", "0"]  # the queue worked through: missiles only now
    finally:
        scratch.drop()


def test_the_finding_filters_combine_on_one_finding(anonymous):
    arms_ban()
    cap()
    TransferFactory(reference="kp-ru-shells", category="munitions", review_status="published")
    fuel("fuel-march", D(2024, 3, 1), 300_000)
    other = RegimeFactory(code="UN-1737", target_country=country("IR"))
    MeasureFactory(regime=other, code="arms-import-ban", direction="imports_to_target", covers=["arms"])
    TransferFactory(
        reference="ru-ir-arms",
        supplier=country("RU"),
        recipient=country("IR"),
        category="arms",
        review_status="published",
    )

    def references(query):
        return sorted(t["reference"] for t in anonymous.get(f"/api/v1/transfers/?{query}").json()["results"])

    assert references("finding=contravening") == ["kp-ru-shells", "ru-ir-arms"]
    assert references("finding=counts_toward_cap") == ["fuel-march"]
    assert references(f"regime={other.code}") == ["ru-ir-arms"]
    assert references("finding=breach&regime=UN-1737") == ["ru-ir-arms"]
    assert references("measure=UN-1737|arms-export-ban") == []
    assert references("obliges=KP&finding=contravening") == ["kp-ru-shells"]
    assert references("regime=NO-SUCH") == []
    # An import ban obliges the supplier's state only: Iran is not obliged, Russia is.
    assert anonymous.get("/api/v1/findings/?regime=UN-1737&obliges=IR").json()["count"] == 0
    rows = anonymous.get("/api/v1/findings/?finding=contravening&obliges=RU&regime=UN-1737").json()["results"]
    assert [(r["transfer"], r["finding"], r["obliged_countries"]) for r in rows] == [("ru-ir-arms", "breach", ["RU"])]
    csv = anonymous.get("/api/v1/findings/?format=csv&transfer=fuel-march").content.decode()
    assert csv.splitlines()[0].startswith("transfer,supplier,recipient,category,finding,regime,measure")
    assert "fuel-march,RU,KP,refined_petroleum,counts_toward_cap" in csv


def test_the_findings_list_runs_the_same_queries_whatever_the_number_of_findings(anonymous):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    arms_ban()
    counts = []
    for number in (1, 12):
        for extra in range(number):
            TransferFactory(reference=f"shells-{number}-{extra}", category="munitions", review_status="published")
        with CaptureQueriesContext(connection) as queries:
            assert anonymous.get("/api/v1/findings/?page_size=50").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_load_writes_the_findings_of_what_it_loads(tmp_path):
    arms_ban()
    data = tmp_path / "shells.json"
    data.write_text(
        '[{"model": "transfers.transfer", "fields": {"reference": "loaded-shells", "supplier": ["KP"], '
        '"recipient": ["RU"], "category": "munitions", "started_on": "2023-09-01"}}]'
    )
    call_command("import_data", str(data), stdout=io.StringIO())
    assert stored(Transfer.objects.get(reference="loaded-shells")) == [("breach", "arms-export-ban")]
    assert in_step() == []


def test_a_load_that_moves_a_delivery_out_of_its_cap_year_takes_the_others_back_under_the_cap(tmp_path):
    """The cap's other deliveries of the year the load moved a delivery out of are written
    again, not only those of the year it moved into."""
    cap()
    march = fuel("fuel-march", D(2024, 3, 1), 300_000)
    june = fuel("fuel-june", D(2024, 6, 1), 300_000)
    assert stored(march) == [("exceeds_cap", "refined-petroleum-cap")]
    data = tmp_path / "moved.json"
    data.write_text(
        '[{"model": "transfers.transfer", "fields": {"reference": "fuel-june", "supplier": ["RU"], '
        '"recipient": ["KP"], "category": "refined_petroleum", "started_on": "2025-06-01", '
        '"ended_on": "2025-06-01", "date_precision": "day", "quantity_low": "300000", '
        '"quantity_high": "300000", "quantity_unit": "barrels", "review_status": "published"}}]'
    )
    call_command("import_data", str(data), stdout=io.StringIO())
    june.refresh_from_db()
    assert june.started_on == D(2025, 6, 1)
    assert stored(march) == [("counts_toward_cap", "refined-petroleum-cap")]
    assert stored(june) == [("counts_toward_cap", "refined-petroleum-cap")]
    assert in_step() == []


# --- a property: after any sequence of writes, the stored findings are the engine's ---------


class Writes(RuleBasedStateMachine):
    """Random writes through the models (transfers, caps, measures, designations, publishing and
    deleting); after each, every stored finding equals a fresh computation by the engine."""

    @initialize()
    def rules(self):
        self.regime = RegimeFactory(code="UN-1718", authority=AuthorityFactory(code="UN"))
        self.ban = arms_ban(regime=self.regime)
        self.cap = cap(regime=self.regime)
        self.freeze = MeasureFactory(
            regime=self.regime, code="asset-freeze", kind="asset_freeze", direction="not_applicable", covers=[]
        )
        self.actor = ActorFactory(slug="a-trader")
        self.number = 0

    @rule(
        category=st.sampled_from(["munitions", "arms", "refined_petroleum", "fuel", "financial"]),
        year=st.integers(2008, 2026),
        month=st.integers(1, 12),
        barrels=st.integers(0, 400_000),
        published=st.booleans(),
        ongoing=st.booleans(),
        with_actor=st.booleans(),
    )
    def add_transfer(self, category, year, month, barrels, published, ongoing, with_actor):
        self.number += 1
        TransferFactory(
            reference=f"t-{self.number}",
            supplier=country("RU"),
            recipient=country("KP"),
            category=category,
            started_on=D(year, month, 1),
            ended_on=None if ongoing else D(year, month, 28),
            date_precision="day",
            quantity_low=barrels,
            quantity_high=barrels,
            quantity_unit="barrels",
            recipient_actor=self.actor if with_actor else None,
            review_status="published" if published else "draft",
        )

    @rule(data=st.data())
    def change_a_transfer(self, data):
        transfers = list(Transfer.objects.order_by("pk"))
        if not transfers:
            return
        transfer = data.draw(st.sampled_from(transfers))
        change = data.draw(st.sampled_from(["publish", "unpublish", "disprove", "delete", "quantity"]))
        if change == "delete":
            transfer.delete()
            return
        if change == "publish":
            transfer.review_status = "published"
        elif change == "unpublish":
            transfer.review_status = "draft"
        elif change == "disprove":
            transfer.status = "disproven"
        else:
            transfer.quantity_low = transfer.quantity_high = data.draw(st.integers(0, 600_000))
        transfer.save()

    @rule(quantity=st.integers(1, 1_000_000))
    def change_the_cap(self, quantity):
        self.cap.cap_quantity = Decimal(quantity)
        self.cap.save()

    @rule(year=st.integers(2008, 2026))
    def move_the_ban(self, year):
        self.ban.started_on = D(year, 1, 1)
        self.ban.save()

    @rule(listed=st.integers(2008, 2026), delisted=st.one_of(st.none(), st.integers(2008, 2026)))
    def designate(self, listed, delisted):
        if delisted is not None and delisted < listed:
            listed, delisted = delisted, listed
        DesignationFactory(
            regime=self.regime,
            actor=self.actor,
            listed_on=D(listed, 1, 1),
            delisted_on=D(delisted, 1, 1) if delisted else None,
        )

    @rule(data=st.data())
    def delete_a_designation(self, data):
        """Its findings go by cascade, without a signal of their own."""
        designations = list(Designation.objects.order_by("pk"))
        if designations:
            data.draw(st.sampled_from(designations)).delete()

    @invariant()
    def stored_findings_are_the_engines(self):
        if hasattr(self, "regime"):
            assert in_step() == []

    @invariant()
    def the_tallies_are_a_fresh_count(self):
        if hasattr(self, "regime"):
            assert tallies.differences() == []


def test_after_any_sequence_of_writes_the_stored_findings_are_the_engines(django_db_blocker):
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
        max_examples=6, stateful_step_count=10, deadline=None, suppress_health_check=list(HealthCheck)
    )
    Isolated.TestCase().runTest()


def test_the_admin_findings_panel_says_when_the_findings_are_being_recomputed(admin_client):
    from django.urls import reverse

    arms_ban()
    shells = TransferFactory(reference="kp-ru-shells", category="munitions")
    url = reverse("admin:transfers_transfer_change", args=[shells.pk])
    assert "Being recomputed" not in admin_client.get(url).content.decode()
    findings.mark([shells.pk])
    page = admin_client.get(url).content.decode()
    assert "Being recomputed: this transfer's findings are being written again" in page


def test_a_country_is_shown_the_findings_that_oblige_it_whatever_it_voted(anonymous, client):
    """The DPRK never voted on a 1718 resolution, yet the arms export ban obliges it."""
    arms_ban(regime=RegimeFactory(code="UN-1718"))
    TransferFactory(reference="kp-ru-shells", category="munitions", review_status="published")
    TransferFactory(reference="kp-ru-draft", category="munitions")  # a draft: not for the public
    profile = anonymous.get("/api/v1/countries/KP/profile/").json()
    assert profile["contravened_resolutions_voted_for"] == []
    assert profile["findings_obliging"] == [
        {"measure": ["UN-1718", "arms-export-ban"], "kind": "breach", "transfers_count": 1}
    ]
    assert anonymous.get("/api/v1/countries/IR/profile/").json()["findings_obliging"] == []
    page = client.get("/countries/KP/").content.decode()
    assert "Findings that oblige North Korea, whatever it voted" in page
    assert "arms-export-ban: Breach" in page


def test_the_daily_refresh_is_scheduled_for_the_worker_and_recomputes_ongoing_transfers(monkeypatch):
    from django_tasks_db.models import DBTaskResult

    from apps.transfers.tasks import refresh_ongoing

    call_command("findings", "--schedule-daily", stdout=io.StringIO())
    (scheduled,) = DBTaskResult.objects.all()
    assert scheduled.task_path.endswith("refresh_ongoing") and scheduled.run_after is not None
    arms_ban()
    ongoing = TransferFactory(category="munitions", started_on=D(2023, 1, 1), ended_on=None, date_precision="day")
    Finding.objects.filter(transfer=ongoing).update(computed_on=D(2020, 1, 1), kind="possible_breach")
    assert refresh_ongoing.call() == 1  # written on an earlier day: recomputed
    assert stored(ongoing) == [("breach", "arms-export-ban")]
    assert DBTaskResult.objects.count() == 2  # and the next day's run scheduled
