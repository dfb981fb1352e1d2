"""The questions that span apps: a country's profile (docs/data-model.md, "A country's
view"; the graph of countries is ``apps.explore.graph``). It is answered by grouped queries, in
a fixed number of queries whatever the number of transfers, and shows ``user`` only what
``visible_to`` lets them read. It does not load the transfers themselves: at a million
transfers they are counted, summed and sampled in the database.
"""

import datetime
from collections import Counter

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Prefetch,
    Q,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from apps.common.cache import cached_answer
from apps.common.roles import sees_drafts
from apps.relations.models import Relationship
from apps.resolutions.choices import Position
from apps.resolutions.models import Provision, Vote
from apps.sanctions.models import Designation, Measure, Regime
from apps.transfers import tallies
from apps.transfers.findings import audience_of, queued_count
from apps.transfers.models import Finding
from apps.transfers.rule_inputs import PROVISION_ORDER, resolutions_behind
from apps.transfers.services import CONTRAVENING, EXCEEDS_CAP

# How many transfer references a contravened resolution lists (the most recent first).
EXAMPLES = 20

# --- a country's profile -----------------------------------------------------------------


def _regime_summary(regime):
    return {
        "code": regime.code,
        "name": regime.name,
        "authority": regime.authority.code,
        "target_country": regime.target_country.iso2 if regime.target_country else None,
        "started_on": regime.started_on,
        "ended_on": regime.ended_on,
    }


def _flows(country, user):
    """``transfers_out`` and ``transfers_in``: the country's transfers (those ``user`` reads)
    counted by category and by status, read off the tallies in one grouped query."""
    rows = (
        tallies.transfer_tallies(published_only=not sees_drafts(user))
        .filter(Q(supplier=country) | Q(recipient=country))
        .annotate(
            outgoing=Case(When(supplier=country, then=Value(True)), default=Value(False), output_field=BooleanField())
        )
        .values("outgoing", "category", "status")
        .annotate(n=Sum("transfers"))
        .values_list("outgoing", "category", "status", "n")
        .order_by()
    )
    flows = {direction: {"total": 0, "by_category": {}, "by_status": {}} for direction in (True, False)}
    for outgoing, category, status, transfers in rows:
        flow = flows[bool(outgoing)]
        flow["total"] += transfers
        for key, value in (("by_category", category), ("by_status", status)):
            flow[key][value] = flow[key].get(value, 0) + transfers
    for flow in flows.values():
        flow["by_category"] = dict(sorted(flow["by_category"].items()))
        flow["by_status"] = dict(sorted(flow["by_status"].items()))
    return flows[True], flows[False]


def cached_country_profile(iso2, find_country, *, user, today):
    """``country_profile`` of the country ``iso2`` (``find_country()`` reads it, on a miss
    only), cached until the next write per country, audience and day: the API's profile and
    the country page share it."""
    return cached_answer(
        "profile", [iso2, sees_drafts(user), today], lambda: country_profile(find_country(), user=user, today=today)
    )


def country_profile(country, *, user, today=None):
    """Everything the database says about one country (docs/data-model.md, "A country's view")."""
    today = today or timezone.localdate()
    regimes = Regime.objects.select_related("authority", "target_country")
    votes = list(
        Vote.objects.filter(country=country)
        .select_related("resolution", "country")
        .order_by("resolution__voted_on", "resolution__symbol")
    )
    relationships = (
        Relationship.objects.visible_to(user)
        .filter(Q(country_a=country) | Q(country_b=country))
        .select_related("country_a", "country_b")
    )
    transfers_out, transfers_in = _flows(country, user)
    tallied = tallies.finding_tallies(country, user=user)
    return {
        "country": country.iso2,
        "name": country.name,
        "sc_permanent_member": country.sc_permanent_member,
        "regimes_targeting": [_regime_summary(r) for r in regimes.filter(target_country=country)],
        "regimes_imposed": [_regime_summary(r) for r in regimes.filter(authority__country=country)],
        "votes": [
            {
                "resolution": vote.resolution.symbol,
                "voted_on": vote.resolution.voted_on,
                "outcome": vote.resolution.outcome,
                "position": vote.position,
                "veto": vote.is_veto,
            }
            for vote in votes
        ],
        "vetoes": [vote.resolution.symbol for vote in votes if vote.is_veto],
        "transfers_out": transfers_out,
        "transfers_in": transfers_in,
        "relationships": [
            {
                "reference": r.reference,
                "kind": r.kind,
                "title": r.title,
                "with": (r.country_b if r.country_a_id == country.pk else r.country_a).iso2,
                "started_on": r.started_on,
                "ended_on": r.ended_on,
            }
            for r in relationships
        ],
        "designations_count": sum(tallies.designations_by_year(country).values()),
        "designations_under_regimes_targeting_count": Designation.objects.filter(
            regime__target_country=country
        ).count(),
        "contravened_resolutions_voted_for": contravened_resolutions(
            country, {v.resolution_id for v in votes if v.position == Position.YES}, tallied, user=user, today=today
        ),
        "findings_obliging": findings_obliging(country, tallied),
        # Kept with the answer: a write that queues transfers changes the data version too.
        "findings_being_recomputed": queued_count(),
    }


# --- the resolutions a country voted for that its transfers are alleged to contravene -----


def contravened_resolutions(country, voted_yes, tallied, *, user, today):
    """The resolutions ``country`` voted yes on (``voted_yes``: their pks) that the transfers it
    is party to (as ``user`` may read them) are alleged to contravene, read from the stored
    findings (``apps.transfers.findings``; the rules themselves live only in the engine):
    each with the measures behind it that have a contravening finding (``breach``,
    ``possible_breach``, ``exceeds_cap``, ``designated_party``), the caps exceeded and in which
    periods, ``transfers_count`` (the distinct transfers behind it) and ``transfers``, up to
    ``EXAMPLES`` of them in the transfer list's order (``-started_on``, ``reference``).

    The measures and the counts are read off the findings' tally (``tallied``: the country's
    ``tallies.finding_tallies``, read once for the whole profile); the caps exceeded and the
    examples off the findings' own indexes. Queries: the measures and what they rest on (3), the
    caps exceeded (1, when a cap is) and the examples (1); none when the country voted yes on
    nothing. No transfer is loaded."""
    if not voted_yes:
        return []
    measure_ids = {measure_id for _s, _r, found, _n in tallied for measure_id, *_rest in found}
    if not measure_ids:
        return []
    rows = _contravening_rows(country, user)
    measures = (
        Measure.objects.filter(pk__in=measure_ids)
        .select_related("regime")
        .prefetch_related(
            Prefetch("provisions", queryset=Provision.objects.select_related("resolution").order_by(*PROVISION_ORDER)),
            "regime__resolutions",
        )
        .order_by("regime__code", "code")
    )
    behind = {}  # resolution -> [measure]
    for measure in measures:
        for resolution in resolutions_behind(measure):
            if resolution.pk in voted_yes:
                behind.setdefault(resolution, []).append(measure)
    if not behind:
        return []
    resolutions = list(behind)
    counts = {}
    for i, resolution in enumerate(resolutions):
        ids = {m.pk for m in behind[resolution]}
        counts[f"r{i}"] = sum(n for _s, _r, found, n in tallied if any(e[0] in ids for e in found))
    capped = {e[0] for _s, _r, found, _n in tallied for e in found if e[1] == EXCEEDS_CAP}
    exceeded = []
    if capped:
        exceeded = list(
            rows.filter(kind=EXCEEDS_CAP, measure_id__in=sorted(capped))
            .values("measure_id", "cap_period_start", "cap_period_end", "cap_total_low", "cap_quantity", "cap_unit")
            .distinct()
            .order_by()
        )
    examples = _examples(country, user, rows, {r: behind[r] for r in resolutions})
    answer = []
    for i, resolution in enumerate(resolutions):
        measures_behind = behind[resolution]
        caps = []
        for cap in exceeded:
            measure = next((m for m in measures_behind if m.pk == cap["measure_id"]), None)
            if measure is None:
                continue
            entry = {
                "measure": [measure.regime.code, measure.code],
                "period_start": cap["cap_period_start"],
                "period_end": cap["cap_period_end"],
                "total_low": cap["cap_total_low"],
                "quantity": cap["cap_quantity"],
                "unit": cap["cap_unit"],
            }
            if entry not in caps:
                caps.append(entry)
        answer.append(
            {
                "resolution": resolution.symbol,
                "voted_on": resolution.voted_on,
                "transfers": examples[resolution],
                "transfers_count": counts[f"r{i}"],
                "measures": [[m.regime.code, m.code] for m in measures_behind],
                "exceeded_caps": sorted(caps, key=lambda c: (c["measure"], c["period_start"] or datetime.date.min)),
            }
        )
    return sorted(answer, key=lambda e: (e["voted_on"] is None, e["voted_on"], e["resolution"]))


def findings_obliging(country, tallied):
    """The contravening findings that oblige ``country``'s state, whatever it voted (the DPRK is
    obliged by every 1718 measure though it never voted on one): by measure and kind, with the
    number of transfers, counted off the findings' tally (``tallied``, as read for
    ``contravened_resolutions``; a transfer once per measure and kind) and named in one more
    query."""
    counted = Counter()
    for supplier_id, recipient_id, found, n in tallied:
        obliging = {
            (measure_id, kind)
            for measure_id, kind, by_supplier, by_recipient in found
            if (by_supplier and supplier_id == country.pk) or (by_recipient and recipient_id == country.pk)
        }
        for key in obliging:
            counted[key] += n
    if not counted:
        return []
    names = {
        pk: (regime, code)
        for pk, regime, code in Measure.objects.filter(pk__in={m for m, _k in counted}).values_list(
            "pk", "regime__code", "code"
        )
    }
    return [
        {"measure": list(names[measure_id]), "kind": kind, "transfers_count": n}
        for (measure_id, kind), n in sorted(counted.items(), key=lambda item: (names[item[0][0]], item[0][1]))
    ]


def _contravening_rows(country, user):
    """The stored contravening findings of the transfers ``country`` is party to, as ``user``
    reads them (the transfer's parties and review status are written with each finding)."""
    rows = Finding.objects.filter(
        Q(supplier=country) | Q(recipient=country), kind__in=CONTRAVENING, audience__in=audience_of(user)
    )
    return rows if sees_drafts(user) else rows.filter(published=True)


def _examples(country, user, rows, behind):
    """``{resolution: [reference, ...]}``: the most recent ``EXAMPLES`` transfers behind each, in
    the transfer list's order, from one union of walks of the findings' own indexes, one per
    measure and side (``finding_by_supplier_measure``, ``finding_by_recipient_measure``): a
    transfer has a few findings under one measure at most, so each walk reads enough rows for
    ``EXAMPLES`` distinct transfers, and a resolution's are the most recent among its
    measures'."""
    measures = sorted({m.pk for found in behind.values() for m in found})
    samples = []
    for measure in measures:
        for side in ("supplier", "recipient"):
            walk = (
                rows.filter(measure=measure, **{side: country})
                .order_by("-transfer_started_on", "transfer_reference")
                .values("pk")[: EXAMPLES * 3]
            )
            samples.append(
                Finding.objects.filter(pk__in=walk)
                .order_by()
                .values_list(Value(measure), "transfer_started_on", "transfer_reference")
            )
    by_measure = {measure: {} for measure in measures}
    for measure, started_on, reference in samples[0].union(*samples[1:], all=True):
        by_measure[measure][reference] = _descending(started_on)
    examples = {}
    for resolution, found in behind.items():
        days = {}
        for measure in found:
            days.update(by_measure[measure.pk])
        examples[resolution] = [
            reference for _day, reference in sorted((day, ref) for ref, day in days.items())[:EXAMPLES]
        ]
    return examples


def _descending(day):
    """A sort key for the transfer list's ``-started_on``: undated first on PostgreSQL (NULLS
    FIRST), last elsewhere."""
    if day is None:
        return float("-inf") if connection.vendor == "postgresql" else float("inf")
    return -day.toordinal()
