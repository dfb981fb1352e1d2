import re

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Q

from apps.actors.models import Actor, valid_imo
from apps.common.filters import BaseFilterSet, MultiValueFilter

IDENTIFIER_KEY = re.compile(r"^[A-Za-z0-9_]+$")


class ActorFilterSet(BaseFilterSet):
    identifier = MultiValueFilter(
        method="filter_identifier",
        help_text='A list identifier as "key:value", e.g. un_ref:KPi.033 or ofac_uid:9345',
    )

    imo = MultiValueFilter(
        method="filter_imo",
        help_text='A vessel\'s IMO number, e.g. 9176187 (or "IMO 9176187"); repeat for several',
    )

    search_fields = ("slug", "name", "aliases", "role", "description")
    unfiltered = {
        "aliases": "a list; searched by q",
        "description": "free text; searched by q",
        "identifiers": "an object; filtered by ?identifier=key:value",
        "flags": "a vessel's flags with dates; its present flag is its country (?country=), a vessel is found by ?imo=",
    }

    class Meta(BaseFilterSet.Meta):
        model = Actor

    def filter_identifier(self, queryset, name, value):
        # PostgreSQL: containment (``identifiers @> {"un_ref": "KPi.033"}``), which the GIN
        # index on identifiers answers; SQLite has no containment and reads the key.
        contains = connections[queryset.db].vendor == "postgresql"
        condition = Q()
        for item in value:
            key, _, wanted = item.partition(":")
            if IDENTIFIER_KEY.match(key) and wanted:
                if contains:
                    condition |= Q(identifiers__contains={key: wanted})
                else:
                    condition |= Q(**{f"identifiers__{key}": wanted})
        return queryset.filter(condition) if condition else queryset.none()

    def filter_imo(self, queryset, name, value):
        # Written as lists write it ("IMO 9176187"); a number that is not one matches nothing.
        numbers = set()
        for item in value:
            try:
                numbers.add(valid_imo(item))
            except ValidationError:
                continue
        return queryset.filter(imo__in=sorted(numbers)) if numbers else queryset.none()
