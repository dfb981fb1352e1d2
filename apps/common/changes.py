"""The change feed: every create, update and delete of a contract record since a moment, so
that a client syncs deltas. It is history machinery: it reads the history table of every
model of the registry, and hides from those who may not see drafts what the API hides.
A page runs a fixed number of queries per model, whatever the amount of history.
"""

from collections import defaultdict

from django.db.models import OuterRef, Q, Subquery

from apps.common.history import changed_link_fields, links_of
from apps.common.meta import BOOKKEEPING, key_paths_to_select, natural_key_of
from apps.common.models import PUBLISHED, CuratedModel
from apps.common.registry import contract_models
from apps.common.roles import sees_drafts

ACTIONS = {"+": "created", "~": "updated", "-": "deleted"}
UNTRACKED_IN_DIFF = {"id", *BOOKKEEPING}


def _model_label(model):
    return model._meta.label_lower


def _history_rows(model, since, after, limit, public_only):
    history = model.history.model
    label = _model_label(model)
    # A range on (history_date, history_id), the index's order, so that a page is read from
    # ``since`` on and stops after ``limit`` rows whatever the history before and after it.
    condition = Q(history_date__gt=since)
    if after is not None:
        after_label, after_id = after
        if label > after_label:
            condition = Q(history_date__gte=since)
        elif label == after_label:
            condition = Q(history_date__gte=since) & (Q(history_date__gt=since) | Q(history_id__gt=after_id))
    previous = history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id")).order_by("-history_id")
    rows = history.objects.filter(condition).annotate(previous_id=Subquery(previous.values("history_id")[:1]))
    if public_only and issubclass(model, CuratedModel):
        # A record shows while published and when it stops being published; what hangs on a
        # draft (a claim on a draft transfer) is as hidden as the API keeps it.
        rows = rows.annotate(previous_status=Subquery(previous.values("review_status")[:1])).filter(
            (Q(review_status=PUBLISHED) | Q(previous_status=PUBLISHED)) & model.parents_published_condition()
        )
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


def changes_since(since, *, after=None, limit, user):
    """Every create, update and delete after ``since``, oldest first, at most ``limit``.

    Changes at the same instant are ordered by model label and history id; ``after``
    (``(label, history_id)`` of the last change a client saw at ``since``) resumes a page
    in the middle of such a tie. Returns ``(changes, has_more)``.
    """
    public_only = not sees_drafts(user)
    candidates = []
    for model in contract_models():
        rows = _history_rows(model, since, after, limit, public_only)
        previous = {
            p.history_id: p
            for p in model.history.model.objects.filter(
                history_id__in=[r.previous_id for r in rows if r.previous_id]
            ).select_related(*key_paths_to_select(model))
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
        # A client without drafts knows the record by the key it had while published: a
        # rename in the same save as the unpublishing must not show the draft's new key.
        shown = prior if action == "unpublished" and prior is not None else row
        key = list(natural_key_of(shown, model.NATURAL_KEY))
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
                "retracted_with_it": [],
            }
        )
    if public_only:
        _add_retracted_dependents(changes)
    return changes, len(candidates) > limit


def _add_retracted_dependents(changes):
    """An unpublished record takes out of public view what hangs on it (``HIDDEN_WITH_DRAFT``:
    the claims of a transfer): list those records in its change, so that a syncing client
    without drafts drops them too. One query per dependent model, whatever the page."""
    retracted = defaultdict(dict)
    for change in changes:
        if change["action"] == "unpublished":
            retracted[change["model"]][change["id"]] = change
    for model in contract_models():
        for path in getattr(model, "HIDDEN_WITH_DRAFT", ()):
            parent = model._meta.get_field(path).related_model._meta.label_lower
            if not retracted.get(parent):
                continue
            dependents = (
                model.objects.published(ignore_parents=True)
                .filter(**{f"{path}_id__in": list(retracted[parent])})
                .select_related(*key_paths_to_select(model))
                .order_by("pk")
            )
            for dependent in dependents:
                retracted[parent][getattr(dependent, f"{path}_id")]["retracted_with_it"].append(
                    {
                        "model": model._meta.label_lower,
                        "id": dependent.pk,
                        "natural_key": list(natural_key_of(dependent, model.NATURAL_KEY)),
                    }
                )
