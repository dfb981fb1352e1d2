"""The editors' home: the work waiting in the database, each item a link to the changelist
that lists it (the admin's index page shows it above the models)."""

from dataclasses import dataclass

from django.apps import apps
from django.contrib import admin

from apps.common.admin import changelist_url
from apps.common.admin_filters import missing_conditions
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


def _may_view(user, model):
    return user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")


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
                items.append(Waiting("To review", label, n, changelist_url(model, review_status__exact="draft")))
    # Records an editor should complete: the options of each changelist's "missing" filter.
    for model in contract_models():
        if not (_may_view(user, model) and admin.site.is_registered(model)):
            continue
        for parameter, value, label, condition in missing_conditions(admin.site.get_model_admin(model)):
            n = model._base_manager.filter(condition).values("pk").distinct().count()
            if n:
                text = f"{model._meta.verbose_name_plural} {label}"
                items.append(Waiting("To complete", text, n, changelist_url(model, **{parameter: value})))
    proposal = apps.get_model("actors", "MatchProposal")
    if _may_view(user, proposal):
        n = proposal.objects.filter(status="proposed").count()
        if n:
            url = changelist_url(proposal, status__exact="proposed")
            items.append(Waiting("To decide", "list entries that may be an actor already stored", n, url))
    items.append(Waiting("Being computed", "transfers whose findings are being recomputed", queued_count(), None))
    return items
