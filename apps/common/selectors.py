"""The read-only questions the API answers across apps: a country's profile, the graph of
countries for the pictures, and the change feed. Each runs a fixed number of queries,
whatever the amount of data, and hides drafts when ``public_only``.
"""

from collections import Counter

from django.db.models import OuterRef, Q, Subquery

from apps.actors.models import Actor
from apps.common.api.fields import key_paths_to_select
from apps.common.choices import ReviewStatus
from apps.common.history import changed_link_fields, links_of
from apps.common.models import CuratedModel, resolve_path
from apps.evidence.models import Source
from apps.geo.models import Country
from apps.relations.models import Event, Relationship, Statement
from apps.resolutions.choices import Position
from apps.resolutions.models import Provision, Resolution, Vote
from apps.sanctions.models import Authority, Designation, Measure, Regime
from apps.transfers.models import Claim, Transfer
from apps.transfers.services import contraventions_for

TRACKED_MODELS = (
    Country,
    Actor,
    Source,
    Resolution,
    Vote,
    Provision,
    Authority,
    Regime,
    Measure,
    Designation,
    Transfer,
    Claim,
    Relationship,
    Event,
    Statement,
)

PUBLISHED = ReviewStatus.PUBLISHED


def _visible(queryset, public_only):
    return queryset.filter(review_status=PUBLISHED) if public_only else queryset


def _in_period(queryset, start, end):
    """Standing records (regimes, relationships) in force at some time in [start, end];
    an empty ``ended_on`` means still in force."""
    if start:
        queryset = queryset.filter(Q(ended_on__gte=start) | Q(ended_on__isnull=True))
    if end:
        queryset = queryset.filter(Q(started_on__lte=end) | Q(started_on__isnull=True))
    return queryset


def _transfers_in_period(queryset, start, end):
    """Transfers whose dates meet [start, end]; a single date is both ends, as in the
    contraventions service."""
    if start:
        queryset = queryset.filter(Q(ended_on__gte=start) | Q(ended_on__isnull=True, started_on__gte=start))
    if end:
        queryset = queryset.filter(Q(started_on__lte=end) | Q(started_on__isnull=True, ended_on__lte=end))
    return queryset


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


def country_profile(country, *, public_only):
    """Everything the database says about one country (DESIGN.md, "the mirror view")."""
    regimes = Regime.objects.select_related("authority", "target_country")
    votes = list(
        Vote.objects.filter(country=country)
        .select_related("resolution", "country")
        .order_by("resolution__voted_on", "resolution__symbol")
    )
    transfers = list(
        _visible(Transfer.objects.filter(Q(supplier=country) | Q(recipient=country)), public_only).select_related(
            "supplier", "recipient"
        )
    )
    relationships = _visible(
        Relationship.objects.filter(Q(country_a=country) | Q(country_b=country)), public_only
    ).select_related("country_a", "country_b")

    contravened = {}
    contraventions = contraventions_for(transfers)
    for transfer in transfers:
        for contravention in contraventions[transfer.pk]:
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
                    },
                )
                if transfer.reference not in entry["transfers"]:
                    entry["transfers"].append(transfer.reference)
                measure = [contravention.regime.code, contravention.measure.code]
                if measure not in entry["measures"]:
                    entry["measures"].append(measure)

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


def country_graph(*, start=None, end=None, categories=(), public_only):
    """Countries as nodes; transfers, sanctions (authority → target) and relationships as edges."""
    transfers = _transfers_in_period(_visible(Transfer.objects.all(), public_only), start, end).select_related(
        "supplier", "recipient"
    )
    if categories:
        transfers = transfers.filter(category__in=categories)
    regimes = _in_period(Regime.objects.filter(target_country__isnull=False), start, end).select_related(
        "authority__country", "target_country"
    )
    relationships = _in_period(_visible(Relationship.objects.all(), public_only), start, end).select_related(
        "country_a", "country_b"
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


# --- the change feed ---------------------------------------------------------------------

ACTIONS = {"+": "created", "~": "updated", "-": "deleted"}
UNTRACKED_IN_DIFF = {"id", "created_at", "updated_at", "created_by", "updated_by", "version"}


def _model_label(model):
    return model._meta.label_lower


def _history_rows(model, since, after, limit, public_only):
    history = model.history.model
    label = _model_label(model)
    condition = Q(history_date__gt=since)
    if after is not None:
        after_label, after_id = after
        if label > after_label:
            condition |= Q(history_date=since)
        elif label == after_label:
            condition |= Q(history_date=since, history_id__gt=after_id)
    previous = history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id")).order_by("-history_id")
    rows = history.objects.filter(condition).annotate(previous_id=Subquery(previous.values("history_id")[:1]))
    if public_only and issubclass(model, CuratedModel):
        rows = rows.annotate(previous_status=Subquery(previous.values("review_status")[:1])).filter(
            Q(review_status=PUBLISHED) | Q(previous_status=PUBLISHED)
        )
        if model.PUBLIC_ALSO is not None:
            # What hangs on a draft (a claim on a draft transfer) is as hidden as the API keeps it.
            rows = rows.filter(model.PUBLIC_ALSO)
    rows = rows.select_related("history_user", *key_paths_to_select(model)).order_by("history_date", "history_id")
    return list(rows[: limit + 1])


def _changed_fields(model, row, previous, links):
    if previous is None:
        return []
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.name not in UNTRACKED_IN_DIFF and getattr(row, field.attname) != getattr(previous, field.attname)
    ] + changed_link_fields(model, row, previous, links)


def changes_since(since, *, after=None, limit, public_only):
    """Every create, update and delete after ``since``, oldest first, at most ``limit``.

    Changes at the same instant are ordered by model label and history id; ``after``
    (``(label, history_id)`` of the last change a client saw at ``since``) resumes a page
    in the middle of such a tie. Returns ``(changes, has_more)``.
    """
    candidates = []
    for model in TRACKED_MODELS:
        rows = _history_rows(model, since, after, limit, public_only)
        previous = {
            p.history_id: p
            for p in model.history.model.objects.filter(history_id__in=[r.previous_id for r in rows if r.previous_id])
        }
        links = links_of(model, [*rows, *previous.values()])
        for row in rows:
            candidates.append((row.history_date, _model_label(model), row.history_id, model, row, previous, links))
    candidates.sort(key=lambda c: c[:3])
    changes = []
    for history_date, label, history_id, model, row, previous, links in candidates[:limit]:
        prior = previous.get(row.previous_id)
        action = ACTIONS[row.history_type]
        if (
            public_only
            and issubclass(model, CuratedModel)
            and row.review_status != PUBLISHED
            and row.history_type != "-"
        ):
            action = "unpublished"
        key = [resolve_path(row, path) for path in model.NATURAL_KEY]
        changes.append(
            {
                "model": label,
                "id": row.id,
                "natural_key": key,
                "action": action,
                "user": row.history_user.get_username() if row.history_user else None,
                "time": history_date,
                "changed_fields": _changed_fields(model, row, prior, links) if row.history_type == "~" else [],
                "history_id": history_id,
            }
        )
    return changes, len(candidates) > limit
