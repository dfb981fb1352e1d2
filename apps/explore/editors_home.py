"""The editors' home: the work waiting in the database, each item a link to the changelist
that lists it (the admin's index page shows it above the models)."""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from apps.common.choices import ReviewStatus
from apps.common.models import CuratedModel
from apps.common.registry import contract_models
from apps.transfers.findings import queued_count


@dataclass(frozen=True)
class Waiting:
    """One kind of waiting work: ``count`` records, listed at ``url`` (None: not a page of
    its own)."""

    group: str
    label: str
    count: int
    url: str | None


def _changelist(model, **params):
    try:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(params)}" if params else url


def _may_view(user, model):
    return user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")


# Records an editor should complete: (model label, the changelist's ``missing`` value, label, Q).
INCOMPLETE = (
    ("transfers.transfer", "source", "transfers without a source", Q(sources__isnull=True)),
    ("relations.relationship", "source", "relationships without a source", Q(sources__isnull=True)),
    ("relations.event", "source", "events without a source", Q(sources__isnull=True)),
    ("transfers.claim", "quote", "claims without a quote", Q(quote="")),
    ("transfers.claim", "date", "claims without a date", Q(made_on__isnull=True)),
)


def waiting_work(user):
    """What waits for ``user`` (the kinds of records they may read): drafts to review by kind,
    records missing a source, claims missing a quote or a date, proposals that two list
    entries are one actor, and the transfers whose findings are being recomputed. Only the
    items with something waiting are listed, except the recomputation, always said."""
    items = []
    for model in contract_models():
        if issubclass(model, CuratedModel) and _may_view(user, model):
            n = model._base_manager.filter(review_status=ReviewStatus.DRAFT).count()
            if n:
                label = f"{model._meta.verbose_name_plural} in draft"
                items.append(Waiting("To review", label, n, _changelist(model, review_status__exact="draft")))
    for label, missing, text, condition in INCOMPLETE:
        model = apps.get_model(label)
        if _may_view(user, model):
            n = model._base_manager.filter(condition).values("pk").distinct().count()
            if n:
                items.append(Waiting("To complete", text, n, _changelist(model, missing=missing)))
    proposal = apps.get_model("actors", "MatchProposal")
    if _may_view(user, proposal):
        n = proposal.objects.filter(status="proposed").count()
        if n:
            url = _changelist(proposal, status__exact="proposed")
            items.append(Waiting("To decide", "list entries that may be an actor already stored", n, url))
    items.append(Waiting("Being computed", "transfers whose findings are being recomputed", queued_count(), None))
    return items
