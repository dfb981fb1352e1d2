"""What each public page reads. The pages show published records only, to anyone, so every
question here is asked as an anonymous reader (``PUBLIC``): a draft never reaches a page.

Each function runs a fixed number of queries whatever the number of records: long lists are
cut to their most recent rows (``LATEST``) with a count, and what reads whole tables is a
grouped query. The views keep each rendered page until the next write
(``apps.explore.views.page_view``); the country profile is the API's cached answer.
"""

import datetime
from collections import Counter, defaultdict

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from apps.actors.filters import ActorFilterSet
from apps.actors.models import Actor
from apps.common.search import ranked, search_condition
from apps.explore.selectors import cached_country_profile
from apps.geo.filters import CountryFilterSet
from apps.geo.models import Country
from apps.relations.models import Event, Statement
from apps.resolutions.choices import Outcome, Position
from apps.resolutions.filters import ResolutionFilterSet
from apps.resolutions.models import Resolution, Vote
from apps.sanctions.filters import RegimeFilterSet
from apps.sanctions.models import Designation, Measure, Regime
from apps.transfers import tallies
from apps.transfers.choices import Stance
from apps.transfers.filters import ClaimFilterSet, TransferFilterSet
from apps.transfers.models import Claim, Transfer
from apps.transfers.services import (
    BREACH,
    CONTRAVENING,
    COUNTS_TOWARD_CAP,
    DESIGNATED_PARTY,
    EXCEEDS_CAP,
    EXEMPTED,
    NEEDS_EXEMPTION,
    NOT_NOTIFIED,
    POSSIBLE_BREACH,
    transfer_contraventions,
)

# The reader of every public page: published records only.
PUBLIC = AnonymousUser()
# How many of a long list a page shows (the most recent first), with a count of them all.
LATEST = 20
# A country's votes drawn one by one on its timeline up to this many; past it, by year.
TIMELINE_VOTES = 60
# What a finding is, in a heading.
FINDING_NAMES = {
    BREACH: "Breach",
    POSSIBLE_BREACH: "Possible breach",
    EXCEEDS_CAP: "Cap exceeded",
    COUNTS_TOWARD_CAP: "Counts toward a cap",
    NEEDS_EXEMPTION: "Needs an exemption",
    EXEMPTED: "Exempted (notified)",
    NOT_NOTIFIED: "Not notified",
    DESIGNATED_PARTY: "Designated party",
}
# Stances on the side of a transfer having happened, and against it.
FOR = (Stance.ALLEGES, Stance.CORROBORATES, Stance.ACKNOWLEDGES)
AGAINST = (Stance.DENIES,)


def resolution_slug(resolution):
    """The address of a resolution's page: its number when adopted (``1718``), else its
    symbol with "/" written "-" (``S-2022-431``)."""
    if resolution.number is not None and resolution.outcome == Outcome.ADOPTED:
        return str(resolution.number)
    return resolution.symbol.replace("/", "-")


def resolution_by_slug(slug):
    """The resolution at ``/resolutions/<slug>/`` (DoesNotExist when none)."""
    if slug.isdigit():
        return Resolution.objects.get(number=int(slug), outcome=Outcome.ADOPTED)
    return Resolution.objects.get_by_natural_key(slug.replace("-", "/"))


def public_transfers():
    return Transfer.objects.visible_to(PUBLIC)


def transfer_rows(transfers, limit=LATEST):
    """The first ``limit`` of ``transfers`` (in the list's order) with their countries and
    claim counts (``with_claim_counts``): two queries."""
    return with_claim_counts(list(transfers.select_related("supplier", "recipient")[:limit]))


def with_claim_counts(transfers):
    """``transfers``, each given the number of published claims for it (``claims_for``:
    alleging, corroborating, acknowledging) and against it (``claims_against``): one query."""
    stances = (
        Claim.objects.visible_to(PUBLIC)
        .filter(transfer__in=[t.pk for t in transfers])
        .values("transfer_id", "stance")
        .annotate(claims=Count("pk"))
        .order_by()
    )
    counts = defaultdict(Counter)
    for row in stances:
        counts[row["transfer_id"]][row["stance"]] += row["claims"]
    for transfer in transfers:
        transfer.claims_for = sum(counts[transfer.pk][s] for s in FOR)
        transfer.claims_against = sum(counts[transfer.pk][s] for s in AGAINST)
    return transfers


# --- home ---------------------------------------------------------------------------------


def home_page():
    # The published transfers counted by supplier and recipient, off the tallies.
    pairs = (
        tallies.transfer_tallies(published_only=True)
        .values("supplier_id", "recipient_id")
        .annotate(n=Sum("transfers"))
        .values_list("supplier_id", "recipient_id", "n")
        .order_by()
    )
    by_country = Counter()
    for supplier_id, recipient_id, n in pairs:
        by_country[supplier_id] += n
        by_country[recipient_id] += n
    countries = {
        pk: (iso2, name)
        for pk, iso2, name in Country.objects.filter(pk__in=list(by_country)).values_list("pk", "iso2", "name")
    }
    # The most involved first; among as many, by code.
    involved = sorted(((n, countries[pk]) for pk, n in by_country.items()), key=lambda item: (-item[0], item[1][0]))
    return {
        "counts": {
            "transfers": sum(by_country.values()) // 2,
            "claims": tallies.claims_count(published_only=True),
            "resolutions": Resolution.objects.count(),
            "regimes": Regime.objects.count(),
            "designations": Designation.objects.count(),
            "actors": Actor.objects.count(),
        },
        "involved": [{"iso2": iso2, "name": name, "transfers": n} for n, (iso2, name) in involved[:10]],
        "latest_transfers": transfer_rows(public_transfers().order_by("-started_on", "reference"), 10),
        "vetoes": list(
            Vote.objects.vetoes().select_related("resolution", "country").order_by("-resolution__voted_on")[:10]
        ),
        "changes": recent_records(),
    }


# The records the home page's "what changed lately" lists, newest change first: (model, what
# to read with it, how it is named, the page it is shown on).
RECENT = (
    (Transfer, (), lambda t: t.reference, lambda t: reverse("explore:transfer", args=[t.reference])),
    (Claim, ("transfer",), lambda c: c.reference, lambda c: reverse("explore:transfer", args=[c.transfer.reference])),
    (
        Designation,
        ("actor", "regime"),
        lambda d: f"{d.actor.name} ({d.regime.code} {d.reference})",
        lambda d: reverse("explore:actor", args=[d.actor.slug]),
    ),
    (Resolution, (), lambda r: r.symbol, lambda r: reverse("explore:resolution", args=[resolution_slug(r)])),
    (Event, (), lambda e: e.title, None),
    (
        Statement,
        ("speaker",),
        lambda s: f"{s.speaker.name}: {s.reference}",
        lambda s: reverse("explore:actor", args=[s.speaker.slug]),
    ),
)


def recent_records(limit=10):
    """The ``limit`` published records added or changed last among transfers, claims,
    designations, resolutions, events and statements: one query each, on ``updated_at``'s
    index. Every change, deletions included, is in the API's change feed."""
    found = []
    for model, related, name, page in RECENT:
        for record in model.objects.visible_to(PUBLIC).select_related(*related).order_by("-updated_at")[:limit]:
            found.append(
                {
                    "time": record.updated_at,
                    "kind": model._meta.verbose_name,
                    "record": name(record),
                    "action": "added" if record.updated_at == record.created_at else "changed",
                    "url": page(record) if page else None,
                }
            )
    return sorted(found, key=lambda r: r["time"], reverse=True)[:limit]


def latest_dated_transfers(country, limit):
    """The ``limit`` published transfers of ``country`` with the latest start, in the list's
    order (``-started_on``, ``reference``): a walk of the supplier's index and one of the
    recipient's (a transfer is never both), merged."""
    sides = [
        public_transfers()
        .filter(**{side: country}, started_on__isnull=False)
        .select_related("supplier", "recipient")
        .order_by("-started_on", "reference")[:limit]
        for side in ("supplier", "recipient")
    ]
    found = [transfer for side in sides for transfer in side]
    return sorted(found, key=lambda t: (-t.started_on.toordinal(), t.reference))[:limit]


def earlier_transfers_by_year(country, before):
    """``[(year, n)]``: how many published transfers of ``country`` started before the day
    ``before``, by year, off the tallies: its own year's less those of that year that start on
    ``before`` or later, counted (the latest transfers, those the page shows: a few, where
    counting the year's transfers before the day read a busy country's whole year, 130 ms at a
    million transfers)."""
    counted = tallies.transfers_by_year(country, published_only=True)
    years = [(year, n) for year, n in sorted(counted.items()) if 0 < year < before.year and n]
    later = (
        public_transfers()
        .filter(Q(supplier=country) | Q(recipient=country))
        .filter(started_on__gte=before, started_on__lt=datetime.date(before.year + 1, 1, 1))
        .count()
    )
    same_year = counted.get(before.year, 0) - later
    if same_year:
        years.append((before.year, same_year))
    return years


# --- a country ----------------------------------------------------------------------------


def country_page(country):
    today = timezone.localdate()
    profile = cached_country_profile(country.iso2, lambda: country, user=PUBLIC, today=today)
    transfers = public_transfers().order_by("-started_on", "reference")
    symbols = {v["resolution"] for v in profile["votes"]} | {
        c["resolution"] for c in profile["contravened_resolutions_voted_for"]
    }
    addresses = {
        r.symbol: reverse("explore:resolution", args=[resolution_slug(r)])
        for r in Resolution.objects.filter(symbol__in=symbols).only("symbol", "number", "outcome")
    }
    statements = list(
        Statement.objects.visible_to(PUBLIC)
        .filter(Q(about=country) | Q(on_behalf_of=country))
        .distinct()
        .select_related("speaker", "source")
        .order_by("-made_on", "reference")[:LATEST]
    )
    return {
        "country": country,
        "profile": profile,
        "votes": [{**vote, "url": addresses[vote["resolution"]]} for vote in profile["votes"]],
        "vetoed": [{"symbol": s, "url": addresses[s]} for s in profile["vetoes"]],
        "contravened": [
            {**entry, "url": addresses[entry["resolution"]]} for entry in profile["contravened_resolutions_voted_for"]
        ],
        "obliging": [{**entry, "name": FINDING_NAMES[entry["kind"]]} for entry in profile["findings_obliging"]],
        "transfers_out": transfer_rows(transfers.filter(supplier=country)),
        "transfers_in": transfer_rows(transfers.filter(recipient=country)),
        "designations": list(
            Designation.objects.filter(actor__country=country)
            .select_related("actor", "regime")
            .order_by("-listed_on", "regime_id", "reference")[:LATEST]
        ),
        "statements": statements,
        "timeline": country_timeline(country, profile, statements, today),
    }


def country_timeline(country, profile, statements, today):
    """What happened to and by ``country`` on one axis: its votes (from the profile), the
    designations of its actors counted by year, its transfers (the most recent), events and
    ``statements`` (the page's). A fixed number of queries."""
    items = []
    dated = [vote for vote in profile["votes"] if vote["voted_on"]]
    # Past TIMELINE_VOTES votes (a permanent member's thirty years), each year's votes are one
    # mark with their count; a veto is always a mark of its own.
    by_year = len(dated) > TIMELINE_VOTES
    years = defaultdict(Counter)
    for vote in dated:
        if by_year and not vote["veto"]:
            years[vote["voted_on"].year][vote["position"]] += 1
            continue
        items.append(
            {
                "lane": "votes",
                "start": vote["voted_on"],
                "end": None,
                "label": f"{vote['resolution']}: {'veto' if vote['veto'] else vote['position']}",
                "kind": "veto" if vote["veto"] else vote["position"],
            }
        )
    for year, positions in sorted(years.items()):
        counted = ", ".join(f"{n} {position}" for position, n in sorted(positions.items()))
        items.append(
            {
                "lane": "votes",
                "start": datetime.date(year, 1, 1),
                "end": datetime.date(year, 11, 30),
                "label": f"{sum(positions.values())} votes in {year}: {counted}",
                "kind": "votes-year",
            }
        )
    # Counted off the tallies (year 0: designations with no listing date).
    listed = sorted((year, n) for year, n in tallies.designations_by_year(country).items() if year and n)
    for row in ({"year": year, "n": n} for year, n in listed):
        items.append(
            {
                "lane": "designations",
                "start": datetime.date(row["year"], 1, 1),
                "end": datetime.date(row["year"], 12, 31),
                "label": f"{row['n']} designation{'s' if row['n'] != 1 else ''} listed in {row['year']}",
                "kind": "designation",
            }
        )
    recent = latest_dated_transfers(country, LATEST)
    # The older transfers, counted by year (one mark a year) before the most recent ones.
    if recent:
        for year, n in earlier_transfers_by_year(country, recent[-1].started_on):
            items.append(
                {
                    "lane": "transfers",
                    "start": datetime.date(year, 1, 1),
                    "end": datetime.date(year, 11, 30),
                    "label": f"{n} earlier transfer{'s' if n != 1 else ''} in {year}",
                    "kind": "transfers-year",
                }
            )
    for transfer in recent:
        items.append(
            {
                "lane": "transfers",
                "start": transfer.started_on,
                "end": transfer.ended_on or today,
                "label": f"{transfer.supplier.iso2} → {transfer.recipient.iso2}: {transfer.category} ({transfer.status})",
                "kind": transfer.status,
                "href": reverse("explore:transfer", args=[transfer.reference]),
            }
        )
    for event in (
        Event.objects.visible_to(PUBLIC)
        .filter(Q(countries=country) | Q(location=country), started_on__isnull=False)
        .distinct()
        .order_by("-started_on", "reference")[: LATEST * 2]
    ):
        items.append(
            {
                "lane": "events",
                "start": event.started_on,
                "end": event.ended_on,
                "label": event.title,
                "kind": event.kind,
            }
        )
    for statement in statements:
        if statement.made_on is None:
            continue
        items.append(
            {
                "lane": "statements",
                "start": statement.made_on,
                "end": None,
                "label": f"{statement.speaker.name}: “{statement.quote[:80]}”",
                "kind": "statement",
            }
        )
    return sorted(items, key=lambda item: (item["start"], item["lane"], item["label"]))


# --- a transfer ---------------------------------------------------------------------------


def transfer_page(transfer):
    claims = list(
        Claim.objects.visible_to(PUBLIC)
        .filter(transfer=transfer)
        .select_related("claimant_country", "claimant_actor", "source")
        .order_by("made_on", "reference")
    )
    findings = transfer_contraventions(transfer, user=PUBLIC)
    for finding in findings:
        finding.finding_label = FINDING_NAMES[finding.finding]
    return {
        "transfer": transfer,
        "claims_for": [c for c in claims if c.stance in FOR],
        "claims_against": [c for c in claims if c.stance in AGAINST],
        # Only the findings that say it would break a measure are under "which sanctions it would
        # break"; a delivery under a cap, or an exempted supply, informs apart.
        "findings": [f for f in findings if f.finding in CONTRAVENING],
        "informing": [f for f in findings if f.finding not in CONTRAVENING],
        "via": list(transfer.via.all()),
        "sources": list(transfer.sources.all()),
        "in_exchange_for": list(transfer.in_exchange_for.visible_to(PUBLIC).select_related("supplier", "recipient")),
    }


# --- a resolution, a regime, an actor -----------------------------------------------------


def council_size(voted_on):
    """Members of the Security Council on a day: 11, and 15 from 1 January 1966."""
    return 15 if voted_on is None or voted_on >= datetime.date(1966, 1, 1) else 11


def resolution_page(resolution):
    votes = list(resolution.votes.select_related("country").order_by("country__name"))
    by_position = Counter(v.position for v in votes)
    size = council_size(resolution.voted_on)
    return {
        "resolution": resolution,
        "votes": votes,
        "council_size": size,
        # Some votes but not every member's (a veto list gives only the vetoing members).
        "votes_missing": 0 < len(votes) < size and not resolution.adopted_without_vote,
        "tally": [(p.label, by_position[p.value]) for p in Position],
        "provisions": list(resolution.provisions.order_by("id")),
        # The measures resting on its own provisions, not every measure of its regimes (a draft has none).
        "measures": list(
            Measure.objects.filter(provisions__resolution=resolution)
            .distinct()
            .select_related("regime")
            .order_by("regime__code", "started_on", "code")
        ),
        "regimes": list(resolution.regimes.select_related("authority", "target_country").order_by("code")),
    }


def regime_page(regime, designations_page):
    resolutions = list(regime.resolutions.order_by("voted_on", "symbol"))
    votes = list(
        Vote.objects.filter(resolution__in=resolutions)
        .select_related("country", "resolution")
        .order_by("country__name")
    )
    return {
        "regime": regime,
        "measures": list(
            regime.measures.prefetch_related("provisions__resolution").order_by("kind", "started_on", "code")
        ),
        "resolutions": resolutions,
        "designations": designations_page,
        "matrix": vote_matrix(resolutions, votes),
    }


def vote_matrix(resolutions, votes):
    """Resolutions (rows, oldest first) × the countries that voted on any (columns: the
    permanent members first), each cell a position or None, vetoes marked."""
    countries = {}
    cells = {}
    for vote in votes:
        countries[vote.country.iso2] = vote.country
        cells[(vote.resolution_id, vote.country.iso2)] = vote
    columns = sorted(countries.values(), key=lambda c: (not c.sc_permanent_member, c.name))
    return {
        "columns": columns,
        "rows": [
            {"resolution": r, "cells": [cells.get((r.pk, c.iso2)) for c in columns]}
            for r in sorted(resolutions, key=lambda r: (r.voted_on or datetime.date.max, r.symbol))
        ],
    }


def actor_page(actor):
    """An actor's page; a vessel's also shows its flags and the transfers it carried (one
    query more, for vessels only)."""
    transfers = public_transfers().filter(Q(supplier_actor=actor) | Q(recipient_actor=actor))
    vessel = actor.kind == "vessel"
    return {
        "actor": actor,
        "vessel": vessel,
        "flags": vessel_flags(actor) if vessel else [],
        "carried": transfer_rows(public_transfers().filter(vessels=actor)) if vessel else [],
        "designations": list(actor.designations.select_related("regime__authority").order_by("listed_on", "regime_id")),
        "transfers": transfer_rows(transfers.order_by("-started_on", "reference")),
        "statements": list(
            Statement.objects.visible_to(PUBLIC)
            .filter(speaker=actor)
            .select_related("source")
            .order_by("-made_on", "reference")[:LATEST]
        ),
        "claims": list(
            Claim.objects.visible_to(PUBLIC)
            .filter(claimant_actor=actor)
            .select_related("transfer", "source")
            .order_by("-made_on", "reference")[:LATEST]
        ),
    }


def vessel_flags(actor):
    """A vessel's flags as the lists give them (a country's ISO code, from and to), the
    latest first; one without a start date last."""
    flags = [flag for flag in actor.flags if isinstance(flag, dict) and flag.get("country")]
    return sorted(flags, key=lambda flag: str(flag.get("from") or ""), reverse=True)


# --- search and the network ---------------------------------------------------------------

SEARCHED = (
    ("countries", Country.objects.order_by("name"), CountryFilterSet),
    ("actors", Actor.objects.order_by("name", "slug"), ActorFilterSet),
    ("resolutions", Resolution.objects.order_by("-voted_on", "symbol"), ResolutionFilterSet),
    ("regimes", Regime.objects.order_by("code"), RegimeFilterSet),
    ("transfers", Transfer.objects.order_by("-started_on", "reference"), TransferFilterSet),
    ("claims", Claim.objects.order_by("-made_on", "reference"), ClaimFilterSet),
)


def search_page(text):
    """The first ``LATEST`` matches of ``text`` among countries, actors, resolutions, regimes,
    transfers and claims, each searched and ranked as the API's ``q`` searches and ranks it."""
    results = {}
    for name, queryset, filterset in SEARCHED:
        queryset = ranked(
            queryset.visible_to(PUBLIC).filter(search_condition(queryset.model, filterset.search_fields, text)),
            filterset.search_fields,
            text,
        )
        if name == "transfers":
            queryset = queryset.select_related("supplier", "recipient")
        elif name == "claims":
            queryset = queryset.select_related("transfer")
        found = list(queryset[: LATEST + 1])
        results[name] = {"rows": found[:LATEST], "more": len(found) > LATEST}
    return results
