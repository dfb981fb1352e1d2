from apps.common.filters import BaseFilterSet
from apps.evidence.models import Source


class SourceFilterSet(BaseFilterSet):
    search_fields = ("url", "title", "publisher", "document_symbol")

    class Meta(BaseFilterSet.Meta):
        model = Source
