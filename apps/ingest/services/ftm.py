"""FollowTheMoney (FtM) entities as JSON Lines, for OpenSanctions' yente and Aleph.

``docs/ftm-mapping.md`` gives the mapping and why. Every entity is built through the
``followthemoney`` model and checked as it is built: a property the schema lacks, a value
its type refuses, an entity reference outside the property's range or a missing required
property raises ``FtmMappingError``, so what is written always reads back.

``followthemoney`` is an optional dependency (``requirements-ftm.txt``): it pulls PyICU,
which compiles from source. It is imported only when an FtM export runs.
"""

import datetime
import hashlib
import json
import re

from apps.actors.models import Actor
from apps.relations.models import Event, Relationship
from apps.sanctions.models import Designation
from apps.transfers.models import Claim, Transfer

INSTALL_HINT = "pip install -r requirements-ftm.txt"
PREFIX = "sdb"

ACTOR_SCHEMATA = {
    "person": "Person",
    "organization": "Organization",
    "company": "Company",
    "government_body": "Organization",
    "armed_group": "Organization",
    "vessel": "Vessel",
    "aircraft": "Airplane",
}


class FtmUnavailable(RuntimeError):
    pass


class FtmMappingError(ValueError):
    pass


def _model():
    try:
        from followthemoney import model
    except ImportError:
        raise FtmUnavailable(f"the FollowTheMoney export needs the followthemoney package: {INSTALL_HINT}") from None
    return model


def _date(value, precision="day"):
    if value is None:
        return None
    return value.isoformat()[: {"day": 10, "month": 7, "year": 4}[precision]]


class _Builder:
    """Makes checked entities and remembers the schema of each id it made."""

    def __init__(self, model):
        self.model = model
        self.schemata = {}

    def make(self, schema, entity_id, **properties):
        from followthemoney.types import registry

        if registry.entity.clean(entity_id) != entity_id:
            raise FtmMappingError(f"{entity_id!r} is not an FtM entity id")
        entity = self.model.make_entity(schema)
        entity.id = entity_id
        for name, values in properties.items():
            prop = entity.schema.get(name)
            if prop is None:
                raise FtmMappingError(f"{schema} has no property {name!r}")
            for value in values if isinstance(values, list | tuple | set) else [values]:
                if value in (None, ""):
                    continue
                if isinstance(value, datetime.date):
                    value = value.isoformat()
                cleaned = prop.type.clean(value, proxy=entity)
                if cleaned is None:
                    raise FtmMappingError(f"{entity_id}: {schema}.{name} refuses {value!r} ({prop.type.name})")
                if prop.range is not None:
                    target = self.schemata.get(cleaned)
                    if target is None or not target.is_a(prop.range):
                        raise FtmMappingError(
                            f"{entity_id}: {schema}.{name} points to {cleaned!r} "
                            f"({target.name if target else 'not exported'}), not a {prop.range.name}"
                        )
                entity.add(prop, cleaned, cleaned=True)
        missing = [name for name in entity.schema.required if not entity.get(name)]
        if missing:
            raise FtmMappingError(f"{entity_id}: {schema} lacks {', '.join(missing)}")
        self.schemata[entity.id] = entity.schema
        return entity


_ID_SAFE = re.compile(r"[0-9A-Za-z]([0-9A-Za-z.-]*[0-9A-Za-z])?")


def entity_id(kind, *key):
    """``sdb-<kind>-<natural key>``, or a hash of the key when FtM's id syntax (letters,
    digits, dots and dashes) cannot hold it (``S/RES/1718 (2006)``, a slug with ``_``)."""
    text = "-".join(str(part) for part in key)
    if not _ID_SAFE.fullmatch(text):
        text = hashlib.sha1(text.encode("utf-8")).hexdigest()
    return f"{PREFIX}-{kind}-{text}"


def actor_id(slug):
    return entity_id("actor", slug)


def country_id(iso2):
    return entity_id("country", iso2.lower())


def transfer_id(transfer):
    return entity_id("transfer", transfer.reference)


def _actor_entity(builder, actor):
    ids = actor.identifiers or {}
    schema = ACTOR_SCHEMATA[actor.kind]
    properties = {
        "name": actor.name,
        "alias": actor.aliases,
        "country": actor.country.iso2 if actor.country else None,
        "description": actor.description,
        "address": ids.get("addresses", []),
    }
    if schema == "Person":
        properties["position"] = actor.role
        properties["birthDate"] = [d for d in ids.get("birth_dates", []) if len(d) in (4, 7, 10)]
    elif actor.role:
        properties["summary"] = actor.role
    if schema == "Vessel":
        properties.update(
            imoNumber=ids.get("imo"), callSign=ids.get("call_sign"), flag=actor.country and actor.country.iso2
        )
        properties["type"] = ids.get("vessel_type")
    return builder.make(schema, actor_id(actor.slug), **properties)


def _party(actor, country):
    """The entity a transfer or claim names: its actor when known, else the state."""
    return actor_id(actor.slug) if actor is not None else country_id(country.iso2)


def iter_entities():
    """Yield every FtM entity, those referred to before those that refer to them."""
    builder = _Builder(_model())
    actors = Actor.objects.select_related("country").order_by("slug")
    for actor in actors:
        yield _actor_entity(builder, actor)

    transfers = list(
        Transfer.objects.select_related("supplier", "recipient", "supplier_actor", "recipient_actor")
        .prefetch_related("sources", "via", "in_exchange_for")
        .order_by("reference")
    )
    claims = list(
        Claim.objects.select_related("transfer__supplier", "transfer__supplier_actor", "claimant_country")
        .select_related("claimant_actor", "source")
        .order_by("reference")
    )
    relationships = list(
        Relationship.objects.select_related("country_a", "country_b").prefetch_related("sources").order_by("reference")
    )
    # The states that transfers, claims and relationships connect, as public bodies.
    states = {}
    for transfer in transfers:
        states.update({c.iso2: c for c in (transfer.supplier, transfer.recipient)})
    for claim in claims:
        states[claim.transfer.supplier.iso2] = claim.transfer.supplier
        if claim.claimant_country:
            states[claim.claimant_country.iso2] = claim.claimant_country
    for relationship in relationships:
        states.update({c.iso2: c for c in (relationship.country_a, relationship.country_b)})
    for iso2 in sorted(states):
        yield builder.make(
            "PublicBody", country_id(iso2), name=states[iso2].name, alias=states[iso2].aliases, country=iso2
        )

    designations = Designation.objects.select_related("regime__authority__country", "actor").prefetch_related("sources")
    for designation in designations.order_by("regime__code", "reference"):
        regime, authority = designation.regime, designation.regime.authority
        yield builder.make(
            "Sanction",
            entity_id("designation", regime.code, designation.reference),
            entity=actor_id(designation.actor.slug),
            authority=authority.name,
            authorityId=designation.reference,
            unscId=designation.reference if authority.code == "UN" else None,
            country=authority.country.iso2 if authority.country else None,
            program=regime.name,
            programId=regime.code,
            listingDate=designation.listed_on,
            endDate=designation.delisted_on,
            reason=designation.reason,
            sourceUrl=[source.url for source in designation.sources.all()],
        )

    for transfer in transfers:
        payer = _party(transfer.supplier_actor, transfer.supplier)
        beneficiary = _party(transfer.recipient_actor, transfer.recipient)
        legal = all(builder.schemata[i].is_a("LegalEntity") for i in (payer, beneficiary))
        common = {
            "startDate": _date(transfer.started_on, transfer.date_precision),
            "endDate": _date(transfer.ended_on, transfer.date_precision),
            "description": _transfer_text(transfer),
            "sourceUrl": [source.url for source in transfer.sources.all()],
            "recordId": transfer.reference,
        }
        if transfer.category == "financial" and legal:
            yield builder.make(
                "Payment", transfer_id(transfer), payer=payer, beneficiary=beneficiary, purpose=transfer.items, **common
            )
        else:
            yield builder.make(
                "UnknownLink",
                transfer_id(transfer),
                subject=payer,
                object=beneficiary,
                role=f"transfer: {transfer.category}",
                status=transfer.status,
                **common,
            )

    for claim in claims:
        transfer = claim.transfer
        yield builder.make(
            "UnknownLink",
            entity_id("claim", claim.reference),
            subject=_party(claim.claimant_actor, claim.claimant_country),
            object=_party(transfer.supplier_actor, transfer.supplier),
            role=f"{claim.stance} transfer {transfer.reference}",
            date=claim.made_on,
            summary=claim.quote,
            description=claim.summary,
            sourceUrl=claim.source.url if claim.source else None,
            recordId=claim.reference,
        )

    for relationship in relationships:
        yield builder.make(
            "UnknownLink",
            entity_id("relationship", relationship.reference),
            subject=country_id(relationship.country_a.iso2),
            object=country_id(relationship.country_b.iso2),
            role=relationship.kind,
            summary=relationship.title,
            description=relationship.description,
            startDate=relationship.started_on,
            endDate=relationship.ended_on,
            sourceUrl=[source.url for source in relationship.sources.all()],
            recordId=relationship.reference,
        )

    events = Event.objects.select_related("location").prefetch_related("countries", "participants", "sources")
    for event in events.order_by("reference"):
        participants = [actor_id(a.slug) for a in event.participants.all()]
        yield builder.make(
            "Event",
            entity_id("event", event.reference),
            name=event.title,
            startDate=event.started_on,
            endDate=event.ended_on,
            country=[c.iso2 for c in event.countries.all()] + ([event.location.iso2] if event.location else []),
            involved=[p for p in participants if builder.schemata[p].is_a("LegalEntity")],
            description=event.description,
            sourceUrl=[source.url for source in event.sources.all()],
            recordId=event.reference,
        )


def _transfer_text(transfer):
    quantity = ""
    if transfer.quantity_low is not None or transfer.quantity_high is not None:
        low, high = transfer.quantity_low, transfer.quantity_high
        amount = f"{low}" if high in (None, low) else f"{low if low is not None else '?'}–{high}"
        quantity = f"{amount} {transfer.quantity_unit}".strip()
    parts = [
        f"{transfer.category}: {transfer.items}" if transfer.items else transfer.category,
        quantity,
        f"via {', '.join(c.iso2 for c in transfer.via.all())}" if transfer.via.all() else "",
        (
            f"in exchange for {', '.join(t.reference for t in transfer.in_exchange_for.all())}"
            if transfer.in_exchange_for.all()
            else ""
        ),
        transfer.description,
    ]
    return "; ".join(part for part in parts if part)


def export_ftm(stream):
    """Write every entity as one JSON object per line; return how many were written."""
    count = 0
    for entity in iter_entities():
        stream.write(json.dumps(entity.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count
