"""Records for the admin tests: ``rows(model, n)`` makes n rows of a model, each pointing at
different related records; ``record_with_rows(model, n)`` makes one record whose inlines and
many-to-many fields hold n rows. Comparing n=1 with n=50 exposes any query per row."""

from apps.actors.models import Actor
from apps.evidence.models import Source
from apps.geo.models import Country
from apps.relations.models import Event, Relationship, Statement
from apps.resolutions.models import Provision, Resolution, Vote
from apps.sanctions.models import Authority, Designation, Measure, Regime
from apps.transfers.models import Claim, Transfer
from tests import factories as f


def countries(n, exclude=("KP", "RU")):
    return list(Country.objects.exclude(iso2__in=exclude).order_by("iso2")[:n])


def _authorities(n):
    return [f.AuthorityFactory(code=f"N-{c.iso2}", name=f"Authority of {c.name}", country=c) for c in countries(n)]


def _relationships(n):
    return [f.RelationshipFactory(country_a=f.country("RU"), country_b=c) for c in countries(n)]


ROWS = {
    Country: lambda n: countries(n, exclude=()),
    Actor: lambda n: [f.ActorFactory(country=c) for c in countries(n)],
    Source: lambda n: f.SourceFactory.create_batch(n),
    Resolution: lambda n: [f.VoteFactory(resolution=f.ResolutionFactory()).resolution for _ in range(n)],
    Vote: lambda n: f.VoteFactory.create_batch(n),
    Provision: lambda n: f.ProvisionFactory.create_batch(n),
    Authority: lambda n: _authorities(n) if n == 1 else _authorities(n + 1)[1:],
    Regime: lambda n: [f.RegimeFactory(target_country=c) for c in countries(n)],
    Measure: lambda n: f.MeasureFactory.create_batch(n),
    Designation: lambda n: f.DesignationFactory.create_batch(n),
    Transfer: lambda n: [f.TransferFactory(recipient=c) for c in countries(n)],
    Claim: lambda n: [f.ClaimFactory(claimant_actor=f.ActorFactory()) for _ in range(n)],
    Relationship: _relationships,
    Event: lambda n: [f.EventFactory(location=c) for c in countries(n)],
    Statement: lambda n: f.StatementFactory.create_batch(n),
}


def rows(model, n):
    return ROWS[model](n)


def _actor(n):
    actor = f.ActorFactory()
    for _ in range(n):
        f.DesignationFactory(actor=actor).sources.add(f.SourceFactory())
    return actor


def _resolution(n):
    resolution = f.ResolutionFactory()
    for country in countries(n):
        f.VoteFactory(resolution=resolution, country=country)
        f.ProvisionFactory(resolution=resolution)
    return resolution


def _regime(n):
    regime = f.RegimeFactory()
    for _ in range(n):
        provision = f.ProvisionFactory()
        regime.resolutions.add(provision.resolution)
        f.MeasureFactory(regime=regime).provisions.add(provision)
    return regime


def _measure(n):
    measure = f.MeasureFactory()
    measure.provisions.add(*f.ProvisionFactory.create_batch(n))
    return measure


def _designation(n):
    designation = f.DesignationFactory()
    designation.sources.add(*f.SourceFactory.create_batch(n))
    return designation


def _transfer(n):
    transfer = f.TransferFactory(supplier_actor=f.ActorFactory(), recipient_actor=f.ActorFactory())
    for _ in range(n):
        f.ClaimFactory(transfer=transfer, claimant_actor=f.ActorFactory(), source=f.SourceFactory())
    transfer.sources.add(*f.SourceFactory.create_batch(n))
    transfer.via.add(*countries(n))
    transfer.in_exchange_for.add(*[f.TransferFactory(supplier=f.country("RU"), recipient=c) for c in countries(n)])
    return transfer


def _relationship(n):
    relationship = f.RelationshipFactory()
    relationship.sources.add(*f.SourceFactory.create_batch(n))
    return relationship


def _event(n):
    event = f.EventFactory()
    event.countries.add(*countries(n))
    event.participants.add(*f.ActorFactory.create_batch(n))
    event.sources.add(*f.SourceFactory.create_batch(n))
    return event


def _statement(n):
    statement = f.StatementFactory(event=f.EventFactory())
    statement.about.add(*countries(n))
    return statement


RECORD_WITH_ROWS = {
    Country: lambda n: f.country("KP"),
    Actor: _actor,
    Source: lambda n: f.SourceFactory(),
    Resolution: _resolution,
    Vote: lambda n: f.VoteFactory(),
    Provision: lambda n: f.ProvisionFactory(),
    Authority: lambda n: f.AuthorityFactory(country=f.country("US"), code="US", kind="national"),
    Regime: _regime,
    Measure: _measure,
    Designation: _designation,
    Transfer: _transfer,
    Claim: lambda n: f.ClaimFactory(claimant_actor=f.ActorFactory()),
    Relationship: _relationship,
    Event: _event,
    Statement: _statement,
}


def record_with_rows(model, n):
    return RECORD_WITH_ROWS[model](n)


MODELS = list(ROWS)
