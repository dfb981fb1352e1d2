"""The questions that span apps: a country's profile (DESIGN.md's "mirror view") and the
graph of countries for the pictures. Each is answered by grouped queries, in a fixed number
of queries whatever the number of transfers, and shows ``user`` only what ``visible_to``
lets them read. Neither loads the transfers themselves: at a million transfers they are
counted, summed and sampled in the database.
"""

import datetime

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncYear
from django.db.models.lookups import Exact, GreaterThanOrEqual, IsNull, LessThanOrEqual
from django.utils import timezone

from apps.common.cache import cached_answer
from apps.common.periods import DAY, MONTH, YEAR, overlapping, transfers_overlapping
from apps.common.roles import sees_drafts
from apps.geo.models import Country
from apps.relations.models import Relationship
from apps.resolutions.choices import Position
from apps.resolutions.models import Provision, Vote
from apps.sanctions.choices import (
    PARENT_OF,
    AuthorityBinds,
    Direction,
    MeasureKind,
    category_and_descendants,
)
from apps.sanctions.models import Designation, Measure, Regime
from apps.transfers.choices import TransferStatus
from apps.transfers.models import Transfer
from apps.transfers.services import (
    PROVISION_ORDER,
    RECIPIENT_SIDE,
    SUPPLIER_SIDE,
    cap_count,
    cap_month_totals,
    in_force_period,
    jurisdiction_members,
    resolutions_behind,
)

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


def _flows(country, transfers):
    """``transfers_out`` and ``transfers_in``: the country's transfers counted by category and
    by status, in one grouped query."""
    rows = (
        transfers.annotate(
            outgoing=Case(When(supplier=country, then=Value(True)), default=Value(False), output_field=BooleanField())
        )
        .values("outgoing", "category", "status")
        .annotate(transfers=Count("pk"))
        .order_by()
    )
    flows = {direction: {"total": 0, "by_category": {}, "by_status": {}} for direction in (True, False)}
    for row in rows:
        flow = flows[bool(row["outgoing"])]
        flow["total"] += row["transfers"]
        for key, value in (("by_category", row["category"]), ("by_status", row["status"])):
            flow[key][value] = flow[key].get(value, 0) + row["transfers"]
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
    """Everything the database says about one country (DESIGN.md, "the mirror view")."""
    today = today or timezone.localdate()
    regimes = Regime.objects.select_related("authority", "target_country")
    votes = list(
        Vote.objects.filter(country=country)
        .select_related("resolution", "country")
        .order_by("resolution__voted_on", "resolution__symbol")
    )
    transfers = Transfer.objects.visible_to(user).filter(Q(supplier=country) | Q(recipient=country))
    relationships = (
        Relationship.objects.visible_to(user)
        .filter(Q(country_a=country) | Q(country_b=country))
        .select_related("country_a", "country_b")
    )
    transfers_out, transfers_in = _flows(country, transfers)
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
        "designations_count": Designation.objects.filter(actor__country=country).count(),
        "designations_under_regimes_targeting_count": Designation.objects.filter(
            regime__target_country=country
        ).count(),
        "contravened_resolutions_voted_for": contravened_resolutions(
            country, {v.resolution_id for v in votes if v.position == Position.YES}, user=user, today=today
        ),
    }


# --- the resolutions a country voted for that its transfers are alleged to contravene -----


def _truncated(expression, precision):
    """``expression`` (a date) cut to the first day of its month or year at ``precision``."""
    if precision == MONTH:
        return TruncMonth(expression, output_field=DateField())
    if precision == YEAR:
        return TruncYear(expression, output_field=DateField())
    return expression


def _listed_during_span(today):
    """The condition on a designation (in a subquery of transfers) that its listing meets the
    outer transfer's span (``transfer_span``: dates widened by the precision, an open end
    running to today, or to its start when that is later)."""
    started, ended = (
        ExpressionWrapper(OuterRef(name), output_field=DateField()) for name in ("started_on", "ended_on")
    )
    precision = OuterRef("date_precision")
    reaches = Q(listed_on__isnull=True) | Q(IsNull(ended, True), listed_on__lte=today)
    begins = Q(delisted_on__isnull=True) | Q(IsNull(started, True))
    for level in (DAY, MONTH, YEAR):
        at_level = Exact(precision, level)
        # The widened end is on or after the listing when its month (year) is not before the listing's.
        reaches |= Q(
            at_level,
            IsNull(ended, False),
            GreaterThanOrEqual(_truncated(ended, level), _truncated(F("listed_on"), level)),
        )
        # An ongoing transfer also reaches a listing after today from its widened start.
        reaches |= Q(at_level, IsNull(ended, True), GreaterThanOrEqual(_truncated(started, level), F("listed_on")))
        begins |= Q(at_level, LessThanOrEqual(_truncated(started, level), F("delisted_on")))
    return reaches & begins


def _listing_overlapping(period):
    """Designations whose listing (listed_on … delisted_on) meets ``period``."""
    condition = Q()
    if period.start:
        condition &= Q(delisted_on__gte=period.start) | Q(delisted_on__isnull=True)
    if period.end:
        condition &= Q(listed_on__lte=period.end) | Q(listed_on__isnull=True)
    return condition


def _obliges_someone(measure, sides):
    """The condition on a transfer that ``measure`` obliges the state of one of its ``sides``
    (``_obliged`` of the findings engine); None when it can oblige nobody."""
    if not sides:
        return None
    authority = measure.regime.authority
    if authority.binds == AuthorityBinds.ALL_STATES:
        return Q()
    members = [country.pk for country in jurisdiction_members(authority)]
    if not members:
        return None
    condition = Q()
    for side in sides:
        condition |= Q(**{f"{side}_id__in": members})
    return condition


def _month_ranges(months):
    """A condition that a transfer's cap month (its start, else its end) is one of ``months``
    (first days of months), as few date ranges as the months allow."""
    condition = Q()
    months = sorted(months)
    while months:
        first = last = months.pop(0)
        while months and months[0] == _next_month(last):
            last = months.pop(0)
        condition |= Q(cap_reference__gte=first, cap_reference__lt=_next_month(last))
    return condition


def _next_month(day):
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def contravened_resolutions(country, voted_yes, *, user, today):
    """The resolutions ``country`` voted yes on (``voted_yes``: their pks) that the transfers it
    is party to (as ``user`` may read them) are alleged to contravene, with the measures
    and the exceeded caps behind them: the findings engine's answer
    (``apps.transfers.services``) for the contravening findings (``breach``,
    ``possible_breach``, ``exceeds_cap``, ``designated_party``) of every transfer of the
    country, computed in the database instead of transfer by transfer.

    Each measure resting on a resolution the country voted for becomes a condition on
    transfers that is true exactly when the engine gives that transfer a contravening finding
    under it: the regime targets the transfer's supplier (recipient) and the measure forbids
    exports from (imports to) the target; the transfer's category is covered (breach) or is a
    parent of a covered one (possible breach); its span meets the measure in force; the
    measure obliges the state of a party (for an ``own_jurisdiction`` authority, a party of
    one of its members); not disproven. A trade cap is a breach only in the cap periods whose
    total exceeds it: the engine's cap arithmetic (``cap_count``) is run once per month that
    holds supplies under the cap (not once per transfer), and the condition keeps the months
    it finds exceeded. An asset freeze adds the transfers whose supplier or recipient actor was
    listed under its regime while the freeze was in force and the transfer ran.

    Exact, not sampled: which resolutions, which measures, which caps are exceeded in which
    periods, and ``transfers_count`` (the distinct transfers behind each resolution), all from
    one pass over the country's transfers in which each measure's condition is a column.
    Bounded: ``transfers`` lists ``EXAMPLES`` of them, the first in the transfer list's order
    (``-started_on``, ``reference``). No transfer is loaded into Python. Queries: the measures
    and what they rest on (4), the cap totals (up to 2, only when a cap is in question), one
    for the counts and one for the examples; none when the country voted yes on nothing.
    """
    if not voted_yes:
        return []
    measures = (
        Measure.objects.select_related("regime__authority__country", "regime__target_country")
        .prefetch_related(
            Prefetch("provisions", queryset=Provision.objects.select_related("resolution").order_by(*PROVISION_ORDER)),
            "regime__resolutions",
            "regime__authority__members",
        )
        .order_by("regime__code", "code")
    )
    behind = {}
    for measure in measures:
        resolutions = [r for r in resolutions_behind(measure) if r.pk in voted_yes]
        if resolutions:
            behind[measure] = resolutions
    if not behind:
        return []

    caps = [m for m in behind if m.kind == MeasureKind.TRADE_CAP and m.regime.target_country_id]
    cap_months = cap_month_totals(caps, user=user) if caps else {}
    parts = []  # (condition on transfers, measure): a contravening finding under the measure
    exceeded = []  # (measure, CapCount, the index of the part of its transfers)
    for measure, _resolutions in behind.items():
        in_force = in_force_period(measure, measure.regime)
        if in_force is None:
            continue
        during = transfers_overlapping(in_force.start, in_force.end, today=today)
        target = measure.regime.target_country_id
        obliges = _obliges_someone(measure, measure.obliged_sides)
        if target and measure.direction != Direction.NOT_APPLICABLE and obliges is not None:
            covered = {leaf for c in measure.covers for leaf in category_and_descendants(c)}
            less_specific = {PARENT_OF[c] for c in measure.covers if c in PARENT_OF} - covered
            for side, directions in (("supplier", SUPPLIER_SIDE), ("recipient", RECIPIENT_SIDE)):
                if measure.direction not in directions:
                    continue
                on_side = Q(**{f"{side}_id": target}) & obliges & during
                if measure.kind != MeasureKind.TRADE_CAP:
                    parts.append((on_side & Q(category__in=covered | less_specific), measure))
                    continue
                if less_specific:
                    parts.append((on_side & Q(category__in=less_specific), measure))
                months = {month for (s, c, _cat, _unit, month) in cap_months if s == side and c == target}
                by_period = {}
                for month in months:
                    cap = cap_count(measure, side, target, in_force, month, cap_months)
                    if cap.exceeded:
                        by_period.setdefault(cap.period, (cap, []))[1].append(month)
                for cap, in_period in by_period.values():
                    exceeded.append((measure, cap, len(parts)))
                    parts.append((on_side & Q(category__in=covered) & _month_ranges(in_period), measure))
        if measure.kind == MeasureKind.ASSET_FREEZE:
            obliges = _obliges_someone(measure, ("supplier", "recipient"))
            if obliges is not None:
                listed = Designation.objects.filter(
                    _listing_overlapping(in_force), _listed_during_span(today), regime=measure.regime
                )
                designated = Q(supplier_actor__isnull=False) & Exists(listed.filter(actor=OuterRef("supplier_actor")))
                designated |= Q(recipient_actor__isnull=False) & Exists(
                    listed.filter(actor=OuterRef("recipient_actor"))
                )
                parts.append((designated & obliges & during, measure))

    if not parts:
        return []
    live = (
        Transfer.objects.visible_to(user)
        .exclude(status=TransferStatus.DISPROVEN)
        .annotate(cap_reference=Coalesce("started_on", "ended_on"))
    )
    # One pass over the country's transfers: each part is evaluated once per transfer (as a
    # column), then counted in every combination asked (a measure, a resolution, a cap period).
    flags = {
        f"part_{i}": ExpressionWrapper(condition, output_field=BooleanField())
        for i, (condition, _m) in enumerate(parts)
    }
    of_measure = {}
    for i, (_condition, measure) in enumerate(parts):
        of_measure.setdefault(measure, []).append(f"part_{i}")
    of_resolution = {}
    for measure, names in of_measure.items():
        for resolution in behind[measure]:
            of_resolution.setdefault(resolution, []).extend(names)
    wanted = [*of_measure.values(), *of_resolution.values(), *([f"part_{i}"] for _m, _c, i in exceeded)]
    flagged = live.filter(Q(supplier=country) | Q(recipient=country)).annotate(**flags).values(*flags).order_by()
    sql, params = flagged.query.sql_with_params()
    quote = connection.ops.quote_name
    sums = ", ".join(f"SUM(CASE WHEN {' OR '.join(quote(n) for n in names)} THEN 1 ELSE 0 END)" for names in wanted)
    with connection.cursor() as cursor:
        # OFFSET 0 keeps PostgreSQL from pulling the subquery up and evaluating a part once per sum.
        fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
        cursor.execute(f"SELECT {sums} FROM ({sql}{fence}) flagged", params)
        totals = [total or 0 for total in cursor.fetchone()]
    measure_counts = dict(zip(of_measure, totals, strict=False))
    resolution_counts = dict(zip(of_resolution, totals[len(of_measure) :], strict=False))
    cap_counts = totals[len(of_measure) + len(of_resolution) :]

    contravened = [r for r in of_resolution if resolution_counts[r]]
    examples = {r: [] for r in contravened}
    if contravened:
        # The most recent on each side, in the transfer list's order (an index walk each).
        samples = []
        for resolution in contravened:
            condition = None
            for name in of_resolution[resolution]:
                condition = _either(condition, parts[int(name.removeprefix("part_"))][0])
            for side in ("supplier", "recipient"):
                recent = live.filter(condition, **{side: country}).order_by("-started_on", "reference")
                samples.append(
                    Transfer.objects.filter(pk__in=recent.values("pk")[:EXAMPLES])
                    .order_by()
                    .values_list(Value(resolution.pk), "started_on", "reference")
                )
        rows = samples[0].union(*samples[1:], all=True)
        by_pk = {r.pk: r for r in contravened}
        for resolution_pk, started_on, reference in rows:
            examples[by_pk[resolution_pk]].append((_descending(started_on), reference))
        for resolution, found in examples.items():
            examples[resolution] = [reference for _day, reference in sorted(found)[:EXAMPLES]]

    answer = []
    for resolution in contravened:
        measures_behind = [m for m in of_measure if resolution in behind[m] and measure_counts[m]]
        caps_exceeded = []
        for (measure, cap, _part), count in zip(exceeded, cap_counts, strict=True):
            if measure not in measures_behind or not count:
                continue
            entry = {
                "measure": [measure.regime.code, measure.code],
                "period_start": cap.period.start,
                "period_end": cap.period.end,
                "total_low": cap.total_low,
                "quantity": cap.quantity,
                "unit": cap.unit,
            }
            if entry not in caps_exceeded:
                caps_exceeded.append(entry)
        answer.append(
            {
                "resolution": resolution.symbol,
                "voted_on": resolution.voted_on,
                "transfers": examples[resolution],
                "transfers_count": resolution_counts[resolution],
                "measures": [[m.regime.code, m.code] for m in measures_behind],
                "exceeded_caps": sorted(
                    caps_exceeded, key=lambda c: (c["measure"], c["period_start"] or datetime.date.min)
                ),
            }
        )
    return sorted(answer, key=lambda e: (e["voted_on"] is None, e["voted_on"], e["resolution"]))


def _either(condition, other):
    """``condition | other``, where ``condition`` None is no condition yet."""
    return other if condition is None else condition | other


def _descending(day):
    """A sort key for the transfer list's ``-started_on``: undated first on PostgreSQL (NULLS
    FIRST), last elsewhere."""
    if day is None:
        return float("-inf") if connection.vendor == "postgresql" else float("inf")
    return -day.toordinal()


# --- the graph ---------------------------------------------------------------------------


def country_graph(*, start=None, end=None, categories=(), user, today=None):
    """Countries as nodes; transfers, sanctions (authority → target) and relationships as
    edges, those whose period meets [``start``, ``end``]. Transfers are one edge per
    supplier, recipient, category and status, with the number of transfers, the first start
    and the last end among them, from one grouped query; ``filters`` are the transfer list's
    query parameters that list them."""
    today = today or timezone.localdate()
    transfers = Transfer.objects.visible_to(user).filter(transfers_overlapping(start, end, today=today))
    if categories:
        transfers = transfers.filter(category__in=categories)
    # Grouped by the countries' ids (narrow rows to group); their codes and names in a query of their own.
    flows = list(
        transfers.values("supplier_id", "recipient_id", "category", "status")
        .annotate(
            transfers=Count("pk"),
            first_start=Min("started_on"),
            last_end=Max("ended_on"),
            open_ended=Count("pk", filter=Q(ended_on__isnull=True)),
        )
        .order_by()
    )
    ids = {row["supplier_id"] for row in flows} | {row["recipient_id"] for row in flows}
    countries = {
        pk: (iso2, name) for pk, iso2, name in Country.objects.filter(pk__in=ids).values_list("pk", "iso2", "name")
    }
    for row in flows:
        (row["supplier__iso2"], row["supplier__name"]) = countries[row["supplier_id"]]
        (row["recipient__iso2"], row["recipient__name"]) = countries[row["recipient_id"]]
    flows.sort(key=lambda row: (row["supplier__iso2"], row["recipient__iso2"], row["category"], row["status"]))
    regimes = (
        Regime.objects.filter(target_country__isnull=False)
        .filter(overlapping(start, end))
        .select_related("authority__country", "target_country")
    )
    relationships = (
        Relationship.objects.visible_to(user).filter(overlapping(start, end)).select_related("country_a", "country_b")
    )

    nodes = {}

    def country_node(iso2, name):
        nodes.setdefault(iso2, {"id": iso2, "kind": "country", "name": name})
        return iso2

    def authority_node(authority):
        if authority.country_id:
            return country_node(authority.country.iso2, authority.country.name)
        node_id = f"authority:{authority.code}"
        nodes.setdefault(node_id, {"id": node_id, "kind": "authority", "name": authority.name})
        return node_id

    period = {}
    if start:
        period["active_after"] = start.isoformat()
    if end:
        period["active_before"] = end.isoformat()
    edges = []
    for row in flows:
        edges.append(
            {
                "kind": "transfer",
                "source": country_node(row["supplier__iso2"], row["supplier__name"]),
                "target": country_node(row["recipient__iso2"], row["recipient__name"]),
                "reference": None,
                "category": row["category"],
                "status": row["status"],
                "count": row["transfers"],
                "started_on": row["first_start"],
                "ended_on": row["last_end"],
                "ongoing": row["open_ended"] > 0,
                "filters": {
                    "supplier": row["supplier__iso2"],
                    "recipient": row["recipient__iso2"],
                    "category": row["category"],
                    "status": row["status"],
                    **period,
                },
            }
        )
    for regime in regimes:
        edges.append(
            {
                "kind": "sanctions",
                "source": authority_node(regime.authority),
                "target": country_node(regime.target_country.iso2, regime.target_country.name),
                "reference": regime.code,
                "category": None,
                "status": None,
                "count": None,
                "started_on": regime.started_on,
                "ended_on": regime.ended_on,
                "ongoing": None,
                "filters": None,
            }
        )
    for r in relationships:
        edges.append(
            {
                "kind": "relationship",
                "source": country_node(r.country_a.iso2, r.country_a.name),
                "target": country_node(r.country_b.iso2, r.country_b.name),
                "reference": r.reference,
                "category": r.kind,
                "status": None,
                "count": None,
                "started_on": r.started_on,
                "ended_on": r.ended_on,
                "ongoing": None,
                "filters": None,
            }
        )
    return {"nodes": sorted(nodes.values(), key=lambda n: n["id"]), "edges": edges}
