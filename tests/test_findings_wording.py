"""What a finding says and counts at its edges: the words an editor checks (the transfer's
span, the cap arithmetic), a total exactly at a cap, units written loosely, and the high
ends of quantity ranges. Mutation testing (docs/mutation-testing.md) found these untested."""

import datetime
from decimal import Decimal

import pytest

from tests.factories import (
    ActorFactory,
    AuthorityFactory,
    ClaimFactory,
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


# --- the reasons of the rules of scope, jurisdiction, exemption and notification ----------------


def named(iso2):
    return f"{country(iso2).name} ({iso2})"


def arms_to(recipient, supplier="US", **fields):
    values = {
        "supplier": country(supplier),
        "recipient": country(recipient),
        "category": "small_arms",
        "started_on": D(2020, 5, 1),
        "ended_on": D(2020, 5, 2),
        "date_precision": "day",
    }
    return TransferFactory(**{**values, **fields})


def import_ban(regime, code="arms-import-ban", **fields):
    values = {"direction": "imports_to_target", "covers": ["arms"], "started_on": D(2013, 3, 6)}
    return MeasureFactory(regime=regime, code=code, **{**values, **fields})


def european_union():
    """An authority binding its own jurisdiction through its members (two of them here)."""
    eu = AuthorityFactory(code="EU", name="European Union", kind="supranational", binds="own_jurisdiction")
    eu.members.set([country("DE"), country("FR")])
    return eu


def united_states():
    """An authority binding its own jurisdiction through its own country (no members)."""
    return AuthorityFactory(code="US", name="United States", kind="national", country=country("US"))


def test_a_measure_of_a_states_own_jurisdiction_names_it_and_binds_without_a_resolution():
    """A state's or the EU's measure binds the persons under its jurisdiction (its members, else
    its own country), whatever resolutions it cites (none here): the reason lists the members
    and the side's state they take in, and no Chapter VII sentence follows."""
    eu = european_union()
    import_ban(RegimeFactory(code="EU-DPRK", authority=eu, target_country=country("KP")), started_on=D(2016, 2, 18))
    (by_the_eu,) = findings(arms_to("KP", supplier="FR"))
    members = ", ".join(c.iso2 for c in eu.members.all())
    assert set(members.split(", ")) == {"DE", "FR"}
    assert by_the_eu.binding is True
    assert by_the_eu.reasons[3:] == [
        f"EU-DPRK targets {named('KP')}; the measure forbids imports to the target, and the recipient is KP.",
        f"It obliges the supplier's state, {named('FR')}; EU binds only persons under its jurisdiction ({members}), "
        f"which takes in {named('FR')}.",
        "The transfer is alleged.",
    ]
    us = united_states()
    import_ban(RegimeFactory(code="US-DPRK", authority=us, target_country=country("KP")), started_on=D(2016, 2, 18))
    (by_the_us,) = findings(arms_to("KP", supplier="US"))
    assert (by_the_us.measure.regime.code, by_the_us.binding) == ("US-DPRK", True)
    assert by_the_us.reasons[4:] == [
        f"It obliges the supplier's state, {named('US')}; US binds only persons under its jurisdiction (US), "
        f"which takes in {named('US')}.",
        "The transfer is alleged.",
    ]


def test_a_measure_resting_only_on_resolutions_outside_chapter_vii_names_them_all_and_does_not_bind():
    un = AuthorityFactory(code="UN")
    regime = RegimeFactory(code="UN-1695", authority=un, target_country=country("KP"), started_on=D(2006, 7, 15))
    ban = MeasureFactory(
        regime=regime, code="missile-ban", direction="exports_from_target", covers=["missiles"], started_on=None
    )
    first = ResolutionFactory(symbol="S/RES/1695 (2006)", number=1695, voted_on=D(2006, 7, 15), chapter_vii=False)
    second = ResolutionFactory(symbol="S/RES/1696 (2006)", number=1696, voted_on=D(2006, 7, 31), chapter_vii=False)
    ban.provisions.add(ProvisionFactory(resolution=first, paragraph="3"), ProvisionFactory(resolution=second))
    (finding,) = findings(TransferFactory(category="missiles", started_on=D(2006, 8, 1), ended_on=D(2006, 8, 2)))
    assert finding.binding is False
    assert (
        "It rests only on S/RES/1695 (2006), S/RES/1696 (2006), not adopted under Chapter VII: it calls on states "
        "to act but does not bind."
    ) in finding.reasons
    third = ResolutionFactory(symbol="S/RES/1718 (2006)", number=1718, voted_on=D(2006, 10, 14), chapter_vii=True)
    fourth = ResolutionFactory(symbol="S/RES/1874 (2009)", number=1874, voted_on=D(2009, 6, 12), chapter_vii=True)
    ban.provisions.add(ProvisionFactory(resolution=third), ProvisionFactory(resolution=fourth))
    (finding,) = findings(TransferFactory(category="missiles", started_on=D(2010, 8, 1), ended_on=D(2010, 8, 2)))
    assert finding.binding is True
    assert "It rests on S/RES/1718 (2006), S/RES/1874 (2009), adopted under Chapter VII: it binds." in (finding.reasons)


def test_a_transfer_and_a_measure_without_a_start_are_said_so():
    regime = RegimeFactory(code="UN-1718", started_on=None)
    MeasureFactory(regime=regime, code="arms-export-ban", covers=["arms"], started_on=None)
    ongoing = TransferFactory(category="munitions", started_on=None, ended_on=None, date_precision="day")
    (finding,) = findings(ongoing)
    assert finding.reasons[1:3] == [
        "The transfer began on an unrecorded date and is ongoing to today.",
        "arms-export-ban is in force from the start to today (the measure's and its regime's dates); the two "
        "overlap from … to today.",
    ]


def test_a_measure_on_the_recipients_imports_says_so():
    regime = RegimeFactory(code="UN-1737", target_country=country("IR"))
    import_ban(regime, code="heavy-arms-import-ban", started_on=D(2010, 6, 9))
    (finding,) = findings(arms_to("IR", supplier="RU", category="missiles"))
    assert (
        f"UN-1737 targets {named('IR')}; the measure forbids imports to the target, and the recipient is IR."
    ) in finding.reasons


def test_measures_that_do_not_reach_or_oblige_the_party_do_not_stop_the_next_from_being_weighed():
    """Measures are weighed in order of regime and code: one that obliges neither side's state
    (the EU's own jurisdiction) and one that does not reach the state (it applies to non-state
    actors) come first, and the one after them is still found."""
    eu = european_union()
    import_ban(RegimeFactory(code="EU-LEBANON", authority=eu, target_country=country("LB")), code="eu-arms-ban")
    regime = RegimeFactory(code="UN-1701", target_country=country("LB"), started_on=D(2006, 8, 11))
    import_ban(regime, code="a-non-state-arms-ban", applies_to="non_state_actors")
    import_ban(regime, code="b-arms-ban")
    found = findings(arms_to("LB", supplier="IR"))
    assert [(f.finding, f.measure.code) for f in found] == [("breach", "b-arms-ban")]


def test_the_exemption_reasons_name_the_government_party_and_the_notifying_state():
    regime = RegimeFactory(code="UN-733", target_country=country("SO"), started_on=D(1992, 1, 23))
    import_ban(regime, government_exemption="notification")
    (to_the_state,) = findings(arms_to("SO"))
    assert (to_the_state.finding, to_the_state.reasons[-2]) == (
        "needs_exemption",
        f"The recipient is the state of {named('SO')}: the supply is prohibited unless notified to the "
        "committee; none is recorded.",
    )
    army = ActorFactory(slug="sna", kind="government_body", name="Somali National Army", country=country("SO"))
    to_the_army = arms_to("SO", recipient_actor=army)
    ClaimFactory(transfer=to_the_army, stance="notifies", claimant_country=country("US"))
    (exempted,) = findings(to_the_army)
    assert (exempted.finding, exempted.reasons[-2]) == (
        "exempted",
        "The recipient is Somali National Army, a government body: the supply is allowed once notified to the "
        f"committee, and the supplier's state, {named('US')}, notified it (a claim with the stance notifies).",
    )


def test_the_scope_and_notification_reasons_name_the_listing_and_the_missing_notification():
    regime = RegimeFactory(code="UN-1701", target_country=country("LB"), started_on=D(2006, 8, 11))
    import_ban(regime, applies_to="listed_only", notification_required=True)
    trader = ActorFactory(slug="a-trader", name="A trader", country=country("LB"))
    DesignationFactory(regime=regime, actor=trader, reference="LBi.001", listed_on=D(2019, 1, 1))
    breach, not_notified = sorted(findings(arms_to("LB", recipient_actor=trader)), key=lambda f: f.finding)
    listed = "arms-import-ban applies only to those designated under UN-1701; the recipient, A trader, is listed as "
    assert f"{listed}LBi.001 while the transfer ran." in breach.reasons
    assert not_notified.finding == "not_notified"
    assert not_notified.reasons == [
        "arms-import-ban requires every supply it counts to be notified to the committee; no notification of this "
        f"transfer by the supplier's state, {named('US')}, is recorded (a claim with the stance notifies).",
        *breach.reasons,
    ]


@pytest.mark.parametrize("note", ["", "battle tanks, combat aircraft"])
def test_a_category_covered_in_part_says_the_transfer_may_or_may_not_be_covered(note):
    regime = RegimeFactory(code="UN-1737", target_country=country("IR"))
    import_ban(regime, code="heavy-arms-ban", covers=[], covers_in_part=["heavy_weapons"], scope_note=note)
    (finding,) = findings(arms_to("IR", supplier="RU", category="heavy_weapons"))
    quoted = f' ("{note}")' if note else ""
    assert finding.reasons[0] == (
        f"heavy-arms-ban covers only part of heavy_weapons{quoted}: the transfer may or may not be of a covered kind."
    )


def test_each_asset_freeze_is_weighed_against_the_listing_and_the_reason_gives_the_listings_dates():
    """Freezes are weighed in code order: one never in force, one not in force during the
    transfer and one in force only before the actor was listed come first and give nothing; the
    one after them does."""
    regime = RegimeFactory(code="UN-1718", started_on=D(2006, 10, 14))
    for code, start, end in [
        ("0-freeze", D(2005, 1, 1), D(2005, 12, 31)),  # ended before its regime began: never in force
        ("a-freeze", D(2008, 1, 1), D(2010, 12, 31)),
        ("b-freeze", D(2015, 1, 1), D(2020, 3, 31)),
        ("c-freeze", D(2016, 1, 1), None),
    ]:
        MeasureFactory(
            regime=regime,
            code=code,
            kind="asset_freeze",
            direction="not_applicable",
            covers=[],
            started_on=start,
            ended_on=end,
        )
    bank = ActorFactory(slug="a-bank", name="A bank")
    DesignationFactory(
        regime=regime, actor=bank, reference="KPe.099", listed_on=D(2020, 6, 1), delisted_on=D(2024, 6, 1)
    )
    payment = TransferFactory(
        category="financial",
        started_on=D(2020, 1, 1),
        ended_on=D(2020, 12, 31),
        date_precision="day",
        supplier_actor=bank,
    )
    (finding,) = findings(payment)
    assert (finding.finding, finding.measure.code) == ("designated_party", "c-freeze")
    assert finding.reasons[0] == (
        "The supplier actor, A bank, is designated under UN-1718 as KPe.099, listed 2020-06-01, delisted 2024-06-01."
    )
    assert finding.reasons[2] == (
        "UN-1718's c-freeze (asset freeze) was in force while the actor was listed and the transfer ran, from "
        "2020-06-01 to 2020-12-31."
    )


def test_a_listing_and_a_freeze_without_dates_are_said_so():
    regime = RegimeFactory(code="UN-1718", started_on=None)
    MeasureFactory(
        regime=regime, code="asset-freeze", kind="asset_freeze", direction="not_applicable", covers=[], started_on=None
    )
    bank = ActorFactory(slug="a-bank", name="A bank")
    DesignationFactory(regime=regime, actor=bank, reference="KPe.099", listed_on=None)
    ongoing = TransferFactory(
        category="financial", started_on=None, ended_on=None, date_precision="day", recipient_actor=bank
    )
    (finding,) = findings(ongoing)
    assert finding.reasons[0] == (
        "The recipient actor, A bank, is designated under UN-1718 as KPe.099, listed on an unrecorded date, "
        "not delisted."
    )
    assert finding.reasons[2].endswith("while the actor was listed and the transfer ran, from … to today.")


def test_an_ongoing_transfer_under_a_measure_that_ended_overlaps_it_to_the_measures_end_not_today():
    MeasureFactory(code="arms-export-ban", covers=["arms"], started_on=D(2009, 6, 12), ended_on=D(2017, 12, 31))
    ongoing = TransferFactory(category="munitions", started_on=D(2016, 5, 1), ended_on=None, date_precision="day")
    (finding,) = findings(ongoing)
    assert finding.reasons[2] == (
        "arms-export-ban is in force from 2009-06-12 to 2017-12-31 (the measure's and its regime's dates); the two "
        "overlap from 2016-05-01 to 2017-12-31."
    )


def test_the_category_reasons_list_what_the_measure_covers():
    MeasureFactory(code="arms-export-ban", covers=["missiles", "munitions"], started_on=D(2009, 6, 12))
    (direct,) = findings(TransferFactory(category="munitions", started_on=D(2020, 1, 1), ended_on=D(2020, 1, 2)))
    assert direct.reasons[0] == (
        "arms-export-ban covers missiles, munitions, which includes the transfer's category, munitions."
    )
    (vague,) = findings(TransferFactory(category="arms", started_on=D(2020, 1, 1), ended_on=D(2020, 1, 2)))
    assert (vague.finding, vague.reasons[0]) == (
        "possible_breach",
        "The transfer's category, arms, is less specific than what arms-export-ban covers (missiles, munitions): "
        "it may or may not be of a covered kind.",
    )


def test_the_resolutions_without_a_recorded_vote_are_listed_together():
    regime = RegimeFactory(code="UN-1718", authority=AuthorityFactory(code="UN"))
    ban = MeasureFactory(regime=regime, code="arms-export-ban", covers=["arms"], started_on=D(2009, 6, 12))
    for number, day in [(1718, D(2006, 10, 14)), (1874, D(2009, 6, 12))]:
        resolution = ResolutionFactory(
            symbol=f"S/RES/{number} ({day.year})", number=number, voted_on=day, chapter_vii=True
        )
        ban.provisions.add(ProvisionFactory(resolution=resolution))
        VoteFactory(resolution=resolution, country=country("RU"), position="yes")
    (finding,) = findings(TransferFactory(category="munitions", started_on=D(2020, 1, 1), ended_on=D(2020, 1, 2)))
    assert (
        "No vote of the supplier, KP, is recorded on S/RES/1718 (2006), S/RES/1874 (2009) (it was not on the "
        "Council then, or its vote is not in the database)."
    ) in finding.reasons


def test_a_cap_reason_gives_a_fractional_quantity_whole_and_says_nothing_of_parts_when_there_are_none():
    cap = refined_petroleum_cap()
    cap.cap_quantity = Decimal("500000.5")
    cap.save()
    (finding,) = findings(fuel(D(2024, 3, 15), 300_000))
    assert any(
        reason.startswith("The cap is 500,000.5 barrels per calendar year")
        and reason.endswith("the low end 200,000.5 barrels below the cap.")
        for reason in finding.reasons
    ), finding.reasons
    assert not [reason for reason in finding.reasons if "parts of a larger recorded transfer" in reason]


def test_the_caps_month_totals_are_kept_in_the_process_per_audience():
    """Kept as the very object they were summed as (no unpickling per request), and the
    totals of the system and of editors, which count drafts, apart from the public's."""
    from django.core.cache import cache

    from apps.common import kept
    from apps.common.roles import EDITORS
    from apps.transfers.caps import cap_month_totals
    from apps.transfers.findings import PUBLIC
    from tests.api.conftest import user_in

    cache.clear()
    kept.store.clear()
    caps = [refined_petroleum_cap()]
    published = fuel(D(2024, 3, 15), 300_000)
    published.review_status = "published"
    published.save()
    fuel(D(2024, 4, 15), 100_000)  # a draft
    system = cap_month_totals(caps, user=None)
    assert cap_month_totals(caps, user=None) is system
    editors = cap_month_totals(caps, user=user_in(EDITORS, "eddie"))
    public = cap_month_totals(caps, user=PUBLIC)
    assert [sum(values[1] for values in totals.values()) for totals in (system, editors, public)] == [
        400_000,
        400_000,
        300_000,
    ]


def test_whether_a_measure_binds_asks_about_resolutions_only_for_an_authority_that_binds_all_states():
    """A UN measure that cites no resolution binds, saying nothing of Chapter VII; a state's
    measure binds its own jurisdiction even when it cites a resolution adopted outside Chapter
    VII."""
    MeasureFactory(code="arms-export-ban", covers=["arms"], started_on=D(2009, 6, 12))
    (finding,) = findings(TransferFactory(category="munitions", started_on=D(2020, 1, 1), ended_on=D(2020, 1, 2)))
    assert finding.binding is True
    assert not [reason for reason in finding.reasons if reason.startswith("It rests")]
    us = united_states()
    ban = import_ban(RegimeFactory(code="US-DPRK", authority=us, target_country=country("KP")))
    resolution = ResolutionFactory(symbol="S/RES/1695 (2006)", number=1695, chapter_vii=False)
    ban.provisions.add(ProvisionFactory(resolution=resolution))
    (by_the_us,) = findings(arms_to("KP", supplier="US"))
    assert by_the_us.binding is True
    assert not [reason for reason in by_the_us.reasons if reason.startswith("It rests")]


def test_a_jurisdiction_that_takes_in_both_sides_names_both():
    eu = european_union()
    regime = RegimeFactory(code="EU-TEST", authority=eu, target_country=country("DE"))
    import_ban(regime, obliges=["supplier", "recipient"])
    (finding,) = findings(arms_to("DE", supplier="FR"))
    assert finding.reasons[-2].endswith(f"which takes in {named('FR')}, {named('DE')}.")
