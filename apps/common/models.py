"""Abstract base models shared by every app.

``TrackedModel`` gives every record its bookkeeping (when and by whom it was created and
last changed, an edit ``version`` for optimistic locking), its change history and its
natural key. ``CuratedModel`` adds the review status of the records editors curate by hand.
"""

from django.conf import settings
from django.db import models

from apps.common.choices import ReviewStatus
from apps.common.history import TrackedHistory

# The fields every tracked record carries for its bookkeeping, which the record's content is not.
BOOKKEEPING = ("created_at", "updated_at", "created_by", "updated_by", "version")


def resolve_path(instance, path):
    """Follow a ``a__b__c`` lookup path on an instance, returning None past a null relation."""
    value = instance
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def direct_relations(model):
    """The foreign keys of ``model`` other than bookkeeping: what its ``__str__`` may read."""
    return [f.name for f in model._meta.concrete_fields if f.is_relation and f.name not in BOOKKEEPING]


class NaturalKeyManager(models.Manager):
    """Default manager that finds a record by the natural key of the data-model contract.

    The model lists its key as ``NATURAL_KEY``, a tuple of lookup paths; a key that spans a
    relation (``("resolution__symbol", "paragraph")``) is written flat in fixtures, as
    ``["S/RES/1718 (2006)", "8(b)"]``.
    """

    def get_by_natural_key(self, *key):
        values = self.model.normalize_natural_key(key)
        if len(values) != len(self.model.NATURAL_KEY):
            raise self.model.DoesNotExist(
                f"{self.model._meta.label} natural key needs {len(self.model.NATURAL_KEY)} values, got {list(key)!r}"
            )
        return self.get(**dict(zip(self.model.NATURAL_KEY, values, strict=True)))


class TrackedModel(models.Model):
    """Bookkeeping every record carries.

    ``created_at`` and ``updated_at`` are filled by a ``pre_save`` signal rather than
    ``auto_now`` so that raw saves (``loaddata``) fill them too; ``version`` goes up by one
    on every change and is what the admin and the API compare to refuse a stale edit.
    """

    NATURAL_KEY: tuple[str, ...] = ()
    # Strip these string fields on save; codes and references are compared trimmed.
    TRIMMED_FIELDS: tuple[str, ...] = ()

    created_at = models.DateTimeField(editable=False, db_index=True)
    updated_at = models.DateTimeField(editable=False, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    history = TrackedHistory(inherit=True)

    objects = NaturalKeyManager()

    class Meta:
        abstract = True

    def natural_key(self):
        return tuple(resolve_path(self, path) for path in self.NATURAL_KEY)

    @classmethod
    def normalize_natural_key(cls, key):
        return tuple(value.strip() if isinstance(value, str) else value for value in key)

    @classmethod
    def contract_field_names(cls):
        """Concrete fields and many-to-many fields other than bookkeeping."""
        fields = [f.name for f in cls._meta.concrete_fields if f.name != "id" and f.name not in BOOKKEEPING]
        return fields + [f.name for f in cls._meta.many_to_many]


class CuratedModel(TrackedModel):
    """A record editors curate by hand: it starts as a draft and a reviewer publishes it.

    Drafts are visible to editors and reviewers only.
    """

    # A further condition a published record must meet to be public, as a Q over the model
    # (a claim about a draft transfer stays out of public view with the transfer).
    PUBLIC_ALSO = None

    review_status = models.CharField(
        max_length=16,
        choices=ReviewStatus.choices,
        default=ReviewStatus.DRAFT,
        db_index=True,
    )

    class Meta:
        abstract = True


def validate_date_range(errors, start, end, start_field="started_on", end_field="ended_on"):
    """Add an error on ``end_field`` when it precedes ``start_field``."""
    if start and end and end < start:
        errors.setdefault(end_field, []).append(f"{end_field} ({end}) is before {start_field} ({start}).")


def date_range_constraint(name, start="started_on", end="ended_on"):
    return models.CheckConstraint(
        condition=models.Q(**{f"{start}__isnull": True})
        | models.Q(**{f"{end}__isnull": True})
        | models.Q(**{f"{end}__gte": models.F(start)}),
        name=name,
        violation_error_message=f"{end} must not be before {start}.",
    )
