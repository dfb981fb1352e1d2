"""The rules of scope, part of a category, exemptions, notification duty and parts of a whole
(docs/data-model.md, "The findings"), one place per rule, each with the smallest records that
show it (the engine in apps/transfers/services.py; the stored findings follow through
apps/transfers/findings.py)."""

import datetime
from decimal import Decimal

import pytest

from apps.transfers.models import Finding
from apps.transfers.services import CONTRAVENING, contraventions_for
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    DesignationFactory,
    MeasureFactory,
    RegimeFactory,
    TransferFactory,
    country,
)

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 28)


def kinds(transfer):
    transfer.refresh_from_db()
    return sorted(f.finding for f in contraventions_for([transfer], today=TODAY)[transfer.pk])


def stored(transfer):
    return sorted(
        Finding.objects.filter(transfer=transfer, audience__in=["any", "editors"]).values_list("kind", flat=True)
    )


def lebanon_embargo(**fields):
    """1701 (2006) para 15: arms to Lebanon banned except to its government and UNIFIL."""
    regime = RegimeFactory(code="UN-1701", target_country=country("LB"), started_on=D(2006, 8, 11))
    values = {
        "regime": regime,
        "code": "arms-import-ban",
        "direction": "imports_to_target",
        "covers": ["arms"],
        "started_on": D(2006, 8, 11),
        "applies_to": "non_state_actors",
    }
    return MeasureFactory(**{**values, **fields})


def arms_to_lebanon(**fields):
    values = {
        "supplier": country("IR"),
        "recipient": country("LB"),
        "category": "small_arms",
        "started_on": D(2020, 5, 1),
        "ended_on": D(2020, 5, 2),
        "date_precision": "day",
    }
    return TransferFactory(**{**values, **fields})


# --- scope ---------------------------------------------------------------------------------


def test_a_measure_on_non_state_actors_does_not_reach_the_state_and_reaches_an_armed_group():
    lebanon_embargo()
    assert kinds(arms_to_lebanon()) == []  # to the state of Lebanon
    army = ActorFactory(kind="government_body", country=country("LB"))
    assert kinds(arms_to_lebanon(recipient_actor=army)) == []
    group = ActorFactory(kind="armed_group", name="An armed group", country=country("LB"))
    to_group = arms_to_lebanon(recipient_actor=group)
    assert kinds(to_group) == ["breach"]
    (finding,) = contraventions_for([to_group], today=TODAY)[to_group.pk]
    assert "applies only to non-state actors on the target's side; the recipient, An armed group, is a" in (
        " ".join(finding.reasons)
    )
    assert stored(to_group) == ["breach"]


def test_a_measure_on_listed_parties_reaches_only_those_designated_under_its_regime_while_it_ran():
    measure = lebanon_embargo(applies_to="listed_only")
    trader = ActorFactory(kind="person")
    transfer = arms_to_lebanon(recipient_actor=trader)
    assert kinds(transfer) == []
    DesignationFactory(regime=RegimeFactory(code="UN-1267"), actor=trader, listed_on=D(2019, 1, 1))
    assert kinds(transfer) == []  # listed, but under another regime
    listing = DesignationFactory(regime=measure.regime, actor=trader, listed_on=D(2021, 1, 1))
    assert kinds(transfer) == []  # listed after the transfer
    listing.listed_on = D(2019, 1, 1)
    listing.save()
    assert kinds(transfer) == ["breach"]
    assert stored(transfer) == ["breach"]


# --- part of a category --------------------------------------------------------------------


def test_a_category_covered_in_part_is_a_possible_breach_quoting_the_scope_note():
    regime = RegimeFactory(code="UN-1737", target_country=country("IR"))
    note = "battle tanks, armoured combat vehicles, large calibre artillery systems, combat aircraft"
    MeasureFactory(
        regime=regime,
        code="heavy-arms-import-ban",
        direction="imports_to_target",
        covers=["missiles"],
        covers_in_part=["heavy_weapons"],
        scope_note=note,
        started_on=D(2010, 6, 9),
    )
    transfer = TransferFactory(
        supplier=country("RU"), recipient=country("IR"), category="heavy_weapons", started_on=D(2012, 1, 1)
    )
    (finding,) = contraventions_for([transfer], today=TODAY)[transfer.pk]
    assert finding.finding == "possible_breach"
    assert f'covers only part of heavy_weapons ("{note}")' in finding.reasons[0]
    small_arms = TransferFactory(
        supplier=country("RU"), recipient=country("IR"), category="small_arms", started_on=D(2012, 1, 1)
    )
    assert kinds(small_arms) == []


# --- exemptions ------------------------------------------------------------------------------


def somalia_embargo(exemption="notification"):
    regime = RegimeFactory(code="UN-733", target_country=country("SO"), started_on=D(1992, 1, 23))
    return MeasureFactory(
        regime=regime,
        code="arms-import-ban",
        direction="imports_to_target",
        covers=["arms"],
        started_on=D(2013, 3, 6),
        government_exemption=exemption,
    )


def arms_to_somalia(**fields):
    values = {
        "supplier": country("US"),
        "recipient": country("SO"),
        "category": "small_arms",
        "started_on": D(2020, 5, 1),
        "ended_on": D(2020, 5, 2),
        "date_precision": "day",
    }
    return TransferFactory(**{**values, **fields})


@pytest.mark.parametrize(("exemption", "words"), [("notification", "notified to"), ("approval", "approved by")])
def test_a_supply_to_the_government_needs_the_exemption_and_is_exempted_once_notified(exemption, words):
    somalia_embargo(exemption)
    supply = arms_to_somalia()
    (finding,) = contraventions_for([supply], today=TODAY)[supply.pk]
    assert finding.finding == "needs_exemption" and finding.finding in CONTRAVENING
    assert f"prohibited unless {words} the committee; none is recorded" in " ".join(finding.reasons)
    assert stored(supply) == ["needs_exemption"]
    ClaimFactory(transfer=supply, stance="notifies", claimant_country=country("US"))
    assert kinds(supply) == ["exempted"] and "exempted" not in CONTRAVENING
    assert stored(supply) == ["exempted"]  # the claim's save recomputed the stored finding


def test_a_notification_by_another_state_does_not_exempt_and_a_non_state_recipient_stays_a_breach():
    somalia_embargo()
    supply = arms_to_somalia()
    ClaimFactory(transfer=supply, stance="notifies", claimant_country=country("SO"))
    assert kinds(supply) == ["needs_exemption"]
    militia = ActorFactory(kind="armed_group", country=country("SO"))
    assert kinds(arms_to_somalia(recipient_actor=militia)) == ["breach"]


# --- the duty to notify, and parts of a whole -------------------------------------------------


def fuel_cap():
    """2397 para 5: 500,000 barrels a year, every supply notified within 30 days."""
    regime = RegimeFactory(code="UN-1718", target_country=country("KP"))
    return MeasureFactory(
        regime=regime,
        code="refined-petroleum-cap",
        kind="trade_cap",
        direction="imports_to_target",
        covers=["refined_petroleum"],
        cap_quantity=Decimal(500_000),
        cap_unit="barrels",
        cap_period="calendar_year",
        started_on=D(2018, 1, 1),
        notification_required=True,
    )


def fuel(barrels, day, **fields):
    values = {
        "supplier": country("RU"),
        "recipient": country("KP"),
        "category": "refined_petroleum",
        "started_on": day,
        "ended_on": day,
        "date_precision": "day",
        "quantity_low": barrels,
        "quantity_high": barrels,
        "quantity_unit": "barrels",
    }
    return TransferFactory(**{**values, **fields})


def test_a_supply_under_a_notification_duty_without_a_notification_is_also_not_notified():
    fuel_cap()
    shipment = fuel(10_000, D(2024, 3, 1))
    assert kinds(shipment) == ["counts_toward_cap", "not_notified"]
    (_cap, duty) = sorted(contraventions_for([shipment], today=TODAY)[shipment.pk], key=lambda f: f.finding)
    assert duty.reasons[0].startswith("refined-petroleum-cap requires every supply it counts to be notified")
    assert stored(shipment) == ["counts_toward_cap", "not_notified"]
    ClaimFactory(transfer=shipment, stance="notifies", claimant_country=country("RU"))
    assert stored(shipment) == ["counts_toward_cap"]


def test_a_whole_counts_as_the_larger_of_its_quantity_and_its_parts_never_both():
    fuel_cap()
    reported = fuel(1_000_000, D(2024, 3, 1), ended_on=D(2024, 11, 30))
    notified = [fuel(100_000, D(2024, 4, 1), part_of=reported), fuel(68_679, D(2024, 6, 1), part_of=reported)]
    for part in notified:
        ClaimFactory(transfer=part, stance="notifies", claimant_country=country("RU"))
    findings = contraventions_for([notified[0]], today=TODAY)[notified[0].pk]
    (cap,) = [f for f in findings if f.finding in ("exceeds_cap", "counts_toward_cap")]
    assert cap.finding == "exceeds_cap"
    assert cap.cap.total_low == 1_000_000  # not 1,168,679
    # Parts larger than the whole they are said to be in: the parts count.
    small_whole = fuel(100, D(2025, 1, 1), ended_on=D(2025, 12, 31))
    fuel(300_000, D(2025, 2, 1), part_of=small_whole)
    fuel(300_000, D(2025, 3, 1), part_of=small_whole)
    (cap,) = [f for f in contraventions_for([small_whole], today=TODAY)[small_whole.pk] if f.finding.endswith("cap")]
    assert cap.cap.total_low == 600_000 and cap.finding == "exceeds_cap"
    assert Finding.objects.get(transfer=notified[1], kind="exceeds_cap", audience="editors").cap_total_low == 1_000_000
