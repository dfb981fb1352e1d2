"""The reference data in ``fixtures/reference/`` (UN sanctions regimes since 1966): it loads on an
empty database and again with nothing changed, and every arms-embargo phase carries dates tied
to the resolutions that began and ended it, as the researcher reading a finding relies on."""

import datetime
import json
import re

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.utils.html import escape

from apps.common.registry import contract_models
from apps.evidence.models import Source
from apps.ingest.management.commands.load_demo import demo_fixture_files
from apps.ingest.management.commands.load_reference import reference_fixture_files
from apps.resolutions.models import Resolution
from apps.sanctions.choices import AppliesTo, MeasureKind
from apps.sanctions.models import Measure, Regime
from apps.transfers.services import contraventions_for
from tests.factories import ActorFactory, TransferFactory, country

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)
BEGAN = re.compile(r"Began with (S/RES/\d+ \(\d{4}\))\.")
BEGAN_UNDER = re.compile(r"Began on (\d{4}-\d{2}-\d{2}) under (S/RES/\d+ \(\d{4}\))\.")
ENDED_BY = re.compile(r"Ended by (S/RES/\d+ \(\d{4}\))\.")
ENDED_UNDER = re.compile(r"Ended on (\d{4}-\d{2}-\d{2}) under (S/RES/\d+ \(\d{4}\))\.")

# The regimes of the issue, by the code each has (or would have) here: the founding resolution,
# or the committee's number where the UN consolidated list names the regime so.
NAMED_IN_ISSUE = [
    "UN-232", "UN-418", "UN-661", "UN-1518", "UN-713", "UN-733", "UN-748", "UN-1970", "UN-788",
    "UN-1343", "UN-1521", "UN-841", "UN-864", "UN-918", "UN-1132", "UN-1160", "UN-1298-ER", "UN-1298-ET",
    "UN-1267", "UN-1988", "UN-1533", "UN-1572", "UN-1591", "UN-1701", "UN-1737", "UN-2231", "UN-1907",
    "UN-2127", "UN-2140", "UN-2206", "UN-2374", "UN-2713", "UN-2653",
]  # fmt: skip


def reference_objects():
    return [obj for path in reference_fixture_files() for obj in json.loads(path.read_text(encoding="utf-8"))]


def reference_codes():
    return [obj["fields"]["code"] for obj in reference_objects() if obj["model"] == "sanctions.regime"]


def reference_measures():
    codes = reference_codes()
    return Measure.objects.filter(regime__code__in=codes, kind=MeasureKind.ARMS_EMBARGO).select_related("regime")


def snapshot():
    """Every record of the contract models as its field values, with its ``updated_at``: a
    reload that rewrote a row, even with the same values, would show."""
    rows = {}
    for model in contract_models():
        for obj in model.objects.all():
            values = model_to_dict(obj)
            values["updated_at"] = obj.updated_at
            rows[(model.__name__, obj.pk)] = values
    return rows


@pytest.fixture
def reference(db):
    call_command("load_reference", verbosity=0)


def test_loads_on_an_empty_database_and_a_second_load_changes_nothing(db):
    assert not Regime.objects.exists()
    call_command("load_reference", verbosity=0)
    assert set(Regime.objects.values_list("code", flat=True)) == set(reference_codes())
    assert reference_measures().count() >= len(reference_codes())
    before = snapshot()

    call_command("load_reference", verbosity=0)

    assert snapshot() == before


def test_the_demo_and_the_reference_load_in_either_order_to_the_same_records(db):
    call_command("load_reference", verbosity=0)
    call_command("load_demo", verbosity=0)
    both = snapshot()
    call_command("load_reference", verbosity=0)
    call_command("load_demo", verbosity=0)

    assert snapshot() == both


def test_the_security_council_authority_is_the_demos_own(db):
    """The reference data must load without the demo, so it ships the UN authority too: the same
    record, field for field, so that neither file changes what the other wrote."""
    demo = [obj for path in demo_fixture_files() for obj in json.loads(path.read_text(encoding="utf-8"))]
    demo_un = [o for o in demo if o["model"] == "sanctions.authority" and o["fields"]["code"] == "UN"]
    reference_un = [o for o in reference_objects() if o["model"] == "sanctions.authority"]
    assert reference_un == demo_un


def test_the_reference_leaves_the_demos_records_alone(db):
    """No reference record shares a natural key with a demo record other than the UN authority."""
    demo = [obj for path in demo_fixture_files() for obj in json.loads(path.read_text(encoding="utf-8"))]

    def keys(objects):
        found = set()
        for obj in objects:
            fields = obj["fields"]
            key = fields.get("symbol") or fields.get("code") or fields.get("url")
            if obj["model"] in ("resolutions.provision",):
                key = (tuple(fields["resolution"]), fields["paragraph"])
            if obj["model"] == "sanctions.measure":
                key = (tuple(fields["regime"]), fields["code"])
            found.add((obj["model"], key))
        return found

    assert keys(demo) & keys(reference_objects()) == {("sanctions.authority", "UN")}


def test_every_arms_embargo_phase_starts_on_the_adoption_of_the_resolution_that_began_it(reference):
    measures = list(reference_measures().prefetch_related("provisions__resolution", "regime__resolutions"))
    assert measures
    for measure in measures:
        label = f"{measure.regime.code} {measure.code}"
        began, under = BEGAN.search(measure.description), BEGAN_UNDER.search(measure.description)
        assert measure.started_on, label
        assert began or under, f"{label}: its description names no resolution that began it"
        if began:
            resolution = Resolution.objects.get(symbol=began.group(1))
            assert measure.started_on == resolution.voted_on, label
        else:
            # A date the resolution set: 864's entry into force ten days after adoption, the
            # JCPOA's Implementation Day under 2231, the snapback under 2231 para 12.
            resolution = Resolution.objects.get(symbol=under.group(2))
            assert measure.started_on == datetime.date.fromisoformat(under.group(1)), label
            assert measure.started_on > resolution.voted_on, label
        assert resolution.outcome == "adopted" and resolution.number, label
        assert resolution in measure.regime.resolutions.all(), label
        source = Source.objects.get(document_symbol=resolution.symbol)
        assert source.kind == "un_document" and source.published_on == resolution.voted_on, label
        assert measure.provisions.exists(), f"{label}: no provision"
        assert all(p.resolution.voted_on <= measure.started_on for p in measure.provisions.all()), label


def test_every_ended_phase_ends_on_the_adoption_of_the_resolution_that_ended_it(reference):
    ended = 0
    for measure in reference_measures():
        label = f"{measure.regime.code} {measure.code}"
        by, under = ENDED_BY.search(measure.description), ENDED_UNDER.search(measure.description)
        if measure.ended_on is None:
            assert not by and not under, f"{label}: names an end but has no ended_on"
            continue
        ended += 1
        assert by or under, f"{label}: ended_on without the resolution that ended it"
        if by:
            resolution = Resolution.objects.get(symbol=by.group(1))
            assert measure.ended_on == resolution.voted_on, label
        else:
            resolution = Resolution.objects.get(symbol=under.group(2))
            assert measure.ended_on == datetime.date.fromisoformat(under.group(1)), label
            assert measure.ended_on >= resolution.voted_on, label
        assert resolution in measure.regime.resolutions.all(), label
        assert Source.objects.filter(document_symbol=resolution.symbol).exists(), label
    assert ended


def test_no_dates_are_reversed(reference):
    call_command("load_demo", verbosity=0)
    for measure in Measure.objects.select_related("regime"):
        label = f"{measure.regime.code} {measure.code}"
        if measure.started_on and measure.ended_on:
            assert measure.started_on <= measure.ended_on, label
        regime = measure.regime
        if regime.started_on and measure.started_on:
            assert regime.started_on <= measure.started_on, label
        if regime.ended_on:
            assert measure.ended_on and measure.ended_on <= regime.ended_on, label
    for regime in Regime.objects.all():
        if regime.started_on and regime.ended_on:
            assert regime.started_on <= regime.ended_on, regime.code


def test_phases_of_one_regime_follow_each_other_without_overlap_of_more_than_the_day_of_change(reference):
    """A phase that a resolution changed ends on that resolution's adoption day, the day the
    next phase begins: the two share that one day and never more."""
    for regime in Regime.objects.filter(code__in=reference_codes()):
        phases = sorted(
            (m for m in regime.measures.filter(kind=MeasureKind.ARMS_EMBARGO) if m.direction != "exports_from_target"),
            key=lambda m: m.started_on,
        )
        for earlier, later in zip(phases, phases[1:], strict=False):
            assert earlier.ended_on is not None, f"{regime.code}: {earlier.code} never ends but {later.code} follows"
            assert earlier.ended_on <= later.started_on, regime.code


# Regimes that never had an arms embargo: present, with none.
WITHOUT_ARMS_EMBARGO = {"UN-2374"}


def test_each_regime_of_the_issue_that_is_present_has_an_arms_embargo_phase(reference):
    present = Regime.objects.filter(code__in=NAMED_IN_ISSUE)
    assert present.count() >= 30
    for regime in present:
        has_one = regime.measures.filter(kind=MeasureKind.ARMS_EMBARGO).exists()
        assert has_one == (regime.code not in WITHOUT_ARMS_EMBARGO), regime.code


def test_lebanon_and_the_drc_after_1807_bind_only_non_state_actors(reference):
    lebanon = Measure.objects.get(regime__code="UN-1701", kind=MeasureKind.ARMS_EMBARGO)
    assert lebanon.applies_to == AppliesTo.NON_STATE_ACTORS
    assert lebanon.started_on == datetime.date(2006, 8, 11)
    drc = Measure.objects.get(regime__code="UN-1533", started_on=Resolution.objects.get(number=1807).voted_on)
    assert drc.applies_to == AppliesTo.NON_STATE_ACTORS
    assert drc.ended_on is None
    assert drc.provisions.filter(resolution__number=1807).exists()


def test_the_engine_reads_the_reference_phases_by_date_and_by_party(reference):
    """South Africa: a supply of arms in 1980 breaks resolution 418's embargo, one in 1995 breaks
    nothing. Lebanon: a supply to an armed group breaks 1701, one to the state does not. Iran: a
    supply of missiles in 2012 breaks 1747's export ban, one in 2020 needed 2231's approval, one in
    2022 breaks nothing, one in October 2025 breaks the export ban brought back by the snapback."""
    during = TransferFactory(
        supplier=country("FR"), recipient=country("ZA"), category="heavy_weapons",
        started_on=datetime.date(1980, 5, 1), ended_on=datetime.date(1980, 5, 31),
    )  # fmt: skip
    after = TransferFactory(
        supplier=country("FR"), recipient=country("ZA"), category="heavy_weapons",
        started_on=datetime.date(1995, 5, 1), ended_on=datetime.date(1995, 5, 31),
    )  # fmt: skip
    armed_group = ActorFactory(slug="test-only-armed-group-lb", kind="armed_group", country=country("LB"))
    to_group = TransferFactory(
        supplier=country("IR"), recipient=country("LB"), recipient_actor=armed_group, category="missiles",
        started_on=datetime.date(2020, 1, 1), ended_on=datetime.date(2020, 1, 31),
    )  # fmt: skip
    to_state = TransferFactory(
        supplier=country("FR"), recipient=country("LB"), category="military_equipment",
        started_on=datetime.date(2020, 1, 1), ended_on=datetime.date(2020, 1, 31),
    )  # fmt: skip
    from_iran = {
        year: TransferFactory(
            supplier=country("IR"),
            recipient=country("SY"),
            category="missiles",
            started_on=datetime.date(year, 10, 1),
            ended_on=datetime.date(year, 10, 31),
        )  # fmt: skip
        for year in (2012, 2020, 2022, 2025)
    }
    found = contraventions_for([during, after, to_group, to_state, *from_iran.values()], today=TODAY)

    def summary(transfer):
        return {(c.regime.code, c.measure.code, c.finding) for c in found[transfer.pk]}

    assert summary(during) == {("UN-418", "arms-embargo", "breach")}
    assert summary(after) == set()
    # Iran's side too: in 2020 any arms from Iran needed the Council's prior approval (2231 Annex B
    # para 6(b), until 18 October 2020), and none is recorded.
    assert summary(to_group) == {
        ("UN-1701", "arms-embargo-non-state", "breach"),
        ("UN-2231", "arms-from-iran-approval", "needs_exemption"),
    }
    assert summary(to_state) == set()
    # 1701 was not adopted under Chapter VII; 418 was.
    assert [c.binding for c in found[to_group.pk] if c.regime.code == "UN-1701"] == [False]
    assert [c.binding for c in found[during.pk]] == [True]
    assert summary(from_iran[2012]) == {("UN-1737", "arms-export-ban", "breach")}
    assert summary(from_iran[2020]) == {("UN-2231", "arms-from-iran-approval", "needs_exemption")}
    assert summary(from_iran[2022]) == set()
    assert summary(from_iran[2025]) == {("UN-1737", "arms-export-ban-snapback", "breach")}


def test_the_demos_findings_are_the_same_with_the_reference_loaded(db):
    from apps.transfers.models import Transfer

    call_command("load_demo", verbosity=0)

    def all_findings():
        transfers = list(Transfer.objects.all())
        found = contraventions_for(transfers, today=TODAY)
        return {t.reference: sorted((c.regime.code, c.measure.code, c.finding) for c in found[t.pk]) for t in transfers}

    demo_only = all_findings()
    assert any(demo_only.values())
    call_command("load_reference", verbosity=0)

    assert all_findings() == demo_only


def test_every_reference_regime_has_a_public_page(reference, client):
    for code in reference_codes():
        response = client.get(f"/regimes/{code}/")
        assert response.status_code == 200, code
        regime = Regime.objects.get(code=code)
        assert escape(regime.name) in response.content.decode(), code
