"""What the generic API tests need to know about each resource: its URL name, its model,
how to reach a record's detail URL, and a valid payload to create one."""

from dataclasses import dataclass, field

from apps.actors.models import Actor
from apps.evidence.models import Source
from apps.geo.models import Country
from apps.relations.models import Event, Relationship, Statement
from apps.resolutions.models import Provision, Resolution, Vote
from apps.sanctions.models import Authority, Designation, Measure, Regime
from apps.transfers.models import Claim, Transfer


@dataclass
class Resource:
    name: str  # the plural in the URL
    model: type
    record: str  # key in the ``records`` fixture
    lookup: str  # attribute in the detail URL
    create: object  # records -> payload
    update: dict = field(default_factory=dict)  # a PATCH that changes the record

    @property
    def curated(self):
        return any(f.name == "review_status" for f in self.model._meta.fields)

    @property
    def basename(self):
        return self.model._meta.model_name

    def detail_path(self, instance):
        return f"/api/v1/{self.name}/{getattr(instance, self.lookup)}/"

    @property
    def list_path(self):
        return f"/api/v1/{self.name}/"


def _symbol(r):
    return r["resolution"].symbol


RESOURCES = [
    Resource(
        "countries",
        Country,
        "country",
        "iso2",
        lambda r: {"iso2": "XA", "iso3": "XAA", "name": "Testland", "aliases": ["Test Land"]},
        {"official_name": "Republic of Somewhere"},
    ),
    Resource(
        "actors",
        Actor,
        "actor",
        "slug",
        lambda r: {
            "slug": "new-actor",
            "kind": "company",
            "name": "New Actor Ltd",
            "country": "KP",
            "aliases": ["NAL"],
            "identifiers": {"un_ref": "KPe.999"},
        },
        {"role": "Trading company"},
    ),
    Resource(
        "sources",
        Source,
        "source",
        "pk",
        lambda r: {"url": "https://example.org/new-report", "title": "New report", "kind": "report"},
        {"title": "Renamed report"},
    ),
    Resource(
        "resolutions",
        Resolution,
        "resolution",
        "pk",
        lambda r: {"symbol": "S/RES/9999(2030)", "number": 9999, "voted_on": "2030-01-01", "outcome": "adopted"},
        {"title": "A new title"},
    ),
    Resource(
        "votes",
        Vote,
        "vote",
        "pk",
        lambda r: {"resolution": _symbol(r), "country": "cn", "position": "abstain"},
        {"position": "no"},
    ),
    Resource(
        "provisions",
        Provision,
        "provision",
        "pk",
        lambda r: {"resolution": _symbol(r), "paragraph": "99", "summary": "A new paragraph."},
        {"summary": "Changed."},
    ),
    Resource(
        "authorities",
        Authority,
        "authority",
        "code",
        lambda r: {"code": "UK", "name": "United Kingdom", "kind": "national", "country": "GB"},
        {"name": "UN Security Council"},
    ),
    Resource(
        "regimes",
        Regime,
        "regime",
        "code",
        lambda r: {
            "code": "UN-NEW",
            "name": "A new regime",
            "authority": "UN",
            "target_country": "IR",
            "resolutions": [_symbol(r)],
        },
        {"name": "Renamed regime"},
    ),
    Resource(
        "measures",
        Measure,
        "measure",
        "pk",
        lambda r: {
            "regime": r["regime"].code,
            "code": "new-measure",
            "kind": "asset_freeze",
            "direction": "not_applicable",
            "covers": ["financial"],
            "provisions": [[_symbol(r), r["provision"].paragraph]],
        },
        {"description": "Changed."},
    ),
    Resource(
        "designations",
        Designation,
        "designation",
        "pk",
        lambda r: {
            "regime": r["regime"].code,
            "actor": r["actor"].slug,
            "reference": "KPi.999",
            "sources": [r["source"].url],
        },
        {"reason": "Changed."},
    ),
    Resource(
        "transfers",
        Transfer,
        "transfer",
        "reference",
        lambda r: {
            "reference": "new-transfer",
            "supplier": "IR",
            "recipient": "RU",
            "category": "missiles",
            "via": ["CN"],
            "sources": [r["source"].url],
            "in_exchange_for": [r["transfer"].reference],
        },
        {"items": "Shahed drones"},
    ),
    Resource(
        "claims",
        Claim,
        "claim",
        "reference",
        lambda r: {
            "reference": "new-claim",
            "transfer": r["transfer"].reference,
            "stance": "denies",
            "claimant_country": "KP",
            "source": r["source"].url,
        },
        {"summary": "Changed."},
    ),
    Resource(
        "relationships",
        Relationship,
        "relationship",
        "reference",
        lambda r: {
            "reference": "new-relationship",
            "kind": "alliance",
            "country_a": "CN",
            "country_b": "KP",
            "title": "Treaty",
        },
        {"title": "Renamed treaty"},
    ),
    Resource(
        "events",
        Event,
        "event",
        "reference",
        lambda r: {
            "reference": "new-event",
            "kind": "summit",
            "title": "A summit",
            "countries": ["RU", "KP"],
            "participants": [r["actor"].slug],
        },
        {"title": "Renamed summit"},
    ),
    Resource(
        "statements",
        Statement,
        "statement",
        "reference",
        lambda r: {
            "reference": "new-statement",
            "speaker": r["actor"].slug,
            "quote": "We deny it.",
            "source": r["source"].url,
            "about": ["KP"],
            "event": r["event"].reference,
        },
        {"quote": "We still deny it."},
    ),
]

CURATED = [resource for resource in RESOURCES if resource.curated]


def by_name(name):
    return next(resource for resource in RESOURCES if resource.name == name)
