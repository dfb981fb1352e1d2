"""What a finding says and counts at its edges: the words an editor checks (the transfer's
span, the cap arithmetic), a total exactly at a cap, units written loosely, and the high
ends of quantity ranges. Mutation testing (docs/mutation-testing.md) found these untested."""

import datetime

import pytest

from tests.factories import (
    ActorFactory,
    AuthorityFactory,
    DesignationFactory,
    MeasureFactory,
    ProvisionFactory,
    RegimeFactory,
    ResolutionFactory,
    TransferFactory,
    VoteFactory,
    country,
)
from tests.test_findings import D, arms_export_ban, findings, refined_petroleum_cap

pytestmark = pytest.mark.django_db


def fuel(day, low, high=None, unit="barrels", supplier="RU"):
    return TransferFactory(
        supplier=country(supplier),
        recipient=country("KP"),
        category="refined_petroleum",
        started_on=day,
        ended_on=day,
        date_precision="day",
        quantity_low=low,
        quantity_high=low if high is None else high,
        quantity_unit=unit,
    )


def test_the_reasons_give_the_transfers_span_ongoing_and_widened_in_words():
    arms_export_ban()
    ongoing = TransferFactory(
        category="munitions", started_on=D(2023, 11, 1), ended_on=None, date_precision="month", status="alleged"
    )
    (finding,) = findings(ongoing)
    # No date that moves with the day in a stored reason: "today", not the day it was written.
    assert "The transfer began 2023-11-01 and is ongoing to today, its dates widened to whole months." in (
        finding.reasons
    )
    assert any(reason.endswith("overlap from 2023-11-01 to today.") for reason in finding.reasons)
    ended = TransferFactory(
        category="munitions", started_on=D(2023, 11, 5), ended_on=D(2023, 11, 9), date_precision="day"
    )
    (finding,) = findings(ended)
    assert "The transfer spans 2023-11-05 to 2023-11-09." in finding.reasons


def test_the_cap_reason_gives_the_arithmetic_an_editor_can_check():
    refined_petroleum_cap()
    delivery = fuel(D(2024, 3, 15), 300_000)
    (finding,) = findings(delivery)
    dprk = f"{country('KP').name} (KP)"
    assert (
        f"The cap is 500,000 barrels per calendar year; supplies of refined_petroleum to {dprk} from 2024-01-01 "
        "to 2024-12-31 total 300,000 barrels over 1 transfer(s) (not disproven), the low end 200,000 barrels "
        "below the cap."
    ) in finding.reasons


def test_a_total_exactly_at_the_cap_does_not_exceed_it():
    refined_petroleum_cap()
    (finding,) = findings(fuel(D(2024, 3, 15), 500_000))
    assert (finding.finding, finding.cap.remaining) == ("counts_toward_cap", 0)
    assert any(reason.endswith("the low end 0 barrels below the cap.") for reason in finding.reasons)
    (finding,) = findings(fuel(D(2024, 4, 15), 1))
    assert (finding.finding, finding.cap.remaining) == ("exceeds_cap", -1)


def test_units_are_compared_loosely_in_a_cap():
    refined_petroleum_cap()
    delivery = fuel(D(2024, 3, 15), 100_000, unit="Barrels")
    fuel(D(2024, 4, 15), 50_000, unit=" barrel ")
    (finding,) = findings(delivery)
    assert (finding.cap.total_low, finding.cap.counted, finding.cap.uncounted) == (150_000, 2, 0)


def test_a_cap_sums_the_high_ends_of_quantity_ranges_too():
    refined_petroleum_cap()
    delivery = fuel(D(2024, 3, 15), 100_000, high=150_000)
    fuel(D(2024, 4, 15), 20_000, high=30_000, supplier="CN")
    (finding,) = findings(delivery)
    assert (finding.cap.total_low, finding.cap.total_high) == (120_000, 180_000)
    assert any("total 120,000–180,000 barrels over 2 transfer(s)" in reason for reason in finding.reasons)


def test_a_supply_without_a_quantity_adds_nothing_to_a_cap_and_is_said_uncounted():
    refined_petroleum_cap()
    delivery = fuel(D(2024, 3, 15), 100_000)
    TransferFactory(
        supplier=country("CN"),
        recipient=country("KP"),
        category="refined_petroleum",
        # Another month: the month's sums in the database have no quantity at all.
        started_on=D(2024, 5, 20),
        ended_on=D(2024, 5, 20),
        date_precision="day",
        quantity_unit="barrels",
    )
    (finding,) = findings(delivery)
    cap = finding.cap
    assert (cap.total_low, cap.total_high, cap.counted, cap.uncounted) == (100_000, 100_000, 1, 1)


def test_less_specific_supplies_are_said_uncounted_in_a_cap():
    refined_petroleum_cap()
    delivery = fuel(D(2024, 3, 15), 100_000)
    for month in (5, 8):
        TransferFactory(
            supplier=country("CN"),
            recipient=country("KP"),
            category="fuel",
            started_on=D(2024, month, 1),
            ended_on=D(2024, month, 1),
            date_precision="day",
            quantity_low=70_000,
            quantity_high=70_000,
            quantity_unit="barrels",
        )
    (finding,) = findings(delivery)
    assert (finding.cap.total_low, finding.cap.counted, finding.cap.uncounted) == (100_000, 1, 2)


def test_a_supply_dated_only_by_its_end_is_counted_in_its_ends_period():
    refined_petroleum_cap()
    delivery = fuel(D(2024, 3, 15), 100_000)
    delivery.started_on = None
    delivery.save()
    (finding,) = findings(delivery)
    assert finding.cap is not None
    assert (finding.cap.period.start, finding.cap.period.end, finding.cap.total_low) == (
        D(2024, 1, 1),
        D(2024, 12, 31),
        100_000,
    )


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (D(2024, 3, 15), D(2023, 4, 1), D(2024, 3, 31)),  # back across a year
        (D(2023, 2, 10), D(2022, 3, 1), D(2023, 2, 28)),  # February of a common year
        (D(2024, 12, 5), D(2024, 1, 1), D(2024, 12, 31)),  # December: the calendar year
    ],
)
def test_a_rolling_cap_counts_the_twelve_months_ending_with_the_deliverys(day, start, end):
    refined_petroleum_cap().__class__.objects.update(cap_period="rolling_12_months")
    delivery = fuel(day, 100_000)
    fuel(start, 10_000, supplier="CN")  # the window's first day
    fuel(start - datetime.timedelta(days=1), 1_000, supplier="CN")  # the day before it
    (finding,) = findings(delivery)
    assert (finding.cap.period.start, finding.cap.period.end) == (start, end)
    assert (finding.cap.total_low, finding.cap.counted) == (110_000, 2)


def test_each_measure_of_a_target_is_weighed_whatever_the_measures_before_it():
    """Measures that do not apply (other direction, category, period, jurisdiction) come first
    in the service's order (regime, then code): the one that applies is still found."""
    regime = RegimeFactory(code="UN-1718", authority=AuthorityFactory(code="UN"), target_country=country("KP"))
    ban = {"regime": regime, "kind": "arms_embargo", "direction": "exports_from_target", "covers": ["arms"]}
    MeasureFactory(**{**ban, "code": "a-import-ban", "direction": "imports_to_target"})
    MeasureFactory(**{**ban, "code": "b-fuel-ban", "covers": ["fuel"]})
    MeasureFactory(**{**ban, "code": "c-expired-ban", "started_on": D(2006, 1, 1), "ended_on": D(2007, 1, 1)})
    MeasureFactory(**{**ban, "code": "z-arms-export-ban", "started_on": D(2009, 6, 12)})
    # A regime that ended in 2010, sorted first: its open-ended measure was in force only until then.
    ended = RegimeFactory(code="UN-0001", target_country=country("KP"), ended_on=D(2010, 1, 1))
    MeasureFactory(**{**ban, "regime": ended, "code": "ended-regime-ban", "started_on": D(2006, 10, 14)})
    shipment = TransferFactory(category="munitions", started_on=D(2023, 11, 1), ended_on=D(2023, 12, 1))
    assert [f.measure.code for f in findings(shipment)] == ["z-arms-export-ban"]


def test_each_designation_and_asset_freeze_is_weighed_whatever_those_before_it():
    """A designation listed after the transfer and an expired asset freeze come first in the
    service's order (reference, then code): the designation and freeze that apply are found."""
    regime = RegimeFactory(code="UN-1718", authority=AuthorityFactory(code="UN"), target_country=country("KP"))
    freeze = {"regime": regime, "kind": "asset_freeze", "direction": "not_applicable", "covers": []}
    MeasureFactory(**freeze, code="a-expired-freeze", started_on=D(2006, 1, 1), ended_on=D(2007, 1, 1))
    MeasureFactory(**freeze, code="b-asset-freeze", started_on=D(2006, 10, 14))
    komid = ActorFactory(slug="komid", country=country("KP"))
    DesignationFactory(regime=regime, actor=komid, reference="KPe.000", listed_on=D(2025, 1, 1))
    DesignationFactory(regime=regime, actor=komid, reference="KPe.001", listed_on=D(2009, 4, 24))
    shipment = TransferFactory(category="munitions", started_on=D(2023, 11, 1), ended_on=D(2023, 12, 1))
    shipment.supplier_actor = komid
    shipment.save()
    assert [(f.finding, f.designation.reference, f.measure.code) for f in findings(shipment)] == [
        ("designated_party", "KPe.001", "b-asset-freeze")
    ]


def test_a_breach_and_a_designated_party_give_every_reason_in_words():
    r1718 = ResolutionFactory(symbol="S/RES/1718 (2006)", number=1718, chapter_vii=True)
    VoteFactory(resolution=r1718, country=country("RU"), position="yes")
    regime = RegimeFactory(code="UN-1718", authority=AuthorityFactory(code="UN"), target_country=country("KP"))
    regime.resolutions.add(r1718)
    in_force = {"regime": regime, "started_on": D(2006, 10, 14)}
    ban = MeasureFactory(
        **in_force, code="arms-export-ban", kind="arms_embargo", direction="exports_from_target", covers=["arms"]
    )
    ban.provisions.add(ProvisionFactory(resolution=r1718, paragraph="8(b)"))
    MeasureFactory(**in_force, code="asset-freeze", kind="asset_freeze", direction="not_applicable", covers=[])
    komid = ActorFactory(slug="komid", name="Korea Mining Development Trading Corporation", country=country("KP"))
    DesignationFactory(regime=regime, actor=komid, reference="KPe.001", listed_on=D(2009, 4, 24))
    shipment = TransferFactory(
        category="missiles",
        started_on=D(2023, 11, 1),
        ended_on=D(2024, 1, 31),
        date_precision="day",
        supplier_actor=komid,
    )
    kp, ru = (f"{country(iso2).name} ({iso2})" for iso2 in ("KP", "RU"))
    breach, designated = findings(shipment)
    obliges = f"It obliges the supplier's state, {kp}, the recipient's state, {ru}; a measure of UN binds all states."
    binds = "It rests on S/RES/1718 (2006), adopted under Chapter VII: it binds."
    no_vote = (
        "No vote of the supplier, KP, is recorded on S/RES/1718 (2006) (it was not on the Council then, or its vote "
        "is not in the database)."
    )
    assert (breach.finding, breach.binding, breach.cap, breach.designation) == ("breach", True, None, None)
    assert breach.reasons == [
        "arms-export-ban covers arms; arms is the parent of missiles.",
        "The transfer spans 2023-11-01 to 2024-01-31.",
        "arms-export-ban is in force from 2006-10-14 to today (the measure's and its regime's dates); the two "
        "overlap from 2023-11-01 to 2024-01-31.",
        f"UN-1718 targets {kp}; the measure forbids exports from the target, and the supplier is KP.",
        obliges,
        binds,
        no_vote,
        "The transfer is alleged.",
    ]
    assert (designated.finding, designated.binding, designated.cap) == ("designated_party", True, None)
    assert designated.reasons == [
        "The supplier actor, Korea Mining Development Trading Corporation, is designated under UN-1718 as KPe.001, "
        "listed 2009-04-24, not delisted.",
        "The transfer spans 2023-11-01 to 2024-01-31.",
        "UN-1718's asset-freeze (asset freeze) was in force while the actor was listed and the transfer ran, from "
        "2023-11-01 to 2024-01-31.",
        obliges,
        binds,
        no_vote,
        "The transfer is alleged.",
    ]
