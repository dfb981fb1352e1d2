"""UN arms embargoes as the public pages show them: each regime's embargo phases, the arms
deliveries recorded into its target while a phase was in force (by supplier and year), how
each supplier voted on the resolutions that began the phases, and the findings the rules
gave those deliveries.

A delivery is a published transfer of an arms category (``arms`` and its leaves) into the
regime's target that began while a phase forbidding imports to it was in force, or out of the
target while a phase forbidding its exports was (the DPRK's missiles to Russia under 1718's
export ban); each is counted under the other country, its *counterpart*. A transfer that
has parts (a SIPRI deal and its delivery years) is counted by its parts only, so that nothing
is counted twice. Thematic regimes (no target country) list their phases and findings only.
Every page reads a fixed number of queries, whatever the number of regimes or deliveries.
"""

import datetime
from collections import defaultdict

from django.db.models import Count, Q, Sum

from apps.resolutions.models import Vote
from apps.sanctions.choices import Direction, MeasureKind, TransferCategory, category_and_descendants
from apps.sanctions.models import Measure
from apps.transfers.findings import PUBLIC, audience_of
from apps.transfers.models import Finding, Transfer
from apps.transfers.services import CONTRAVENING

ARMS = category_and_descendants(TransferCategory.ARMS)
# Suppliers drawn in the picture; the others are summed in one row.
PICTURE_SUPPLIERS = 12


def embargo_measures(regimes=None):
    """The arms-embargo phases, oldest first, of ``regimes`` (all regimes when None), with
    their regime and the resolutions their provisions cite."""
    measures = Measure.objects.filter(kind=MeasureKind.ARMS_EMBARGO).select_related(
        "regime__authority", "regime__target_country"
    )
    if regimes is not None:
        measures = measures.filter(regime__in=regimes)
    return list(measures.prefetch_related("provisions__resolution").order_by("regime__code", "started_on", "code"))


INTO = (Direction.IMPORTS_TO_TARGET, Direction.BOTH)
OUT_OF = (Direction.EXPORTS_FROM_TARGET, Direction.BOTH)


def _in_force(measures, day, today, directions):
    return any(
        m.direction in directions and (m.started_on is None or m.started_on <= day) and day <= (m.ended_on or today)
        for m in measures
    )


def _deliveries(targets):
    """Published arms deliveries into or out of ``targets`` (country pks), by day: one query.
    Each row: ``supplier_id``, ``recipient_id``, both countries' names and ISO codes,
    ``started_on``, ``n`` transfers and their ``tiv`` (SIPRI's trend-indicator value)."""
    rows = (
        Transfer.objects.visible_to(PUBLIC)
        .filter(Q(recipient__in=targets) | Q(supplier__in=targets))
        .filter(category__in=ARMS, started_on__isnull=False, parts__isnull=True)
        .values(
            "supplier_id",
            "recipient_id",
            "supplier__name",
            "supplier__iso2",
            "recipient__name",
            "recipient__iso2",
            "started_on",
        )
        .annotate(n=Count("id"), tiv=Sum("value_low", filter=Q(value_unit__startswith="SIPRI TIV")))
        .order_by()
    )
    return list(rows)


def _counterpart(row, target, phases, today):
    """``("into" | "out of", pk, name, ISO code)`` of a delivery that a phase forbade, else None."""
    if row["recipient_id"] == target and _in_force(phases, row["started_on"], today, INTO):
        return ("into", row["supplier_id"], row["supplier__name"], row["supplier__iso2"])
    if row["supplier_id"] == target and _in_force(phases, row["started_on"], today, OUT_OF):
        return ("out of", row["recipient_id"], row["recipient__name"], row["recipient__iso2"])
    return None


def _findings_by_regime(regimes, user):
    """``{regime pk: {kind: transfers}}`` of the published findings under the regimes'
    arms-embargo measures (a transfer with parts counted by its parts): one query."""
    rows = (
        Finding.objects.filter(
            measure__regime__in=regimes,
            measure__kind=MeasureKind.ARMS_EMBARGO,
            published=True,
            audience__in=audience_of(user),
            # A deal's delivery years are counted, not the deal as well.
            transfer__parts__isnull=True,
        )
        .values("measure__regime_id", "kind")
        .annotate(n=Count("transfer_id", distinct=True))
        .order_by()
    )
    found = defaultdict(dict)
    for row in rows:
        found[row["measure__regime_id"]][row["kind"]] = row["n"]
    return found


def embargo_list(*, today=None):
    """Every regime with an arms embargo: its phases, the deliveries into its target during
    them and the transfers with a contravening finding under them. Three queries."""
    today = today or datetime.date.today()
    measures = embargo_measures()
    by_regime = defaultdict(list)
    for measure in measures:
        by_regime[measure.regime].append(measure)
    targets = {regime.target_country_id for regime in by_regime if regime.target_country_id}
    deliveries = defaultdict(int)
    for row in _deliveries(targets) if targets else []:
        for regime, phases in by_regime.items():
            if regime.target_country_id and _counterpart(row, regime.target_country_id, phases, today):
                deliveries[regime.pk] += row["n"]
    findings = _findings_by_regime(list(by_regime), PUBLIC) if by_regime else {}
    answer = []
    for regime, phases in by_regime.items():
        kinds = findings.get(regime.pk, {})
        answer.append(
            {
                "regime": regime,
                "phases": phases,
                "first": min((m.started_on for m in phases if m.started_on), default=None),
                "in_force": any(m.ended_on is None or m.ended_on >= today for m in phases),
                "deliveries": deliveries.get(regime.pk, 0) if regime.target_country_id else None,
                "contravening": sum(n for kind, n in kinds.items() if kind in CONTRAVENING),
            }
        )
    return sorted(answer, key=lambda e: (e["first"] or datetime.date.max, e["regime"].code))


def embargo_of(regime, *, today=None):
    """A regime's embargo section: its phases, the deliveries into or out of its target during
    them by counterpart and year (``rows``, most deliveries first; ``years``), each
    counterpart's vote on the resolutions that began the phases (``founding``), and the
    findings by kind. None when the regime has no arms embargo. Four queries (one when it has
    none)."""
    today = today or datetime.date.today()
    phases = embargo_measures([regime])
    if not phases:
        return None
    founding = []
    for measure in phases:
        for provision in measure.provisions.all():
            if provision.resolution not in founding:
                founding.append(provision.resolution)
    founding.sort(key=lambda r: (r.voted_on or datetime.date.max, r.symbol))
    per_supplier = {}
    years = set()
    if regime.target_country_id:
        for row in _deliveries([regime.target_country_id]):
            found = _counterpart(row, regime.target_country_id, phases, today)
            if found is None:
                continue
            way, pk, name, iso2 = found
            entry = per_supplier.setdefault(
                (way, pk), {"way": way, "pk": pk, "name": name, "iso2": iso2, "n": 0, "tiv": 0, "by_year": {}}
            )
            year = row["started_on"].year
            years.add(year)
            entry["n"] += row["n"]
            entry["tiv"] += row["tiv"] or 0
            entry["by_year"][year] = entry["by_year"].get(year, 0) + row["n"]
    votes = {}
    if per_supplier and founding:
        countries = {entry["pk"] for entry in per_supplier.values()}
        for vote in Vote.objects.filter(resolution__in=founding, country_id__in=countries):
            votes[(vote.country_id, vote.resolution_id)] = vote
    rows = sorted(per_supplier.items(), key=lambda item: (-item[1]["n"], item[1]["name"]))
    for _key, entry in rows:
        entry["votes"] = [votes.get((entry["pk"], resolution.pk)) for resolution in founding]
    kinds = _findings_by_regime([regime], PUBLIC).get(regime.pk, {})
    return {
        "phases": phases,
        "founding": founding,
        "rows": [entry for _pk, entry in rows],
        "years": sorted(years),
        "deliveries": sum(entry["n"] for _pk, entry in rows),
        "findings": sorted(kinds.items(), key=lambda item: (item[0] not in CONTRAVENING, item[0])),
    }
