"""factory_boy factories for every contract model.

Countries come from the ISO migration, so factories look them up by code instead of
creating new ones.
"""

import datetime

import factory

from apps.actors.models import Actor
from apps.evidence.models import Source
from apps.geo.models import Country
from apps.relations.models import Event, Relationship, Statement
from apps.resolutions.models import Provision, Resolution, Vote
from apps.sanctions.models import Authority, Designation, Measure, Regime
from apps.transfers.models import Claim, Transfer


def country(iso2):
    return Country.objects.get(iso2=iso2)


class CountryRef(factory.LazyFunction):
    """A country that already exists, looked up by its ISO code."""

    def __init__(self, iso2):
        super().__init__(lambda: country(iso2))


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("url",)

    url = factory.Sequence(lambda n: f"https://news.example.org/story-{n}")
    title = factory.Sequence(lambda n: f"Story {n}")
    publisher = "Example News"
    published_on = datetime.date(2024, 6, 18)
    kind = "news"


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"actor-{n}")
    kind = "person"
    name = factory.Sequence(lambda n: f"Actor {n}")
    country = CountryRef("KP")


class ResolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resolution
        django_get_or_create = ("symbol",)

    number = factory.Sequence(lambda n: 5000 + n)
    symbol = factory.LazyAttribute(lambda o: f"S/RES/{o.number} (2017)")
    voted_on = datetime.date(2017, 12, 22)
    outcome = "adopted"
    chapter_vii = True
    title = "Non-proliferation/Democratic People's Republic of Korea"


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vote

    resolution = factory.SubFactory(ResolutionFactory)
    country = CountryRef("RU")
    position = "yes"


class ProvisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provision

    resolution = factory.SubFactory(ResolutionFactory)
    paragraph = factory.Sequence(lambda n: f"{n + 1}(b)")
    summary = "States shall prohibit the procurement of arms from the DPRK."


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority
        django_get_or_create = ("code",)

    code = "UN"
    name = "United Nations Security Council"
    kind = "intergovernmental"


class RegimeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Regime
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"UN-{9000 + n}")
    name = factory.LazyAttribute(lambda o: f"Regime {o.code}")
    authority = factory.SubFactory(AuthorityFactory)
    target_country = CountryRef("KP")
    started_on = datetime.date(2006, 10, 14)


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    regime = factory.SubFactory(RegimeFactory)
    code = factory.Sequence(lambda n: f"measure-{n}")
    kind = "arms_embargo"
    direction = "exports_from_target"
    covers = factory.LazyFunction(lambda: ["munitions", "missiles"])
    started_on = datetime.date(2006, 10, 14)


class DesignationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Designation

    regime = factory.SubFactory(RegimeFactory)
    actor = factory.SubFactory(ActorFactory)
    reference = factory.Sequence(lambda n: f"KPi.{n:03d}")
    listed_on = datetime.date(2017, 6, 2)


class TransferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transfer
        django_get_or_create = ("reference",)

    reference = factory.Sequence(lambda n: f"transfer-{n}")
    supplier = CountryRef("KP")
    recipient = CountryRef("RU")
    category = "missiles"
    started_on = datetime.date(2023, 11, 1)
    ended_on = datetime.date(2024, 1, 31)
    date_precision = "month"
    status = "alleged"


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim
        django_get_or_create = ("reference",)

    reference = factory.Sequence(lambda n: f"claim-{n}")
    transfer = factory.SubFactory(TransferFactory)
    stance = "alleges"
    claimant_country = CountryRef("US")
    made_on = datetime.date(2024, 1, 4)
    source = factory.SubFactory(SourceFactory)


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relationship
        django_get_or_create = ("reference",)

    reference = factory.Sequence(lambda n: f"relationship-{n}")
    kind = "strategic_partnership"
    country_a = CountryRef("RU")
    country_b = CountryRef("KP")
    title = "Comprehensive Strategic Partnership Treaty"
    started_on = datetime.date(2024, 12, 4)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        django_get_or_create = ("reference",)

    reference = factory.Sequence(lambda n: f"event-{n}")
    kind = "state_visit"
    title = "State visit"
    started_on = datetime.date(2024, 6, 18)
    ended_on = datetime.date(2024, 6, 19)
    location = CountryRef("KP")


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statement
        django_get_or_create = ("reference",)

    reference = factory.Sequence(lambda n: f"statement-{n}")
    speaker = factory.SubFactory(ActorFactory)
    on_behalf_of = CountryRef("RU")
    made_on = datetime.date(2024, 6, 18)
    quote = "Pyongyang has always been our committed and like-minded supporter."
    source = factory.SubFactory(SourceFactory)


def one_of_each():
    """One saved record of every contract model, linked as in real data, with M2M filled."""
    source = SourceFactory()
    resolution = ResolutionFactory()
    provision = ProvisionFactory(resolution=resolution)
    vote = VoteFactory(resolution=resolution)
    regime = RegimeFactory()
    regime.resolutions.add(resolution)
    regime.authority.members.add(country("US"))
    measure = MeasureFactory(regime=regime)
    measure.provisions.add(provision)
    designation = DesignationFactory(regime=regime)
    designation.sources.add(source)
    fuel = TransferFactory(supplier=country("RU"), recipient=country("KP"), category="fuel")
    transfer = TransferFactory(supplier_actor=designation.actor)
    transfer.via.add(country("CN"))
    transfer.in_exchange_for.add(fuel)
    transfer.sources.add(source)
    vessel = ActorFactory(kind="vessel")  # the ship that carried it
    transfer.vessels.add(vessel)
    claim = ClaimFactory(transfer=transfer, source=source)
    relationship = RelationshipFactory()
    relationship.sources.add(source)
    event = EventFactory()
    event.countries.add(country("RU"), country("KP"))
    event.participants.add(designation.actor)
    event.sources.add(source)
    statement = StatementFactory(event=event, source=source, speaker=designation.actor)
    statement.about.add(country("KP"))
    return {
        "source": source,
        "resolution": resolution,
        "provision": provision,
        "vote": vote,
        "regime": regime,
        "authority": regime.authority,
        "measure": measure,
        "designation": designation,
        "actor": designation.actor,
        "vessel": vessel,
        "transfer": transfer,
        "claim": claim,
        "relationship": relationship,
        "event": event,
        "statement": statement,
    }
