"""The change feed: every create, update and delete of a contract record since a moment, so
that a client syncs deltas. It is history machinery: it reads the history table of every
model of the registry, and hides from those who may not see drafts what the API hides.
A page runs a fixed number of queries, whatever the amount of history: the keys of every
model's next changes (on PostgreSQL one statement, a ``UNION ALL`` of the models' reads,
compiled once per audience, page size and resume point and prepared: ``apps.common.compiled``;
on SQLite one query per model), and, for the models that have changes on the page, their
rows, their previous versions and their links.
"""

import datetime
from collections import defaultdict

from django.db import connections, router
from django.db.models import CharField, OuterRef, Q, Subquery, Value

from apps.common.compiled import PLACEHOLDERS, CompiledRead, kept
from apps.common.history import changed_link_fields, history_model, links_of
from apps.common.meta import BOOKKEEPING, key_paths_to_select, natural_key_of
from apps.common.models import PUBLISHED, CuratedModel
from apps.common.registry import contract_models
from apps.common.roles import sees_drafts

ACTIONS = {"+": "created", "~": "updated", "-": "deleted"}
UNTRACKED_IN_DIFF = {"id", *BOOKKEEPING}


def _model_label(model):
    return model._meta.label_lower


def _history_keys(model, since, after, limit, public_only):
    """``(history_date, history_id, label)`` of the first ``limit + 1`` changes of ``model``
    the client may see, in order (a queryset): only the keys, so that the page is chosen
    across every model before any full row is read."""
    history = history_model(model)
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
    rows = history.objects.filter(condition)
    if public_only and issubclass(model, CuratedModel):
        # A record shows while published and when it stops being published; what hangs on a
        # draft (a claim on a draft transfer) is as hidden as the API keeps it.
        rows = rows.annotate(previous_status=Subquery(_previous(history).values("review_status")[:1])).filter(
            (Q(review_status=PUBLISHED) | Q(previous_status=PUBLISHED)) & model.parents_published_condition()
        )
    rows = rows.annotate(label=Value(label, output_field=CharField()))
    return rows.order_by("history_date", "history_id").values_list("history_date", "history_id", "label")[: limit + 1]


def _keys_of_every_model(since, after, limit, public_only):
    """``(history_date, label, history_id)`` of the first ``limit + 1`` changes of every model:
    on PostgreSQL from one kept statement, elsewhere (or when it cannot be kept) per model."""
    models = contract_models()

    def per_model():
        return [
            (date, label, history_id)
            for model in models
            for date, history_id, label in _history_keys(model, since, after, limit, public_only)
        ]

    alias = router.db_for_read(models[0])
    if connections[alias].vendor != "postgresql":
        return per_model()
    # How each model's read starts, relative to ``after``: the statement's shape (the label
    # itself comes from the client, and only its place among the models' labels matters).
    resume = after and tuple(
        "tie" if _model_label(model) == after[0] else _model_label(model) > after[0] for model in models
    )
    stand_ins = {"since": PLACEHOLDERS[datetime.datetime]}
    if resume and "tie" in resume:
        stand_ins["after"] = PLACEHOLDERS[int]

    def compile_keys():
        stand_in_after = (after[0], stand_ins.get("after", 0)) if after else None
        reads = [_history_keys(model, stand_ins["since"], stand_in_after, limit, public_only) for model in models]
        # Only the page's keys (and one more) are wanted of all the models' keys.
        every = reads[0].union(*reads[1:], all=True).order_by("history_date", "label", "history_id")
        return CompiledRead(every[: limit + 1], stand_ins)

    statement = kept(("changes", public_only, resume, limit, alias), compile_keys)
    if statement is None:
        return per_model()
    values = {"since": since, "after": after[1]} if "after" in stand_ins else {"since": since}
    return [(row["history_date"], row["label"], row["history_id"]) for row in statement.run(**values)]


def _previous(history):
    """The version of the same record just before the outer row (one probe of ``(id, history_id)``)."""
    return history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id")).order_by("-history_id")


def _history_rows(model, history_ids):
    """The full rows of the chosen changes of ``model``, each with its previous version's id."""
    history = history_model(model)
    rows = (
        history.objects.filter(history_id__in=history_ids)
        .annotate(previous_id=Subquery(_previous(history).values("history_id")[:1]))
        .select_related("history_user", *key_paths_to_select(model))
    )
    return {row.history_id: row for row in rows}


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
    by_label = {_model_label(model): model for model in contract_models()}
    candidates = sorted(
        (date, label, history_id, by_label[label])
        for date, label, history_id in _keys_of_every_model(since, after, limit, public_only)
    )
    chosen = defaultdict(list)
    for _, _, history_id, model in candidates[:limit]:
        chosen[model].append(history_id)
    read = {}
    for model, history_ids in chosen.items():
        rows = _history_rows(model, history_ids)
        previous = {
            p.history_id: p
            for p in history_model(model)
            .objects.filter(history_id__in=[r.previous_id for r in rows.values() if r.previous_id])
            .select_related(*key_paths_to_select(model))
        }
        read[model] = (rows, previous, links_of(model, [*rows.values(), *previous.values()]))
    changes = []
    for history_date, label, history_id, model in candidates[:limit]:
        rows, previous, links = read[model]
        row = rows[history_id]
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
