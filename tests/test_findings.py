"""The contraventions question (docs/data-model.md, "The findings"): each rule
shown with the smallest records that show it, so that a rule dropped from the service fails
a test here."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.common.cache import data_changed
from apps.transfers.services import (
    CONTRAVENING,
    FINDING_LABELS,
    FINDINGS,
    contraventions_for,
    transfer_contraventions,
)
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

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 11, 28)


def test_the_kinds_of_finding_are_the_contracts_names_and_six_of_them_contravene():
    """Files, filters (``?finding=needs_exemption``), CSV columns and the stored rows name a
    finding's kind by the contract's strings (docs/data-model.md, "The kinds of finding"),
    so a kind spelt otherwise in the engine would break every reader outside it."""
    assert sorted(FINDINGS) == sorted(
        [
            "breach",
            "possible_breach",
            "exceeds_cap",
            "counts_toward_cap",
            "needs_exemption",
            "exempted",
            "not_notified",
            "designated_party",
        ]
    )
    assert sorted(CONTRAVENING) == sorted(
        ["breach", "possible_breach", "exceeds_cap", "needs_exemption", "not_notified", "designated_party"]
    )
    assert set(FINDING_LABELS) == set(FINDINGS)


def findings(transfer, **kwargs):
    transfer.refresh_from_db()
    return contraventions_for([transfer], today=TODAY, **kwargs)[transfer.pk]


def kinds(transfer, **kwargs):
    return sorted((f.finding, f.measure.code) for f in findings(transfer, **kwargs))


def arms_export_ban(**fields):
    """An arms export ban on the DPRK in force from 12 June 2009 (1874 para 9)."""
    values = {
        "code": "arms-export-ban",
        "kind": "arms_embargo",
        "direction": "exports_from_target",
        "covers": ["arms"],
        "started_on": D(2009, 6, 12),
    }
    return MeasureFactory(**{**values, **fields})


def transfer(**fields):
    values = {
        "supplier": country("KP"),
        "recipient": country("RU"),
        "category": "munitions",
        "date_precision": "day",
        "ended_on": None,
    }
    return TransferFactory(**{**values, **fields})


# --- time ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started_on", "ended_on", "applies"),
    [
        (D(2009, 6, 1), D(2009, 6, 11), False),  # just before the measure
        (D(2009, 6, 1), D(2009, 6, 12), True),  # reaches its first day
        (D(2012, 1, 1), D(2012, 1, 2), True),  # inside
        (D(2015, 1, 1), D(2015, 1, 31), False),  # after its end
    ],
)
def test_a_measure_applies_only_when_its_period_meets_the_transfers(started_on, ended_on, applies):
    arms_export_ban(ended_on=D(2014, 12, 31))
    shipment = transfer(started_on=started_on, ended_on=ended_on)
    assert bool(findings(shipment)) is applies


def test_a_measure_applies_only_while_its_regime_is_in_force():
    measure = arms_export_ban()
    measure.regime.ended_on = D(2010, 12, 31)
    measure.regime.save()
    assert findings(transfer(started_on=D(2010, 5, 1), ended_on=D(2010, 5, 2)))
    assert not findings(transfer(started_on=D(2011, 5, 1), ended_on=D(2011, 5, 2)))


def test_a_regime_that_starts_later_than_its_measure_limits_the_measure():
    measure = arms_export_ban(started_on=D(2006, 7, 15))
    measure.regime.started_on = D(2006, 10, 14)
    measure.regime.save()
    assert not findings(transfer(started_on=D(2006, 8, 1), ended_on=D(2006, 8, 2)))
    (finding,) = findings(transfer(started_on=D(2006, 10, 1), ended_on=D(2006, 10, 20)))
    assert (finding.overlap.start, finding.overlap.end) == (D(2006, 10, 14), D(2006, 10, 20))


def test_a_transfer_that_ended_before_the_measure_is_not_caught_by_its_start_alone():
    arms_export_ban()
    assert not findings(transfer(started_on=D(2008, 1, 1), ended_on=D(2009, 6, 11)))
    assert findings(transfer(started_on=D(2008, 1, 1), ended_on=D(2009, 6, 12)))


def test_an_ongoing_transfer_runs_to_today_and_meets_every_measure_in_force_while_it_ran():
    arms_export_ban(
        code="heavy-weapons-export-ban",
        covers=["heavy_weapons", "missiles"],
        started_on=D(2006, 10, 14),
        ended_on=D(2009, 6, 11),
    )
    arms_export_ban(code="all-arms-export-ban", started_on=D(2009, 6, 12))
    arms_export_ban(code="later-ban", started_on=D(2025, 1, 1))
    flow = transfer(category="missiles", started_on=D(2008, 3, 1), ended_on=None)
    by_code = {f.measure.code: f for f in findings(flow)}
    assert set(by_code) == {"heavy-weapons-export-ban", "all-arms-export-ban", "later-ban"}
    assert by_code["later-ban"].overlap.end == TODAY
    assert by_code["heavy-weapons-export-ban"].overlap.end == D(2009, 6, 11)
    assert any("ongoing" in reason for reason in by_code["later-ban"].reasons)


@pytest.mark.parametrize(
    ("precision", "applies"),
    [("day", False), ("month", True), ("year", True)],
)
def test_precision_widens_the_transfers_dates(precision, applies):
    arms_export_ban()  # from 12 June 2009
    shipment = transfer(started_on=D(2009, 6, 1), ended_on=D(2009, 6, 1), date_precision=precision)
    assert bool(findings(shipment)) is applies


def test_a_year_precision_start_reaches_back_to_january():
    arms_export_ban(started_on=D(2006, 10, 14), ended_on=D(2009, 3, 31))
    assert not findings(transfer(started_on=D(2009, 6, 1), ended_on=D(2009, 6, 30), date_precision="month"))
    assert findings(transfer(started_on=D(2009, 6, 1), ended_on=D(2009, 6, 30), date_precision="year"))


# --- category and direction ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("covers", "category", "finding"),
    [
        (["arms"], "missiles", "breach"),  # the measure covers the transfer's parent
        (["missiles"], "missiles", "breach"),
        (["missiles"], "arms", "possible_breach"),  # the transfer is less specific
        (["missiles"], "munitions", None),  # a sibling leaf
        (["personnel"], "troops", "breach"),
        (["workers"], "troops", None),  # troops are not workers
        (["crude_oil"], "refined_petroleum", None),
    ],
)
def test_a_measure_covers_a_category_its_parent_or_possibly_a_less_specific_one(covers, category, finding):
    arms_export_ban(covers=covers)
    result = findings(transfer(category=category, started_on=D(2020, 1, 1), ended_on=D(2020, 1, 2)))
    assert [f.finding for f in result] == ([finding] if finding else [])


def test_direction_decides_which_flow_a_measure_forbids():
    arms_export_ban()  # exports from the DPRK
    assert findings(transfer(started_on=D(2020, 1, 1), ended_on=D(2020, 1, 2)))
    into_the_target = transfer(supplier=country("RU"), recipient=country("KP"), started_on=D(2020, 1, 1))
    assert not findings(into_the_target)
    arms_export_ban(code="arms-import-ban", direction="imports_to_target")
    (finding,) = findings(into_the_target)
    assert (finding.measure.code, finding.targets, finding.obliges) == ("arms-import-ban", "recipient", ["supplier"])


def test_obliges_names_whose_state_the_measure_obliges():
    arms_export_ban(obliges=["recipient"])
    (finding,) = findings(transfer(started_on=D(2020, 1, 1), ended_on=D(2020, 1, 2)))
    assert finding.obliges == ["recipient"]
    assert [c.iso2 for c in finding.obliged_countries] == ["RU"]


# --- binding force and jurisdiction -------------------------------------------------------


def test_a_measure_resting_only_on_a_resolution_outside_chapter_vii_does_not_bind():
    vigilance = ProvisionFactory(resolution=ResolutionFactory(number=1695, chapter_vii=False), paragraph="3")
    binding = ProvisionFactory(resolution=ResolutionFactory(number=1718, chapter_vii=True), paragraph="8(b)")
    soft = arms_export_ban(code="missile-vigilance", covers=["missiles"])
    soft.provisions.add(vigilance)
    hard = arms_export_ban(code="missile-ban", covers=["missiles"], regime=soft.regime)
    hard.provisions.add(vigilance, binding)
    by_code = {f.measure.code: f for f in findings(transfer(category="missiles", started_on=D(2020, 1, 1)))}
    assert by_code["missile-vigilance"].binding is False
    assert by_code["missile-ban"].binding is True
    assert any("not adopted under Chapter VII" in reason for reason in by_code["missile-vigilance"].reasons)


def test_an_own_jurisdiction_measure_binds_only_its_members():
    us = AuthorityFactory(code="US", name="United States", kind="national", country=country("US"))
    assert us.binds == "own_jurisdiction"
    regime = RegimeFactory(code="US-DPRK", authority=us)
    arms_export_ban(regime=regime)
    assert not findings(transfer(started_on=D(2020, 1, 1)))  # neither the DPRK nor Russia is under US law
    (finding,) = findings(transfer(recipient=country("US"), started_on=D(2020, 1, 1)))
    assert finding.obliges == ["recipient"]  # the supplier, the DPRK, is not a member
    us.members.add(country("RU"))
    (finding,) = findings(transfer(started_on=D(2020, 1, 1)))
    assert finding.obliges == ["recipient"] and finding.binding is True


def test_a_un_measure_binds_all_states():
    arms_export_ban()
    (finding,) = findings(transfer(started_on=D(2020, 1, 1)))
    assert finding.obliges == ["supplier", "recipient"]


# --- caps ---------------------------------------------------------------------------------


def refined_petroleum_cap():
    return MeasureFactory(
        code="refined-petroleum-cap",
        kind="trade_cap",
        direction="imports_to_target",
        covers=["refined_petroleum"],
        cap_quantity=Decimal(500_000),
        cap_unit="barrels",
        cap_period="calendar_year",
        started_on=D(2018, 1, 1),
    )


def fuel(supplier, day, barrels, **fields):
    values = {
        "supplier": country(supplier),
        "recipient": country("KP"),
        "category": "refined_petroleum",
        "started_on": day,
        "ended_on": day,
        "quantity_low": barrels,
        "quantity_high": barrels,
        "quantity_unit": "barrels",
    }
    return TransferFactory(**{**values, **fields})


def test_a_cap_is_reached_by_all_supplies_of_a_year_together_and_not_by_one_delivery():
    refined_petroleum_cap()
    first = fuel("RU", D(2024, 3, 15), 300_000)
    (finding,) = findings(first)
    assert finding.finding == "counts_toward_cap"
    assert (finding.cap.total_low, finding.cap.remaining) == (300_000, 200_000)
    second = fuel("CN", D(2024, 9, 1), 250_000)
    for delivery in (first, second):
        (finding,) = findings(delivery)
        assert finding.finding == "exceeds_cap"
        assert finding.cap.total_low == 550_000 and finding.cap.counted == 2
        assert finding.cap.period.start == D(2024, 1, 1) and finding.cap.period.end == D(2024, 12, 31)
    next_year = fuel("RU", D(2025, 2, 1), 300_000)
    (finding,) = findings(next_year)
    assert finding.finding == "counts_toward_cap" and finding.cap.total_low == 300_000


def test_a_delivery_across_new_year_counts_toward_the_year_it_started_in():
    """Started 20 December 2023, ended 10 January 2024: counted in 2023's cap, with 2023's
    other supplies, and not in 2024's."""
    refined_petroleum_cap()
    fuel("RU", D(2023, 6, 1), 300_000)
    across = fuel("CN", D(2023, 12, 20), 250_000, ended_on=D(2024, 1, 10))
    later = fuel("RU", D(2024, 3, 1), 100_000)
    (finding,) = findings(across)
    assert (finding.cap.period.start, finding.cap.period.end) == (D(2023, 1, 1), D(2023, 12, 31))
    assert (finding.finding, finding.cap.total_low, finding.cap.counted) == ("exceeds_cap", 550_000, 2)
    (finding,) = findings(later)
    assert (finding.finding, finding.cap.total_low, finding.cap.counted) == ("counts_toward_cap", 100_000, 1)


def test_supplies_in_a_unit_the_cap_does_not_use_are_said_and_not_summed():
    refined_petroleum_cap()
    delivery = fuel("RU", D(2024, 3, 15), 100_000)
    fuel("RU", D(2024, 4, 15), 900_000, quantity_unit="tonnes", quantity_high=900_000)
    (finding,) = findings(delivery)
    assert finding.cap.total_low == 100_000 and finding.cap.uncounted == 1
    assert any("another unit" in reason for reason in finding.reasons)


def test_a_cap_counts_only_what_the_reader_may_see_and_never_a_disproven_supply():
    from django.contrib.auth.models import AnonymousUser

    refined_petroleum_cap()
    delivery = fuel("RU", D(2024, 3, 15), 100_000, review_status="published")
    fuel("RU", D(2024, 4, 15), 450_000, review_status="draft")
    fuel("CN", D(2024, 5, 15), 450_000, review_status="published", status="disproven")
    assert findings(delivery)[0].finding == "exceeds_cap"
    (public,) = findings(delivery, user=AnonymousUser())
    assert public.finding == "counts_toward_cap" and public.cap.total_low == 100_000


def test_a_cap_finding_runs_a_fixed_number_of_queries_whatever_the_number_of_transfers():
    refined_petroleum_cap()
    arms_export_ban()
    few = [fuel("RU", D(2024, 3, 15), 1000)]
    many = few + [fuel("RU", D(2024, month, 1), 1000) for month in range(1, 13)]
    many += [transfer(started_on=D(2020, 1, day)) for day in range(1, 10)]
    counts = []
    for transfers in (few, many):
        transfers = [type(t).objects.select_related("supplier", "recipient").get(pk=t.pk) for t in transfers]
        cache.clear()  # the cold path: measures and cap totals read, not taken from the cache
        data_changed()  # nor from this process's own store
        with CaptureQueriesContext(connection) as context:
            contraventions_for(transfers, today=TODAY)
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]


def test_findings_read_measures_and_cap_totals_once_until_the_next_write():
    cap = refined_petroleum_cap()
    supply = fuel("RU", D(2024, 3, 15), 300_000)
    assert kinds(supply) == [("counts_toward_cap", "refined-petroleum-cap")]
    with CaptureQueriesContext(connection) as context:
        assert kinds(supply) == [("counts_toward_cap", "refined-petroleum-cap")]
    assert not [q for q in context.captured_queries if "sanctions_measure" in q["sql"] or "SUM(" in q["sql"]]
    # A new measure, a changed cap: the next findings see them.
    arms_export_ban(code="fuel-ban", covers=["fuel"], regime=cap.regime, direction="imports_to_target")
    assert kinds(supply) == [("breach", "fuel-ban"), ("counts_toward_cap", "refined-petroleum-cap")]
    cap.cap_quantity = Decimal(100_000)
    cap.save()
    assert ("exceeds_cap", "refined-petroleum-cap") in kinds(supply)


# --- designated parties and status --------------------------------------------------------


def test_a_designated_actor_is_a_finding_only_while_listed_under_an_asset_freeze():
    company = ActorFactory(slug="example-trading")
    designation = DesignationFactory(actor=company, reference="KPe.900", listed_on=D(2024, 6, 1))
    MeasureFactory(
        regime=designation.regime, code="asset-freeze", kind="asset_freeze", direction="not_applicable", covers=[]
    )
    before = transfer(category="other", supplier_actor=company, started_on=D(2024, 3, 1), ended_on=D(2024, 3, 31))
    after = transfer(category="other", supplier_actor=company, started_on=D(2024, 9, 1), ended_on=D(2024, 9, 30))
    assert findings(before) == []
    (finding,) = findings(after)
    assert finding.finding == "designated_party"
    assert finding.designation == designation and finding.targets == "supplier"
    assert any("KPe.900" in reason for reason in finding.reasons)


def test_a_delisted_actor_is_no_finding_for_a_transfer_after_its_delisting():
    company = ActorFactory(slug="delisted-trading")
    designation = DesignationFactory(
        actor=company, reference="KPe.901", listed_on=D(2020, 1, 1), delisted_on=D(2024, 6, 30)
    )
    MeasureFactory(
        regime=designation.regime, code="asset-freeze", kind="asset_freeze", direction="not_applicable", covers=[]
    )
    during = transfer(category="other", recipient_actor=company, started_on=D(2024, 3, 1), ended_on=D(2024, 3, 31))
    after = transfer(category="other", recipient_actor=company, started_on=D(2024, 9, 1), ended_on=D(2024, 9, 30))
    (finding,) = findings(during)
    assert (finding.finding, finding.designation, finding.targets) == ("designated_party", designation, "recipient")
    assert any("delisted 2024-06-30" in reason for reason in finding.reasons)
    assert findings(after) == []


def test_a_designation_without_an_asset_freeze_is_no_finding():
    company = ActorFactory(slug="listed-elsewhere")
    DesignationFactory(actor=company, listed_on=D(2020, 1, 1))
    assert findings(transfer(category="other", recipient_actor=company, started_on=D(2024, 9, 1))) == []


def test_a_disproven_transfer_has_no_findings_and_others_carry_their_status():
    arms_export_ban()
    assert findings(transfer(started_on=D(2020, 1, 1), status="disproven")) == []
    (finding,) = findings(transfer(started_on=D(2020, 1, 1), status="corroborated"))
    assert finding.status == "corroborated"
    assert "The transfer is corroborated." in finding.reasons


def test_findings_carry_how_each_party_voted():
    measure = arms_export_ban()
    provision = ProvisionFactory(resolution=ResolutionFactory(number=1874, chapter_vii=True), paragraph="9")
    measure.provisions.add(provision)
    VoteFactory(resolution=provision.resolution, country=country("RU"), position="yes")
    (finding,) = findings(transfer(started_on=D(2020, 1, 1)))
    (votes,) = finding.resolutions
    assert (votes.supplier_position, votes.recipient_position) == (None, "yes")
    assert transfer_contraventions(transfer(started_on=D(2020, 1, 1)))[0].finding == "breach"


def test_a_measure_without_provisions_rests_on_its_regimes_adopted_resolutions_and_never_on_a_vetoed_draft():
    measure = arms_export_ban()
    adopted = ResolutionFactory(number=1874, chapter_vii=True)
    draft = ResolutionFactory(symbol="S/2022/431", number=None, outcome="vetoed", chapter_vii=True)
    measure.regime.resolutions.add(adopted, draft)
    (finding,) = findings(transfer(started_on=D(2020, 1, 1)))
    assert [votes.resolution.symbol for votes in finding.resolutions] == [adopted.symbol]


# --- validation of the new fields ---------------------------------------------------------


def test_a_cap_field_on_a_measure_that_is_not_a_trade_cap_is_an_error_naming_the_field():
    measure = arms_export_ban()
    measure.cap_unit = "barrels"
    with pytest.raises(ValidationError) as error:
        measure.full_clean()
    assert "cap_unit" in error.value.message_dict


def test_a_trade_cap_needs_its_quantity_unit_and_period():
    cap = refined_petroleum_cap()
    cap.cap_quantity, cap.cap_unit, cap.cap_period = None, "", ""
    with pytest.raises(ValidationError) as error:
        cap.full_clean()
    assert {"cap_quantity", "cap_unit", "cap_period"} <= set(error.value.message_dict)


def test_an_unknown_category_or_party_is_named_with_the_allowed_ones():
    measure = arms_export_ban()
    measure.covers, measure.obliges = ["rockets"], ["buyer"]
    with pytest.raises(ValidationError) as error:
        measure.full_clean()
    messages = error.value.message_dict
    assert "'rockets'" in messages["covers"][0] and "refined_petroleum" in messages["covers"][0]
    assert "'buyer'" in messages["obliges"][0] and "supplier, recipient" in messages["obliges"][0]


def test_a_supply_given_only_as_a_lower_bound_makes_the_cap_total_a_lower_bound():
    refined_petroleum_cap()
    delivery = fuel("RU", D(2024, 3, 15), 165_000, quantity_high=None)
    (finding,) = findings(delivery)
    assert finding.cap.open_high == 1 and finding.cap.total_low == 165_000
    assert any("at least 165,000 barrels" in reason for reason in finding.reasons)


def test_a_party_without_a_recorded_vote_is_said_so():
    measure = arms_export_ban()
    provision = ProvisionFactory(resolution=ResolutionFactory(number=1874, chapter_vii=True), paragraph="9")
    measure.provisions.add(provision)
    VoteFactory(resolution=provision.resolution, country=country("RU"), position="yes")
    (finding,) = findings(transfer(started_on=D(2020, 1, 1)))
    assert any(
        reason.startswith("No vote of the supplier, KP, is recorded on S/RES/1874") for reason in finding.reasons
    )
    assert not any("No vote of the recipient" in reason for reason in finding.reasons)
