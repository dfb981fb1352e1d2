"""Abstract base models shared by every app.

``TrackedModel`` gives every record its bookkeeping (when and by whom it was created and
last changed, an edit ``version`` for optimistic locking), its change history and its
natural key. ``CuratedModel`` adds the review status of the records editors curate by hand,
and with it the one rule of who sees what: ``Model.objects.visible_to(user)``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.common.choices import ReviewStatus
from apps.common.history import TrackedHistory
from apps.common.meta import BOOKKEEPING, natural_key_of
from apps.common.roles import sees_drafts

PUBLISHED = ReviewStatus.PUBLISHED


class TrackedQuerySet(models.QuerySet):
    """Records every reader may see: nothing of a tracked record is a draft."""

    def visible_to(self, user):
        """The records ``user`` may read (anyone reads every non-curated record)."""
        return self


class CuratedQuerySet(TrackedQuerySet):
    """Curated records: drafts are seen by editors and reviewers only."""

    def published(self, *, ignore_parents=False):
        """The records anyone may read: published, and not hanging on a draft (with
        ``ignore_parents``: published themselves, whatever they hang on)."""
        if ignore_parents:
            return self.filter(review_status=PUBLISHED)
        return self.filter(self.model.published_condition())

    def visible_to(self, user):
        return self if sees_drafts(user) else self.published()


class NaturalKeyManager(models.Manager.from_queryset(TrackedQuerySet)):
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


class CuratedManager(NaturalKeyManager.from_queryset(CuratedQuerySet)):
    pass


class TrackedModel(models.Model):
    """Bookkeeping every record carries.

    ``created_at`` and ``updated_at`` are filled by a ``pre_save`` signal rather than
    ``auto_now`` so that raw saves (``loaddata``) fill them too; ``version`` goes up by one
    on every change and is what the admin and the API compare to refuse a stale edit.
    """

    NATURAL_KEY: tuple[str, ...] = ()
    # A table that grows to hundreds of thousands of rows or more (docs/data-model.md, "Large
    # tables"): every list, filter and search reads it through an index
    # (tests/api/test_query_plans.py).
    LARGE_TABLE = False
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
        return natural_key_of(self, self.NATURAL_KEY)

    def is_visible_to(self, user):
        """Whether ``user`` may read this record (``visible_to`` for one record in memory)."""
        return True

    @classmethod
    def normalize_natural_key(cls, key):
        return tuple(value.strip() if isinstance(value, str) else value for value in key)

    @classmethod
    def contract_field_names(cls):
        """Concrete fields and many-to-many fields other than bookkeeping and the ``EDITORS_ONLY``
        fields (read in the admin only: never in the API, its filters or its CSV)."""
        hidden = {"id", *BOOKKEEPING, *getattr(cls, "EDITORS_ONLY", ())}
        fields = [f.name for f in cls._meta.concrete_fields if f.name not in hidden]
        return fields + [f.name for f in cls._meta.many_to_many]


class CuratedModel(TrackedModel):
    """A record editors curate by hand: it starts as a draft and a reviewer publishes it.

    Drafts are visible to editors and reviewers only.
    """

    # Relations to curated records whose draft hides this one as well: a claim about a draft
    # transfer stays out of public view with the transfer (``("transfer",)``).
    HIDDEN_WITH_DRAFT: tuple[str, ...] = ()

    review_status = models.CharField(
        max_length=16,
        choices=ReviewStatus.choices,
        default=ReviewStatus.DRAFT,
        db_index=True,
    )

    objects = CuratedManager()

    class Meta:
        abstract = True

    @classmethod
    def review_status_paths(cls, prefix=""):
        """The review statuses that must all be published for anyone to read a record through
        the relation ``prefix`` (``"transfer__"``): its own, then those of what it hangs on
        (``HIDDEN_WITH_DRAFT``). The one spelling of the rule: the querysets, the change feed
        and the API's list rows all ask here."""
        return [f"{prefix}review_status", *(f"{prefix}{path}__review_status" for path in cls.HIDDEN_WITH_DRAFT)]

    @classmethod
    def published_condition(cls, prefix=""):
        """The condition a record meets when anyone may read it, through the relation
        ``prefix``: published, and nothing it hangs on is a draft. The history tables have the
        same columns, so the change feed asks this of them too."""
        return Q(**{f"{prefix}review_status": PUBLISHED}) & cls.parents_published_condition(prefix)

    @classmethod
    def parents_published_condition(cls, prefix=""):
        """Every relation in ``HIDDEN_WITH_DRAFT`` is published."""
        condition = Q()
        for path in cls.review_status_paths(prefix)[1:]:
            condition &= Q(**{path: PUBLISHED})
        return condition

    def is_visible_to(self, user):
        if self.review_status == PUBLISHED and all(
            getattr(self, path).review_status == PUBLISHED for path in self.HIDDEN_WITH_DRAFT
        ):
            return True
        return sees_drafts(user)


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


class DataVersion(models.Model):
    """The version of the data: one number, raised by a database trigger in the same
    transaction as every write to the data (``apps.common.dataversion``), whoever the writer
    is — the app, ``import_data`` in another process, ``psql``. Answers derived from the data
    (pages, profiles, findings' inputs) are kept under it, so none outlives a write; a read
    replica holds the version its data is at."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField()

    class Meta:
        db_table = "common_dataversion"

    def __str__(self):
        return str(self.version)


class TableVersion(models.Model):
    """The version of one table of the data, raised by the same trigger as the data version,
    in the same transaction, by a write to that table only (``apps.common.dataversion``). An
    answer made of a few tables (the graph of countries) is kept under theirs, so a write to
    any other table (a source's title, a claim's quote) leaves it kept."""

    name = models.CharField(primary_key=True, max_length=63)
    version = models.BigIntegerField()

    class Meta:
        db_table = "common_tableversion"

    def __str__(self):
        return f"{self.name} {self.version}"
