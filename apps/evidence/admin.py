from django.contrib import admin

from apps.common.admin import TrackedAdmin
from apps.evidence.models import Source


@admin.register(Source)
class SourceAdmin(TrackedAdmin):
    list_display = ["title", "publisher", "published_on", "kind", "document_symbol", "url"]
    search_fields = ["title", "url", "publisher", "document_symbol"]
    # No date hierarchy: its years are read from every source on each page.
    list_filter = ["kind", "publisher", "language", ("published_on", admin.DateFieldListFilter)]
    fieldsets = [
        (None, {"fields": ["url", "title", "publisher", "published_on", "kind", "document_symbol", "language"]}),
        ("Archive", {"fields": ["archived_url"]}),
        ("For editors", {"fields": ["editor_note"], "description": "Never shown on public pages or in the API."}),
    ]
