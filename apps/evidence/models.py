"""Sources: the documents every claim, transfer and designation rests on."""

from django.db import models

from apps.common.models import TrackedModel
from apps.evidence.choices import SourceKind


class Source(TrackedModel):
    """A document a researcher can open and check: a news article, a UN document, a
    government release, a report or a data set. Identified by its URL."""

    LARGE_TABLE = True
    NATURAL_KEY = ("url",)
    TRIMMED_FIELDS = ("url", "title", "document_symbol")
    # Read in the admin only: never on a public page or in the API.
    EDITORS_ONLY = ("editor_note",)

    url = models.URLField("URL", max_length=1000, unique=True)
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=200, blank=True, db_index=True)
    published_on = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=32, choices=SourceKind.choices, default=SourceKind.NEWS, db_index=True)
    document_symbol = models.CharField(max_length=64, blank=True, db_index=True, help_text='e.g. "S/2024/215".')
    language = models.CharField(max_length=16, blank=True, default="en", db_index=True)
    archived_url = models.URLField("archived URL", max_length=1000, blank=True, db_index=True)
    editor_note = models.TextField(
        blank=True,
        help_text="For editors only: how the source was found or what it lacks (no headline, an inferred "
        "date). Never shown on public pages or in the API.",
    )

    class Meta:
        ordering = ["-published_on", "title"]
        indexes = [models.Index(fields=["-published_on", "title"], name="source_in_order")]

    def __str__(self):
        label = self.title or self.url
        return f"{label} ({self.publisher})" if self.publisher else label
