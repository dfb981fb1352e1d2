"""The graph of countries as the graph API writes it (``GraphSerializer``'s JSON), built from
its edges' numbers rather than through the serializer's fields: a million transfers make tens
of thousands of edges.

Without a period the transfer edges come off the tallies, and a write moves a few of them:
the edges of each supplier are kept as JSON of their own (``tally_graph_json``), with a
fingerprint of the tally rows they were made of, so the first graph after a write rebuilds
only the suppliers whose rows changed. The fingerprint of a supplier is its number of rows and
the sum of a hash of each row's text (``RowHash``), read for every supplier in one grouped
statement; everything the edges and nodes show of a row is in its text, its countries' codes
and names included.
"""

from collections import namedtuple
from urllib.parse import quote_plus, urlencode

import orjson
from django.core.cache import cache
from django.db.models import Count, Sum

from apps.common.cache import cache_key
from apps.common.functions import Joined, RowHash
from apps.common.roles import sees_drafts
from apps.explore.graph import graph_flows, graph_parts
from apps.transfers import tallies


class _Quoted(dict):
    """A value as ``urlencode`` quotes it, each quoted once."""

    def __missing__(self, value):
        self[value] = quoted = quote_plus(value)
        return quoted


def flow_edges(flows, transfers, period=""):
    """The transfer edges of ``flows`` (``FLOW`` tuples) as the graph API writes them, each
    linking the list of its transfers at ``transfers`` (``period``: the list's query
    parameters of the period, ``&``-joined), each code, category and status quoted for the
    link once (as ``urlencode`` quotes it)."""
    quoted = _Quoted()
    return [
        {
            "kind": "transfer",
            "source": supplier,
            "target": recipient,
            "reference": None,
            "category": category,
            "status": status,
            "count": count,
            "started_on": first_start,
            "ended_on": last_end,
            "ongoing": open_ended > 0,
            "list": f"{transfers}?supplier={quoted[supplier]}&recipient={quoted[recipient]}"
            f"&category={quoted[category]}&status={quoted[status]}{period}",
        }
        for supplier, _s, recipient, _r, category, status, count, first_start, last_end, open_ended in flows
    ]


def other_edges(parts):
    """The sanctions and relationship edges of ``parts`` (``graph_parts``), as written."""
    return [
        {**{name: value for name, value in edge.items() if name != "filters"}, "list": None} for edge in parts["others"]
    ]


def graph_json(parts, transfers):
    """The graph (``graph_parts``) as ``GraphSerializer`` writes it, each transfer edge linking
    the list of its transfers at ``transfers``."""
    period = f"&{urlencode(parts['period'])}" if parts["period"] else ""
    edges = flow_edges(parts["flows"], transfers, period) + other_edges(parts)
    return orjson.dumps({"nodes": parts["nodes"], "edges": edges})


# --- the graph without a period, rebuilt supplier by supplier ------------------------------


# What a row of the tally is, as far as the graph writes it: its counts and dates, and the
# codes and names of its countries (a country renamed changes the fingerprints it is in).
FINGERPRINTED = [
    "supplier__iso2",
    "supplier__name",
    "recipient__iso2",
    "recipient__name",
    "category",
    "status",
    "published",
    "transfers",
    "open_ended",
    "first_start",
    "last_end",
]


def supplier_fingerprints(published_only, categories):
    """``{supplier id: (code, rows, sum of the rows' hashes)}`` of the tally rows a reader
    reads: the graph's transfer edges of a supplier, and the countries they join, change only
    when its fingerprint does. One grouped statement."""
    rows = tallies.transfer_tallies(published_only=published_only)
    if categories:
        rows = rows.filter(category__in=categories)
    text = Joined(*FINGERPRINTED)
    grouped = rows.values("supplier_id", "supplier__iso2").annotate(n=Count("pk"), h=Sum(RowHash(text))).order_by()
    return {
        supplier: (code, n, h)
        for supplier, code, n, h in grouped.values_list("supplier_id", "supplier__iso2", "n", "h")
    }


# One supplier's transfer edges as kept: the fingerprint they were made at, the supplier's and
# recipients' codes and names (the graph's nodes), and the edges' JSON, without brackets.
SupplierEdges = namedtuple("SupplierEdges", "fingerprint country recipients edges")


def tally_graph_json(categories, *, user, transfers):
    """``graph_json`` of the graph without a period (the same bytes, parsed), its transfer
    edges kept supplier by supplier in the shared cache (one entry per audience, categories and
    address) and rebuilt for the suppliers whose fingerprint changed since
    (``supplier_fingerprints``): a kept supplier's edges are right whatever the data version."""
    published_only = not sees_drafts(user)
    fingerprints = supplier_fingerprints(published_only, categories)
    key = cache_key("graph-suppliers", published_only, categories, transfers, version="fingerprinted")
    kept = cache.get(key) or {}
    changed = [
        supplier
        for supplier, fingerprint in fingerprints.items()
        if supplier not in kept or kept[supplier].fingerprint != fingerprint
    ]
    suppliers = {supplier: entry for supplier, entry in kept.items() if supplier in fingerprints}
    if changed:
        flows = graph_flows(None, None, categories, user=user, today=None, suppliers=changed)
        by_code = {}
        for flow in flows:  # in the edges' order: a supplier's are together
            by_code.setdefault(flow[0], []).append(flow)
        ids = {fingerprint[0]: supplier for supplier, fingerprint in fingerprints.items()}
        for code, supplier_flows in by_code.items():
            edges = orjson.dumps(flow_edges(supplier_flows, transfers))[1:-1]
            recipients = sorted({(flow[2], flow[3]) for flow in supplier_flows})
            supplier = ids[code]
            suppliers[supplier] = SupplierEdges(fingerprints[supplier], (code, supplier_flows[0][1]), recipients, edges)
    if changed or len(suppliers) != len(kept):
        cache.set(key, suppliers)
    ordered = sorted(suppliers.values(), key=lambda entry: entry.country)
    countries = {entry.country for entry in ordered} | {
        recipient for entry in ordered for recipient in entry.recipients
    }
    parts = graph_parts(categories=categories, user=user, countries=countries)
    others = orjson.dumps(other_edges(parts))[1:-1]
    edges = b",".join([*(entry.edges for entry in ordered), *([others] if others else [])])
    return b'{"nodes":' + orjson.dumps(parts["nodes"]) + b',"edges":[' + edges + b"]}"
