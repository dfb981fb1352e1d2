"""The graph of countries the network picture and the graph API draw: transfers between
countries grouped by pair, category and status (off the transfers' tally when no period
narrows them), sanctions from authorities to their targets, and relationships. A fixed
number of queries whatever the number of transfers; ``user`` sees only what ``visible_to``
lets them read.
"""

from operator import itemgetter

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    Min,
    Q,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from apps.common.periods import overlapping, transfers_overlapping
from apps.common.roles import sees_drafts
from apps.geo.models import Country
from apps.relations.models import Relationship
from apps.sanctions.models import Authority, Regime
from apps.transfers import tallies
from apps.transfers.choices import TransferStatus
from apps.transfers.models import Transfer, TransferTally

# --- the graph ---------------------------------------------------------------------------

# The numbers of one transfer edge: the supplier's code and name, the recipient's, the
# category, the status, the number of transfers, the earliest start, the latest end and how
# many of them have no end.
FLOW = (
    "supplier_iso2",
    "supplier_name",
    "recipient_iso2",
    "recipient_name",
    "category",
    "status",
    "transfers",
    "first_start",
    "last_end",
    "open_ended",
)


def graph_flows(start, end, categories, *, user, today, suppliers=None):
    """The transfer edges' numbers (``FLOW`` tuples) in the edges' order. Without a period,
    read off the tallies (one row per edge for the public, the published and draft rows summed
    for editors; ``suppliers``: those of these countries' ids only); with one, the transfers
    meeting it grouped (a tally does not know which of its transfers meet a period). The
    countries' codes and names in a query of their own."""
    keys = ("supplier_id", "recipient_id", "category", "status")
    if start is None and end is None:
        published_only = not sees_drafts(user)
        rows = tallies.transfer_tallies(published_only=published_only)
        if categories:
            rows = rows.filter(category__in=categories)
        if suppliers is not None:
            rows = rows.filter(supplier_id__in=suppliers)
        if published_only:
            # In no order: they are sorted below, by the countries' codes (sorting them by id
            # as well cost PostgreSQL 60 ms, on disk, at 64,000 edges).
            rows = rows.values_list(*keys, "transfers", "first_start", "last_end", "open_ended").order_by()
        else:
            rows = (
                rows.values(*keys)
                .annotate(n=Sum("transfers"), first=Min("first_start"), last=Max("last_end"), open=Sum("open_ended"))
                .values_list(*keys, "n", "first", "last", "open")
                .order_by()
            )
    else:
        transfers = Transfer.objects.visible_to(user).filter(transfers_overlapping(start, end, today=today))
        if categories:
            transfers = transfers.filter(category__in=categories)
        # Grouped by the countries' ids: narrow rows to group.
        rows = (
            transfers.values(*keys)
            .annotate(
                n=Count("pk"),
                first=Min("started_on"),
                last=Max("ended_on"),
                open=Count("pk", filter=Q(ended_on__isnull=True)),
            )
            .values_list(*keys, "n", "first", "last", "open")
            .order_by()
        )
    flows = _named(list(rows))
    flows.sort(key=itemgetter(0, 2, 4, 5))
    return flows


def _named(rows):
    """``rows`` whose first two values are countries' ids, with each id replaced by the
    country's code and name (read in a query of their own)."""
    ids = {row[0] for row in rows} | {row[1] for row in rows}
    countries = {
        pk: (iso2, name) for pk, iso2, name in Country.objects.filter(pk__in=ids).values_list("pk", "iso2", "name")
    }
    return [(*countries[supplier], *countries[recipient], *rest) for supplier, recipient, *rest in rows]


# --- the graph by pair of countries ------------------------------------------------------

# The numbers of one pair's transfers, all categories and statuses together: the supplier's
# code and name, the recipient's, the categories (sorted), the strongest status among them
# (confirmed, corroborated, alleged, disproven) and the number of transfers.
PAIR = ("supplier_iso2", "supplier_name", "recipient_iso2", "recipient_name", "categories", "status", "transfers")

# Strongest first: a pair of several transfers shows the best-supported one's status.
STATUS_RANK = {
    TransferStatus.CONFIRMED: 3,
    TransferStatus.CORROBORATED: 2,
    TransferStatus.ALLEGED: 1,
    TransferStatus.DISPROVEN: 0,
}


def graph_pairs(start, end, categories, *, user, today):
    """The transfers between each pair of countries (``PAIR`` tuples, by supplier and
    recipient): what the network picture draws. The same numbers as ``graph_flows``' edges of
    the pair taken together.

    The database groups them by pair and category, and the categories of a pair are joined
    here: grouping by pair alone asks for the distinct categories of each pair in SQL, which
    sorts every row (147 ms for the 64,418 rows of the tally at a million transfers, against
    62 ms for the grouping by category and 24 ms to join the 24,271 groups here; 2026-12-07)."""
    rank = Case(
        *(When(status=status, then=Value(points)) for status, points in STATUS_RANK.items()),
        output_field=IntegerField(),
    )
    if start is None and end is None:
        rows = tallies.transfer_tallies(published_only=not sees_drafts(user))
        counted = Sum("transfers")
    else:
        rows = Transfer.objects.visible_to(user).filter(transfers_overlapping(start, end, today=today))
        counted = Count("pk")
    if categories:
        rows = rows.filter(category__in=categories)
    rows = (
        rows.values("supplier_id", "recipient_id", "category")
        .annotate(strongest=Max(rank), n=counted)
        .values_list("supplier_id", "recipient_id", "category", "strongest", "n")
        .order_by()
    )
    joined = {}
    for supplier, recipient, category, strongest, n in rows:
        pair = joined.get((supplier, recipient))
        if pair is None:
            joined[supplier, recipient] = [{category}, strongest, n]
        else:
            pair[0].add(category)
            pair[1] = max(pair[1], strongest)
            pair[2] += n
    by_rank = {points: status for status, points in STATUS_RANK.items()}
    pairs = [
        (supplier, recipient, tuple(sorted(kinds)), by_rank[strongest], n)
        for (supplier, recipient), (kinds, strongest, n) in joined.items()
    ]
    pairs = _named(pairs)
    pairs.sort(key=itemgetter(0, 2))
    return pairs


# What the graph reads besides the transfers or their tally.
GRAPH_READS = (Country, Regime, Authority, Relationship)


def graph_reads(start=None, end=None):
    """The models ``graph_parts`` reads for a period (``apps.common.cache.cached_answer``'s
    ``reads``): the transfers' tally without a period, the transfers themselves with one."""
    transfers = TransferTally if start is None and end is None else Transfer
    return [transfers, *GRAPH_READS]


def graph_parts(*, start=None, end=None, categories=(), user, today=None, by_pair=False, countries=None):
    """What ``country_graph`` is made of: ``flows`` (``graph_flows``), ``nodes`` (sorted),
    ``others`` (the sanctions and relationship edges) and ``period`` (the transfer list's
    query parameters of the period asked). ``by_pair``: the transfers as ``pairs``
    (``graph_pairs``) instead of ``flows``, for a picture that draws one link a pair.
    ``countries``: the codes and names of the countries the transfer edges join, when the
    caller reads those edges itself (``apps.explore.graph_json``): ``flows`` are then empty."""
    today = today or timezone.localdate()
    if countries is not None:
        flows = []
    elif by_pair:
        flows = graph_pairs(start, end, categories, user=user, today=today)
    else:
        flows = graph_flows(start, end, categories, user=user, today=today)
    if countries is None:
        countries = {(f[0], f[1]) for f in flows} | {(f[2], f[3]) for f in flows}
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

    for iso2, name in countries:
        country_node(iso2, name)
    period = {}
    if start:
        period["active_after"] = start.isoformat()
    if end:
        period["active_before"] = end.isoformat()
    others = []
    for regime in regimes:
        others.append(
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
        others.append(
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
    return {
        "pairs" if by_pair else "flows": flows,
        "nodes": sorted(nodes.values(), key=lambda n: n["id"]),
        "others": others,
        "period": period,
    }


def transfer_edge(flow, period):
    """The graph's edge of one ``FLOW``, with the transfer list's query parameters that list
    its transfers (``filters``)."""
    supplier, _s, recipient, _r, category, status, transfers, first_start, last_end, open_ended = flow
    return {
        "kind": "transfer",
        "source": supplier,
        "target": recipient,
        "reference": None,
        "category": category,
        "status": status,
        "count": transfers,
        "started_on": first_start,
        "ended_on": last_end,
        "ongoing": open_ended > 0,
        "filters": {"supplier": supplier, "recipient": recipient, "category": category, "status": status, **period},
    }


def country_graph(*, start=None, end=None, categories=(), user, today=None):
    """Countries as nodes; transfers, sanctions (authority → target) and relationships as
    edges, those whose period meets [``start``, ``end``]. Transfers are one edge per
    supplier, recipient, category and status, with the number of transfers, the first start
    and the last end among them (``graph_flows``); ``filters`` are the transfer list's
    query parameters that list them."""
    parts = graph_parts(start=start, end=end, categories=categories, user=user, today=today)
    edges = [transfer_edge(flow, parts["period"]) for flow in parts["flows"]]
    return {"nodes": parts["nodes"], "edges": edges + parts["others"]}
