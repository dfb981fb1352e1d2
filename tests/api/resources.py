"""What the generic API tests need to know about each resource: its URL name, its model,
how to reach a record's detail URL, a valid payload to create one, and each resource's
special cases (which related records must be published with it, how the API shows its
relations and the values it normalises, the filters that read a field in their own way),
so that the generic tests hold no ``if resource.name == ...`` branches."""

from dataclasses import dataclass, field

from apps.actors.models import Actor
from apps.evidence.models import Source
from apps.geo.models import Country
from apps.relations.models import Event, Relationship, Statement
from apps.resolutions.models import Provision, Resolution, Vote
from apps.sanctions.models import Authority, Designation, Measure, Regime
from apps.transfers.models import Claim, Transfer


def _finding(transfer):
    """The transfer's first stored finding (the filled records give it a trade cap's)."""
    return transfer.findings.select_related("measure__regime").order_by("rank").first()


@dataclass
class Resource:
    name: str  # the plural in the URL
    model: type
    record: str  # key in the ``records`` fixture
    lookup: str  # attribute in the detail URL
    create: object  # records -> payload
    update: dict = field(default_factory=dict)  # a PATCH that changes the record
    # records -> {relation: value}: every foreign key and many-to-many field of the
    # ``records`` fixture's record as an anonymous client sees it once the record (and
    # ``publish_also``) is published; drafts behind it are null or left out of lists.
    shown: object = lambda records: {}
    # Relations that must be published too before anonymous clients may see the record.
    publish_also: tuple = ()
    # How the API shows created values it normalises: {field: shown value}.
    created_shows: dict = field(default_factory=dict)
    # Filters that read a field in their own way: {filter: (matching, not matching)}, or
    # {filter: record -> (matching, not matching)}.
    filter_values: dict = field(default_factory=dict)

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


def _url(r):
    return r["source"].url


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
        "vessel",
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
        shown=lambda r: {"country": "KP"},
        filter_values={"identifier": ("un_ref:KPi.900", "un_ref:KPi.901")},
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
        created_shows={"symbol": "S/RES/9999 (2030)"},
        # Symbols match with or without the space before "(year)".
        filter_values={"symbol": lambda record: (record.symbol.replace(" (", "("), "S/RES/1 (1946)")},
    ),
    Resource(
        "votes",
        Vote,
        "vote",
        "pk",
        lambda r: {"resolution": _symbol(r), "country": "cn", "position": "abstain"},
        {"position": "no"},
        shown=lambda r: {"resolution": _symbol(r), "country": "RU"},
        created_shows={"country": "CN"},
        filter_values={"veto": ("false", "true")},
    ),
    Resource(
        "provisions",
        Provision,
        "provision",
        "pk",
        lambda r: {"resolution": _symbol(r), "paragraph": "99", "summary": "A new paragraph."},
        {"summary": "Changed."},
        shown=lambda r: {"resolution": _symbol(r)},
    ),
    Resource(
        "authorities",
        Authority,
        "authority",
        "code",
        lambda r: {"code": "UK", "name": "United Kingdom", "kind": "national", "country": "GB", "members": ["GB"]},
        {"name": "UN Security Council"},
        shown=lambda r: {"country": "CN", "members": ["US"]},
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
        shown=lambda r: {"authority": "UN", "target_country": "KP", "resolutions": [_symbol(r)]},
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
        shown=lambda r: {"regime": r["regime"].code, "provisions": [[_symbol(r), r["provision"].paragraph]]},
        filter_values={
            "covers": ("missiles", "fuel"),
            "obliges": ("supplier", "recipient"),
            "resolution": lambda record: (record.provisions.get().resolution.symbol, "S/RES/1 (1946)"),
        },
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
            "sources": [_url(r)],
        },
        {"reason": "Changed."},
        shown=lambda r: {"regime": r["regime"].code, "actor": r["actor"].slug, "sources": [_url(r)]},
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
            "via": ["CN", "TR"],
            "vessels": [r["vessel"].slug],
            "sources": [_url(r)],
            "in_exchange_for": [r["transfer"].reference],
        },
        {"items": "Shahed drones"},
        shown=lambda r: {
            "supplier": "KP",
            "recipient": "RU",
            "supplier_actor": r["actor"].slug,
            "recipient_actor": r["transfer"].recipient_actor.slug,
            "via": ["CN"],
            "vessels": [r["vessel"].slug],
            # The fuel transfer it was exchanged for (and is a part of) is still a draft.
            "in_exchange_for": [],
            "part_of": None,
            "sources": [_url(r)],
        },
        filter_values={
            "country": ("kp", "IR"),
            # Its stored findings (apps.transfers.findings): those the filled records give it.
            "finding": lambda t: (_finding(t).kind, "designated_party"),
            "measure": lambda t: (f"{_finding(t).measure.regime.code}|{_finding(t).measure.code}", "NO-SUCH|none"),
            "regime": lambda t: (_finding(t).measure.regime.code, "NO-SUCH"),
            "resolution": lambda t: (_finding(t).measure.provisions.first().resolution.symbol, "S/RES/1 (1946)"),
            "obliges": lambda t: (t.supplier.iso2, "IR"),
            # November 2023 to January 2024 at month precision.
            "active_after": ("2024-01-31", "2024-02-01"),
            "active_before": ("2023-11-01", "2023-10-31"),
        },
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
            "source": _url(r),
        },
        {"summary": "Changed."},
        shown=lambda r: {
            "transfer": r["transfer"].reference,
            "claimant_country": "US",
            "claimant_actor": r["claim"].claimant_actor.slug,
            "source": _url(r),
        },
        # A claim about a draft transfer is as hidden as the transfer.
        publish_also=("transfer",),
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
            "sources": [_url(r)],
        },
        {"title": "Renamed treaty"},
        shown=lambda r: {"country_a": "RU", "country_b": "KP", "sources": [_url(r)]},
        filter_values={"country": ("ru", "IR")},
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
            "location": "CN",
            "countries": ["RU", "KP"],
            "participants": [r["actor"].slug],
            "sources": [_url(r)],
        },
        {"title": "Renamed summit"},
        shown=lambda r: {
            "location": "KP",
            "countries": ["KP", "RU"],
            "participants": [r["actor"].slug],
            "sources": [_url(r)],
        },
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
            "source": _url(r),
            "about": ["KP", "RU"],
            "event": r["event"].reference,
        },
        {"quote": "We still deny it."},
        shown=lambda r: {
            "speaker": r["actor"].slug,
            "on_behalf_of": "RU",
            "source": _url(r),
            "about": ["KP"],
            # The event is still a draft.
            "event": None,
        },
    ),
]

CURATED = [resource for resource in RESOURCES if resource.curated]


def by_name(name):
    return next(resource for resource in RESOURCES if resource.name == name)
