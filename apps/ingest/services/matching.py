"""Recognising the same actor on several lists (KOMID is UN ``KPe.001`` and an OFAC entry).

An actor from a list is attached to a stored one only when a strong identifier says they are
one: the UN reference (a UK, EU or Australian entry cites it), the UN DATAID, the OFAC entry
number, an IMO number, or a passport or registration number with its country. Names never
merge two actors: when one's main name is a name or alias of the other (names compared by
``name_key``), the kinds agree (a person is only ever matched to a person) and the countries
do not conflict, the entry becomes an actor of its own and a *proposal* is stored for an
editor to accept or reject (``actors.MatchProposal``, the admin's queue); a name shared
through aliases only, one of several actors of that name, or a country conflict is proposed
too, with the reason.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.text import slugify

from apps.actors.models import Actor
from apps.actors.services import merged_aliases, merged_identifiers, name_key, store_proposals

# The identifiers a list gives every entry it carries (the designation's reference), by list.
LIST_NAMESPACES = ("un_ref", "un_dataid", "ofac_uid", "uk_ref", "us_csl_id", "au_ref", "eu_ref")
# Identifiers that say two entries are one actor, and those that are lists of them
# (``"CC:number"``: a passport or a registration number is only unique within its country).
MATCHING_IDENTIFIERS = ("un_ref", "un_dataid", "ofac_uid", "imo")
MATCHING_ID_LISTS = ("passports", "registrations")


def document_id(country, number):
    """``"KP:381310014"``: a passport's or a registration's number with the ISO code of its
    country, written one way whatever the spaces and case a list writes it with (the
    ``passports`` the UN and UK importers store)."""
    return f"{country}:{''.join(str(number).split()).upper()}"


def id_keys(identifiers):
    """The strong identifiers of an actor, as ``(key, value)`` pairs."""
    keys = [(key, str(identifiers[key])) for key in MATCHING_IDENTIFIERS if identifiers.get(key)]
    for key in MATCHING_ID_LISTS:
        values = identifiers.get(key)
        if isinstance(values, list):
            keys += [(key, str(value).upper()) for value in values if value]
    return keys


@dataclass
class KnownActor:
    slug: str
    kind: str
    name: str
    aliases: list = field(default_factory=list)
    country: str | None = None
    identifiers: dict = field(default_factory=dict)
    stored: bool = True

    def describe(self):
        ids = ", ".join(f"{k} {self.identifiers[k]}" for k in MATCHING_IDENTIFIERS if self.identifiers.get(k))
        return f"{self.slug} ({self.name}{'; ' + ids if ids else ''})"


@dataclass
class Match:
    actor: KnownActor | None
    reason: str = ""
    uncertain: list = field(default_factory=list)


class ActorIndex:
    """Every stored actor (and those an import is adding) by identifier and by name."""

    def __init__(self):
        self.actors = {}
        self.by_identifier = {}
        self.by_name = defaultdict(set)  # name key -> slugs having it as name or alias
        self.by_main_name = defaultdict(set)

    @classmethod
    def from_database(cls):
        index = cls()
        for row in Actor.objects.values_list("slug", "kind", "name", "aliases", "country__iso2", "identifiers"):
            slug, kind, name, aliases, country, identifiers = row
            index.add(KnownActor(slug, kind, name, list(aliases or []), country, dict(identifiers or {})))
        return index

    def add(self, actor):
        self.actors[actor.slug] = actor
        for key, value in id_keys(actor.identifiers):
            self.by_identifier[(key, value)] = actor.slug
        for key in LIST_NAMESPACES:
            if actor.identifiers.get(key):
                self.by_identifier[(key, str(actor.identifiers[key]))] = actor.slug
        self.by_main_name[name_key(actor.name)].add(actor.slug)
        for name in [actor.name, *actor.aliases]:
            self.by_name[name_key(name)].add(actor.slug)

    def slug_for(self, name, suffix):
        """A free slug for a new actor: the name, or the name and the list reference."""
        base = slugify(name)[:150] or "actor"
        for candidate in (base, f"{base}-{slugify(suffix)}"):
            if candidate not in self.actors:
                return candidate
        number = 2
        while f"{base}-{number}" in self.actors:
            number += 1
        return f"{base}-{number}"

    def by_id(self, key, value):
        slug = self.by_identifier.get((key, str(value)))
        return self.actors.get(slug) if slug else None

    def match(self, *, name, aliases, kind, country, identifiers, namespace):
        """The stored actor this list entry is, by a strong identifier, with the reason; or
        None and the actors it may be (``uncertain``: each with why), for an editor.

        ``namespace`` is the identifier the list gives every entry (``ofac_uid``): an actor
        that already carries a different value of it is another entry of the same list.
        """
        for key, value in id_keys(identifiers):
            found = self.by_identifier.get((key, value))
            if found:
                actor = self.actors[found]
                if actor.identifiers.get(namespace) and str(actor.identifiers[namespace]) != str(
                    identifiers.get(namespace)
                ):
                    continue
                return Match(actor, f"same {key} {value}")
        main = name_key(name)
        alias_keys = {name_key(alias) for alias in aliases} - {main}
        strong = set(self.by_name.get(main, ()))
        for key in alias_keys:
            strong |= self.by_main_name.get(key, set())
        weak = set()
        for key in alias_keys:
            weak |= self.by_name.get(key, set())
        weak -= strong
        certain, uncertain = [], []
        for slug in sorted(strong):
            actor = self.actors[slug]
            if (actor.kind == "person") != (kind == "person"):
                continue
            if actor.identifiers.get(namespace) and str(actor.identifiers[namespace]) != str(
                identifiers.get(namespace)
            ):
                continue
            if actor.country and country and actor.country != country:
                uncertain.append((actor, f"same name, but country {actor.country} and {country}"))
                continue
            certain.append(actor)
        for slug in sorted(weak):
            actor = self.actors[slug]
            if (actor.kind == "person") == (kind == "person") and not actor.identifiers.get(namespace):
                uncertain.append((actor, "an alias in common only"))
        if len(certain) == 1:
            uncertain = [(certain[0], "same name")] + uncertain
        elif len(certain) > 1:
            uncertain = [(actor, "one of several actors with this name") for actor in certain] + uncertain
        return Match(None, "", uncertain)


def merged_actor_fields(existing, *, name, aliases, country, identifiers):
    """An actor found on another list: keep its name and kind, add the new names and ids."""
    return {
        "slug": existing.slug,
        "aliases": merged_aliases(existing, [name, *aliases]),
        "country": existing.country or country,
        "identifiers": merged_identifiers(existing.identifiers, identifiers),
    }


def merged_vessel_fields(fields, entry):
    """A vessel's IMO number and flags, carried onto the actor it was matched to."""
    for key in ("imo", "flags"):
        if entry.get(key):
            fields[key] = entry[key]
    return fields


def list_actor_fields(
    index, entry, *, own, namespace, reference, label, notes, other_lists=None, proposals=None, where=None
):
    """The actor record of one list entry, and the index updated with it.

    ``entry`` holds the entry's ``kind``, ``name``, ``aliases``, ``country``, ``role`` and
    ``identifiers`` (and a vessel's ``imo`` and ``flags``); ``own`` is the actor this list
    already gave that entry (found by the list's own identifier, ``namespace``), if any. An
    actor the entry is matched to by a strong identifier, or one that another list (an
    identifier in ``other_lists``, by default every other list's) already carries, keeps its
    name and kind and gains the entry's names and ids. Matches are added to ``notes``; the
    actors it may be, by name, to ``notes`` and to ``proposals`` as ``(slug, candidate's slug,
    reason, label)`` (``actors.services.store_proposals`` stores them once the list is loaded).
    """
    if other_lists is None:
        other_lists = tuple(key for key in LIST_NAMESPACES if key != namespace)
    merge = {
        "name": entry["name"],
        "aliases": entry["aliases"],
        "country": entry["country"],
        "identifiers": entry["identifiers"],
    }
    if own is not None:
        fields = {
            "slug": own.slug,
            "name": entry["name"],
            "aliases": entry["aliases"],
            "country": entry["country"],
            "role": entry["role"],
            "identifiers": {**own.identifiers, **entry["identifiers"]},
        }
        if own.stored and any(own.identifiers.get(key) for key in other_lists):
            fields = merged_actor_fields(own, **merge)
    else:
        match = index.match(
            name=entry["name"],
            aliases=entry["aliases"],
            kind=entry["kind"],
            country=entry["country"],
            identifiers=entry["identifiers"],
            namespace=namespace,
        )
        if match.actor is not None:
            notes.append(f"matched: {label} {entry['name']} = {match.actor.describe()} ({match.reason})")
            fields = merged_actor_fields(match.actor, **merge)
        else:
            fields = {"slug": index.slug_for(entry["name"], reference), **entry}
            for other, why in match.uncertain:
                notes.append(f"proposed: {label} {entry['name']} ~ {other.describe()}: {why}; left apart for an editor")
                if proposals is not None:
                    proposals.append((fields["slug"], other.slug, why, label))
    merged_vessel_fields(fields, entry)
    known = index.actors.get(fields["slug"])
    index.add(
        KnownActor(
            fields["slug"],
            fields.get("kind") or known.kind,
            fields.get("name") or known.name,
            fields["aliases"],
            fields["country"],
            fields["identifiers"],
            stored=known.stored if known else False,
        )
    )
    return fields


def load_list(records, proposals, notes, **load):
    """Load a list's records (one actor record per slug) and then, when they were written,
    store its proposals; the report carries ``notes`` first."""
    from apps.ingest.loader import RecordList, load_records

    report = load_records([RecordList(merge_actor_records(records))], **load)
    if report.ok and not report.dry_run and proposals:
        made = store_proposals(proposals)
        if made:
            notes = [*notes, f"{made} proposal(s) waiting for an editor (admin: Actors › Match proposals)"]
    report.notes = notes + report.notes
    return report


def merge_actor_records(records):
    """One actor record per slug: an actor that several entries name (the same company on
    two UN lists, two OFAC entries matched to one actor) is written once, merged."""
    merged = {}
    result = []
    for record in records:
        if record.label != "actors.actor":
            result.append(record)
            continue
        slug = record.fields["slug"]
        if slug in merged:
            merged[slug].fields.update(record.fields)
            continue
        merged[slug] = record
        result.append(record)
    return result
