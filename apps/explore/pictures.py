"""The pictures of the public pages, laid out on the server and drawn by the templates as
SVG: no script, nothing fetched from elsewhere, the same picture for every browser, and a
table beside each for screen readers.

- ``network``: countries on a circle, the busiest at the top; transfers (one curve per
  supplier → recipient, its colour the strongest status among them, its width the number of
  transfers), sanctions (authority → target) and relationships between them.
- ``timeline``: a country's votes, designations, transfers, events and statements on one
  time axis, one lane each.
- ``embargo_grid``: an arms embargo's deliveries, a row per counterpart and a column per year.

Coordinates are in the SVG's own units (``viewBox``); the stylesheet colours by class.
"""

import datetime
import math
from collections import defaultdict
from urllib.parse import urlencode

from django.urls import reverse

from apps.explore.graph import STATUS_RANK

NETWORK_SIZE = 760
# Rows of the edge table under the network (the busiest pairs).
TABLE_ROWS = 60


def _point(center, radius, angle):
    return (round(center + radius * math.sin(angle), 1), round(center - radius * math.cos(angle), 1))


def _curve(start, end, bend, gaps=(0, 0)):
    """A quadratic curve from ``start`` to ``end`` bowed ``bend`` units to its right (so the
    two directions between a pair do not overlap), its ends drawn back by ``gaps`` (the
    circles' radii) so that an arrowhead lands on the target's edge, not under it."""
    (x1, y1), (x2, y2) = start, end
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1
    cx, cy = (x1 + x2) / 2 - dy / length * bend, (y1 + y2) / 2 + dx / length * bend

    def toward(x, y, gap):
        """(x, y) moved ``gap`` units along the line to the control point."""
        distance = math.hypot(cx - x, cy - y) or 1
        return round(x + (cx - x) / distance * gap, 1), round(y + (cy - y) / distance * gap, 1)

    (x1, y1), (x2, y2) = toward(x1, y1, gaps[0]), toward(x2, y2, gaps[1])
    return f"M{x1},{y1} Q{round(cx, 1)},{round(cy, 1)} {x2},{y2}"


# At most this many nodes are drawn: past it, the least busy are one node, "others"; and
# at most this many links, the strongest. The table under the picture lists every link.
NETWORK_MAX_NODES = 48
NETWORK_MAX_EDGES = 150
OTHERS = "others"


def _aggregate(graph, group=lambda node: node):
    """The graph's links by pair of (grouped) nodes: transfers ``{(supplier, recipient):
    {"count", "status", "categories"}}`` and the others ``{key: {"kind", "pair",
    "references"}}``; a link inside one group is left out."""
    transfers = {}
    others = {}
    for supplier, _s, recipient, _r, categories, status, count in graph["pairs"]:
        pair = (group(supplier), group(recipient))
        if pair[0] == pair[1] == OTHERS:
            continue
        aggregate = transfers.setdefault(pair, {"count": 0, "status": status, "categories": set()})
        aggregate["count"] += count
        aggregate["categories"].update(categories)
        if STATUS_RANK[status] > STATUS_RANK[aggregate["status"]]:
            aggregate["status"] = status
    for edge in graph["others"]:
        pair = (group(edge["source"]), group(edge["target"]))
        if pair[0] == pair[1] == OTHERS:
            continue
        key = (edge["kind"], *sorted(pair)) if edge["kind"] == "relationship" else (edge["kind"], *pair)
        aggregate = others.setdefault(key, {"kind": edge["kind"], "pair": pair, "references": []})
        aggregate["references"].append(edge["reference"])
    return transfers, others


def _edges(transfers, others, categories, draw=None):
    """The links as rows, the busiest transfers first; ``draw`` (positions and radii by
    node) adds each one's path."""
    heaviest_edge = max((a["count"] for a in transfers.values()), default=1)
    transfer_list = reverse("explore:transfer-list")  # once: a busy network has thousands of links
    edges = []
    for (source, target), aggregate in sorted(transfers.items(), key=lambda item: (-item[1]["count"], item[0])):
        query = {"supplier": source, "recipient": target}
        if len(categories) == 1:
            query["category"] = categories[0]
        count = aggregate["count"]
        what = ", ".join(sorted(aggregate["categories"]))
        edges.append(
            {
                "kind": "transfer",
                "source": source,
                "target": target,
                "css": f"edge transfer status-{aggregate['status']}",
                "width": round(1.5 + 6 * math.sqrt(count / heaviest_edge), 1),
                "status": aggregate["status"],
                "count": count,
                "what": what,
                "title": f"{source} → {target}: {count} transfer{'s' if count != 1 else ''} "
                f"({what}), strongest status {aggregate['status']}",
                "href": None if OTHERS in (source, target) else f"{transfer_list}?{urlencode(query)}",
                "bend": 40,
            }
        )
    for aggregate in others.values():
        source, target = aggregate["pair"]
        references = ", ".join(sorted(aggregate["references"]))
        is_sanction = aggregate["kind"] == "sanctions"
        edges.append(
            {
                "kind": aggregate["kind"],
                "source": source,
                "target": target,
                "css": f"edge {aggregate['kind']}",
                "width": 1.5,
                "status": None,
                "count": len(aggregate["references"]),
                "what": references,
                "title": f"{source.removeprefix('authority:')} {'sanctions' if is_sanction else '—'} {target}: {references}",
                "href": reverse("explore:regime", args=[aggregate["references"][0]])
                if is_sanction and len(aggregate["references"]) == 1
                else None,
                "bend": 0 if is_sanction else -15,
            }
        )
    if draw is not None:
        positions, radii = draw
        for edge in edges:
            source, target = edge["source"], edge["target"]
            edge["d"] = _curve(positions[source], positions[target], edge["bend"], (radii[source], radii[target] + 2))
    return edges


def network(graph, *, start=None, end=None, categories=()):
    """The layout of ``graph`` (``graph_parts``'s answer by pair: the transfers' numbers by
    pair of countries, the nodes and the other edges): nodes with their position, size and page; edges aggregated by
    country pair and kind, with their path, class and link.

    At density it stays readable: past ``NETWORK_MAX_NODES`` the least busy nodes are drawn
    as one, "others" (its links summed), and only the ``NETWORK_MAX_EDGES`` strongest links
    are drawn; the table lists the busiest links between the countries themselves."""
    weight = defaultdict(int)
    for supplier, _s, recipient, _r, _categories, _status, count in graph["pairs"]:
        weight[supplier] += count
        weight[recipient] += count
    for edge in graph["others"]:
        weight[edge["source"]] += 1
        weight[edge["target"]] += 1
    names = {node["id"]: node["name"] for node in graph["nodes"]}
    ordered = sorted(graph["nodes"], key=lambda n: (-weight[n["id"]], n["id"]))
    hidden = {}
    if len(ordered) > NETWORK_MAX_NODES:
        hidden = {node["id"] for node in ordered[NETWORK_MAX_NODES - 1 :]}
        others_weight = sum(weight[node] for node in hidden)
        ordered = [
            *ordered[: NETWORK_MAX_NODES - 1],
            {"id": OTHERS, "name": f"{len(hidden)} other countries and authorities", "kind": OTHERS},
        ]
        weight[OTHERS] = others_weight
        names[OTHERS] = ordered[-1]["name"]

    center, radius = NETWORK_SIZE / 2, NETWORK_SIZE / 2 - 70
    heaviest = max(weight.values(), default=1) or 1
    positions = {}
    nodes = []
    for index, node in enumerate(ordered):
        angle = 2 * math.pi * index / max(len(ordered), 1)
        x, y = _point(center, radius, angle)
        lx, ly = _point(center, radius + 26, angle)
        positions[node["id"]] = (x, y)
        is_country = node["kind"] == "country"
        label = node["id"] if is_country else node["id"].removeprefix("authority:")
        nodes.append(
            {
                "id": node["id"],
                "label": f"+{len(hidden)}" if node["id"] == OTHERS else label,
                "name": node["name"],
                "kind": node["kind"],
                "x": x,
                "y": y,
                "r": round(7 + 15 * math.sqrt(weight[node["id"]] / heaviest), 1),
                "label_x": lx,
                "label_y": round(ly + 4, 1),
                "anchor": "middle" if abs(lx - center) < 20 else ("start" if lx > center else "end"),
                "href": reverse("explore:country", args=[node["id"]]) if is_country else None,
            }
        )

    radii = {node["id"]: node["r"] for node in nodes}
    period = {}
    if start:
        period["start"] = start.isoformat()
    if end:
        period["end"] = end.isoformat()
    drawn = _edges(
        *_aggregate(graph, lambda node: OTHERS if node in hidden else node), categories, draw=(positions, radii)
    )
    drawn = sorted(drawn, key=lambda e: -e["count"])[:NETWORK_MAX_EDGES]
    table = _edges(*_aggregate(graph), categories) if hidden else drawn
    for edge in [*drawn, *table]:
        edge["source_name"], edge["target_name"] = names[edge["source"]], names[edge["target"]]
    return {
        "size": NETWORK_SIZE,
        "nodes": nodes,
        "edges": drawn,
        "grouped": len(hidden),
        "table": table[:TABLE_ROWS],
        "more_rows": max(len(table) - TABLE_ROWS, 0),
        "period": period,
    }


# --- the timeline ---------------------------------------------------------------------------

LANES = (
    ("votes", "Votes"),
    ("designations", "Designations"),
    ("transfers", "Transfers"),
    ("events", "Events"),
    ("statements", "Statements"),
)
TIMELINE_WIDTH = 900
LANE_HEIGHT = 46
LEFT = 110


def timeline(items, today):
    """The layout of a country's timeline: a year axis over the items' span and a lane per
    kind; a dated point for votes, events and statements, a bar for what lasts. Transfers
    that overlap are stacked in sub-rows of their lane."""
    if not items:
        return None
    first = min(item["start"] for item in items).year
    last = max(max(item["start"], item.get("end") or item["start"]) for item in items).year
    last = max(last, first + 1)
    span = (datetime.date(last + 1, 1, 1) - datetime.date(first, 1, 1)).days
    plot = TIMELINE_WIDTH - LEFT - 20

    def x(day):
        return round(LEFT + plot * (day - datetime.date(first, 1, 1)).days / span, 1)

    lanes = []
    top = 30
    marks = []
    for lane, title in LANES:
        in_lane = [item for item in items if item["lane"] == lane]
        rows_end = []  # the end x of the last bar in each sub-row
        for item in in_lane:
            x1 = x(item["start"])
            x2 = max(x(item["end"]) if item.get("end") else x1, x1 + 3)
            row = next((i for i, end in enumerate(rows_end) if end + 2 < x1), None)
            if row is None or item.get("end") is None:
                row = 0 if item.get("end") is None else len(rows_end)
                if item.get("end") is not None:
                    rows_end.append(x2)
            else:
                rows_end[row] = x2
            marks.append(
                {
                    **item,
                    "x": x1,
                    "width": round(x2 - x1, 1),
                    "y": top + LANE_HEIGHT / 2 if item.get("end") is None else top + 8 + row * 9,
                    "point": item.get("end") is None,
                    "date": item["start"].isoformat(),
                }
            )
        height = max(LANE_HEIGHT, 16 + 9 * max(len(rows_end), 1))
        lanes.append({"name": lane, "title": title, "y": top, "height": height, "label_y": top + height / 2 + 4})
        top += height
    years = range(first, last + 1)
    step = max(1, math.ceil(len(years) / 12))
    return {
        "width": TIMELINE_WIDTH,
        "height": top + 30,
        "left": LEFT,
        "axis_y": top,
        "lanes": lanes,
        "marks": marks,
        "years": [{"year": year, "x": x(datetime.date(year, 1, 1))} for year in years if (year - first) % step == 0],
    }


EMBARGO_LABEL_WIDTH = 210
EMBARGO_CELL = 22


def embargo_grid(rows, years, *, shown=12):
    """The deliveries of an embargo page as a grid: a row per counterpart (the ``shown`` with
    the most deliveries, the rest summed in one row), a column per year from the first to the
    last delivery, each cell shaded by the number of deliveries that year (``shade-0`` to
    ``shade-4``: none, 1, 2–3, 4–9, 10 or more; the legend says so)."""
    if not rows or not years:
        return None
    first, last = years[0], years[-1]
    columns = list(range(first, last + 1))
    drawn = [(f"{row['name']} ({row['way']})", row["by_year"]) for row in rows[:shown]]
    if len(rows) > shown:
        others = defaultdict(int)
        for row in rows[shown:]:
            for year, n in row["by_year"].items():
                others[year] += n
        drawn.append((f"{len(rows) - shown} others", dict(others)))

    def shade(n):
        return 0 if n == 0 else 1 if n == 1 else 2 if n <= 3 else 3 if n <= 9 else 4

    cells = []
    for index, (label, by_year) in enumerate(drawn):
        for column, year in enumerate(columns):
            n = by_year.get(year, 0)
            cells.append(
                {
                    "x": EMBARGO_LABEL_WIDTH + column * EMBARGO_CELL,
                    "y": 30 + index * EMBARGO_CELL,
                    "shade": shade(n),
                    "title": f"{label}, {year}: {n} deliver{'y' if n == 1 else 'ies'}",
                }
            )
    step = max(1, math.ceil(len(columns) / 15))
    return {
        "width": EMBARGO_LABEL_WIDTH + len(columns) * EMBARGO_CELL + 10,
        "height": 30 + len(drawn) * EMBARGO_CELL + 30,
        "cell": EMBARGO_CELL - 2,
        "labels": [{"text": label, "y": 30 + i * EMBARGO_CELL + 15} for i, (label, _by_year) in enumerate(drawn)],
        "years": [
            {"year": year, "x": EMBARGO_LABEL_WIDTH + i * EMBARGO_CELL + EMBARGO_CELL / 2}
            for i, year in enumerate(columns)
            if (year - first) % step == 0
        ],
        "axis_y": 30 + len(drawn) * EMBARGO_CELL + 18,
        "cells": cells,
        "legend": [("shade-1", "1"), ("shade-2", "2–3"), ("shade-3", "4–9"), ("shade-4", "10 or more")],
    }
