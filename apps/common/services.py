"""The review workflow: only reviewers publish a curated record or return it to draft."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from apps.common.choices import ReviewStatus
from apps.common.roles import is_reviewer


def records_set_review_status(*, queryset, status, user):
    """Set ``review_status`` on every record of ``queryset`` that does not have it yet and
    return how many changed. Each record is saved, so its version, history and
    ``updated_by`` follow."""
    if status not in ReviewStatus.values:
        raise ValueError(f"Unknown review status {status!r}.")
    if not is_reviewer(user):
        raise PermissionDenied("Only reviewers publish records or return them to draft.")
    changed = 0
    # Re-select by pk: the admin's queryset may be DISTINCT, which FOR UPDATE refuses.
    pks = list(queryset.values_list("pk", flat=True))
    records = queryset.model._default_manager.filter(pk__in=pks).exclude(review_status=status)
    with transaction.atomic(using=queryset.db):
        for record in records.select_for_update():
            record.review_status = status
            record.updated_by = user
            record._history_user = user
            record.save()
            changed += 1
    return changed
