"""The questions that span apps: a country's profile (DESIGN.md's "mirror view") and the
graph of countries for the pictures. Each runs a fixed number of queries, whatever the
amount of data, and shows ``user`` only what ``visible_to`` lets them read.
"""

from collections import Counter

from django.db.models import Q
from django.utils import timezone

from apps.common.periods import overlapping, transfers_overlapping
from apps.relations.models import Relationship
from apps.resolutions.choices import Position
from apps.resolutions.models import Vote
from apps.sanctions.models import Designation, Regime
from apps.transfers.models import Transfer
from apps.transfers.services import CONTRAVENING, contraventions_for

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


def _flow_counts(transfers):
    by_category = Counter(t.category for t in transfers)
    by_status = Counter(t.status for t in transfers)
    return {
        "total": len(transfers),
        "by_category": dict(sorted(by_category.items())),
        "by_status": dict(sorted(by_status.items())),
    }


def country_profile(country, *, user):
    """Everything the database says about one country (DESIGN.md, "the mirror view")."""
    regimes = Regime.objects.select_related("authority", "target_country")
    votes = list(
        Vote.objects.filter(country=country)
        .select_related("resolution", "country")
        .order_by("resolution__voted_on", "resolution__symbol")
    )
    transfers = list(
        Transfer.objects.visible_to(user)
        .filter(Q(supplier=country) | Q(recipient=country))
        .select_related("supplier", "recipient")
    )
    relationships = (
        Relationship.objects.visible_to(user)
        .filter(Q(country_a=country) | Q(country_b=country))
        .select_related("country_a", "country_b")
    )

    contravened = {}
    contraventions = contraventions_for(transfers, user=user)
    for transfer in transfers:
        for contravention in contraventions[transfer.pk]:
            # A delivery under a cap breaks nothing; a disproven transfer has no findings.
            if contravention.finding not in CONTRAVENING:
                continue
            for item in contravention.resolutions:
                position = item.supplier_position if transfer.supplier_id == country.pk else item.recipient_position
                if position != Position.YES:
                    continue
                entry = contravened.setdefault(
                    item.resolution.pk,
                    {
                        "resolution": item.resolution.symbol,
                        "voted_on": item.resolution.voted_on,
                        "transfers": [],
                        "measures": [],
                        "exceeded_caps": [],
                    },
                )
                if transfer.reference not in entry["transfers"]:
                    entry["transfers"].append(transfer.reference)
                measure = [contravention.regime.code, contravention.measure.code]
                if measure not in entry["measures"]:
                    entry["measures"].append(measure)
                if contravention.cap is not None:
                    # A cap is exceeded once per cap period, whatever the number of deliveries.
                    cap = {
                        "measure": measure,
                        "period_start": contravention.cap.period.start,
                        "period_end": contravention.cap.period.end,
                        "total_low": contravention.cap.total_low,
                        "quantity": contravention.cap.quantity,
                        "unit": contravention.cap.unit,
                    }
                    if cap not in entry["exceeded_caps"]:
                        entry["exceeded_caps"].append(cap)

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
        "transfers_out": _flow_counts([t for t in transfers if t.supplier_id == country.pk]),
        "transfers_in": _flow_counts([t for t in transfers if t.recipient_id == country.pk]),
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
        "contravened_resolutions_voted_for": sorted(
            contravened.values(), key=lambda e: (e["voted_on"] is None, e["voted_on"], e["resolution"])
        ),
    }


# --- the graph ---------------------------------------------------------------------------


def country_graph(*, start=None, end=None, categories=(), user):
    """Countries as nodes; transfers, sanctions (authority → target) and relationships as
    edges, those whose period meets [``start``, ``end``]."""
    transfers = (
        Transfer.objects.visible_to(user)
        .filter(transfers_overlapping(start, end, today=timezone.localdate()))
        .select_related("supplier", "recipient")
    )
    if categories:
        transfers = transfers.filter(category__in=categories)
    regimes = (
        Regime.objects.filter(target_country__isnull=False)
        .filter(overlapping(start, end))
        .select_related("authority__country", "target_country")
    )
    relationships = (
        Relationship.objects.visible_to(user).filter(overlapping(start, end)).select_related("country_a", "country_b")
    )

    nodes = {}

    def country_node(country):
        nodes.setdefault(country.iso2, {"id": country.iso2, "kind": "country", "name": country.name})
        return country.iso2

    def authority_node(authority):
        if authority.country_id:
            return country_node(authority.country)
        node_id = f"authority:{authority.code}"
        nodes.setdefault(node_id, {"id": node_id, "kind": "authority", "name": authority.name})
        return node_id

    edges = []
    for t in transfers:
        edges.append(
            {
                "kind": "transfer",
                "source": country_node(t.supplier),
                "target": country_node(t.recipient),
                "reference": t.reference,
                "category": t.category,
                "status": t.status,
                "started_on": t.started_on,
                "ended_on": t.ended_on,
            }
        )
    for regime in regimes:
        edges.append(
            {
                "kind": "sanctions",
                "source": authority_node(regime.authority),
                "target": country_node(regime.target_country),
                "reference": regime.code,
                "category": None,
                "status": None,
                "started_on": regime.started_on,
                "ended_on": regime.ended_on,
            }
        )
    for r in relationships:
        edges.append(
            {
                "kind": "relationship",
                "source": country_node(r.country_a),
                "target": country_node(r.country_b),
                "reference": r.reference,
                "category": r.kind,
                "status": None,
                "started_on": r.started_on,
                "ended_on": r.ended_on,
            }
        )
    return {"nodes": sorted(nodes.values(), key=lambda n: n["id"]), "edges": edges}
