"""Each rule of the data-model contract rejects a record that breaks it: in ``full_clean()``
(what the admin, the API and the loader run) and, where the database can hold the rule, in
the database itself."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.actors.models import Actor
from apps.resolutions.models import Resolution, Vote
from apps.sanctions.models import Regime
from tests.factories import (
    ActorFactory,
    AuthorityFactory,
    ClaimFactory,
    DesignationFactory,
    EventFactory,
    MeasureFactory,
    RegimeFactory,
    RelationshipFactory,
    ResolutionFactory,
    TransferFactory,
    VoteFactory,
    country,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def assert_rejected(instance, field, message_part):
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    errors = excinfo.value.message_dict
    messages = errors.get(field, []) + errors.get("__all__", [])
    assert any(message_part in message for message in messages), errors


def assert_database_refuses(instance):
    with pytest.raises(IntegrityError), transaction.atomic():
        instance.save()


def test_transfer_supplier_must_differ_from_recipient():
    transfer = TransferFactory.build(supplier=country("KP"), recipient=country("KP"))
    assert_rejected(transfer, "recipient", "supplier and the recipient must be different")
    assert_database_refuses(transfer)


def test_transfer_cannot_end_before_it_starts():
    transfer = TransferFactory.build(started_on=D(2024, 2, 1), ended_on=D(2024, 1, 1))
    assert_rejected(transfer, "ended_on", "is before started_on")
    assert_database_refuses(transfer)


def test_transfer_quantity_high_not_below_low():
    transfer = TransferFactory.build(quantity_low=1000, quantity_high=10)
    assert_rejected(transfer, "quantity_high", "below quantity_low")
    assert_database_refuses(transfer)


def test_relationship_needs_two_different_countries():
    relationship = RelationshipFactory.build(country_a=country("RU"), country_b=country("RU"))
    assert_rejected(relationship, "country_b", "must be different countries")
    assert_database_refuses(relationship)


@pytest.mark.parametrize("factory", [RelationshipFactory, EventFactory, RegimeFactory, MeasureFactory])
def test_periods_cannot_end_before_they_start(factory):
    record = factory.build(started_on=D(2024, 6, 19), ended_on=D(2024, 6, 18))
    if factory is MeasureFactory:
        record.regime = RegimeFactory()
    if factory is RegimeFactory:
        record.authority = AuthorityFactory()
    assert_rejected(record, "ended_on", "is before started_on")
    assert_database_refuses(record)


def test_designation_cannot_be_delisted_before_listed():
    designation = DesignationFactory.build(
        regime=RegimeFactory(), actor=ActorFactory(), listed_on=D(2017, 6, 2), delisted_on=D(2016, 1, 1)
    )
    assert_rejected(designation, "delisted_on", "is before listed_on")
    assert_database_refuses(designation)


def test_claim_must_name_a_claimant():
    claim = ClaimFactory.build(transfer=TransferFactory(), claimant_country=None, claimant_actor=None)
    claim.source.save()
    assert_rejected(claim, "claimant_country", "names a claimant")
    assert_database_refuses(claim)


def test_claim_by_an_actor_alone_is_valid():
    claim = ClaimFactory(claimant_country=None, claimant_actor=ActorFactory())
    claim.full_clean()


def test_one_vote_per_country_per_resolution():
    vote = VoteFactory(country=country("RU"))
    duplicate = Vote(resolution=vote.resolution, country=country("RU"), position="no")
    assert_rejected(duplicate, "__all__", "already has a vote")
    assert_database_refuses(duplicate)


def test_measure_covers_only_transfer_categories():
    measure = MeasureFactory.build(regime=RegimeFactory(), covers=["missiles", "bananas"])
    assert_rejected(measure, "covers", "'bananas'")


def test_vetoed_draft_has_no_resolution_number():
    draft = ResolutionFactory.build(symbol="S/2022/431", number=431, outcome="vetoed")
    assert_rejected(draft, "number", "has no resolution number")
    assert_database_refuses(draft)


def test_adopted_resolution_needs_a_number():
    resolution = ResolutionFactory.build(symbol="S/RES/1718 (2006)", number=None, outcome="adopted")
    assert_rejected(resolution, "number", "adopted resolution has a number")


def test_a_veto_is_a_permanent_members_no_on_a_vetoed_draft():
    draft = ResolutionFactory(symbol="S/2022/431", number=None, outcome="vetoed")
    adopted = ResolutionFactory(symbol="S/RES/2397 (2017)", number=2397)
    china_no = VoteFactory(resolution=draft, country=country("CN"), position="no")
    russia_no = VoteFactory(resolution=draft, country=country("RU"), position="no")
    elected_no = VoteFactory(resolution=draft, country=country("NO"), position="yes")
    us_yes = VoteFactory(resolution=draft, country=country("US"), position="yes")
    russia_on_adopted = VoteFactory(resolution=adopted, country=country("RU"), position="no")

    assert china_no.is_veto and russia_no.is_veto
    assert not elected_no.is_veto and not us_yes.is_veto and not russia_on_adopted.is_veto
    assert set(Vote.objects.vetoes().values_list("country__iso2", flat=True)) == {"CN", "RU"}
    assert {c.iso2 for c in draft.vetoed_by} == {"CN", "RU"}


def test_codes_and_references_are_trimmed_and_found_trimmed():
    regime = RegimeFactory(code="  UN-4242 ")
    transfer = TransferFactory(reference=" missiles-2024 ")
    regime.refresh_from_db()
    transfer.refresh_from_db()
    assert regime.code == "UN-4242"
    assert transfer.reference == "missiles-2024"
    assert Regime.objects.get_by_natural_key(" UN-4242") == regime


def test_resolution_symbols_match_with_or_without_the_space_before_the_year():
    resolution = ResolutionFactory(symbol="S/RES/1718(2006)", number=1718)
    resolution.refresh_from_db()
    assert resolution.symbol == "S/RES/1718 (2006)"
    assert Resolution.objects.get_by_natural_key("S/RES/1718(2006)") == resolution
    assert Resolution.objects.get_by_natural_key("S/RES/1718 (2006)") == resolution
    vote = VoteFactory(resolution=resolution, country=country("RU"))
    assert Vote.objects.get_by_natural_key("S/RES/1718(2006)", "ru") == vote


def test_unknown_choice_is_rejected_naming_the_field():
    actor = Actor(slug="someone", kind="wizard", name="Someone")
    assert_rejected(actor, "kind", "not a valid choice")
