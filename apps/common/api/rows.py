"""A list page read with ``values()``: the records exactly as the resource's serializer shows
them, without building a model instance or running a serializer field per value.

A ``ListPlan`` reads the serializer's fields once per request and turns each into columns of
one ``values()`` query and a function from a row to the value shown: a local field is its
column (dates, times and decimals through the serializer field's own conversion), a relation
is the related record's natural key read through a join (``supplier__iso2``), ``api_url`` is
the detail URL with the lookup value put in, the bookkeeping users are usernames for staff
only, and each many-to-many field is one more query over its link table for the whole page.
What the client may not see stays hidden as the serializer hides it: a draft related record
shows as null, and drafts are left out of many-to-many lists.

A serializer field the plan does not know (or ``?expand=``) makes ``plan_for`` answer None,
and the list takes the serializer's path. ``tests/api/test_list_rows.py`` checks, for every
resource, that both paths give the same records.
"""

from urllib.parse import quote

from rest_framework import ISO_8601, serializers
from rest_framework.relations import HyperlinkedIdentityField, ManyRelatedField
from rest_framework.settings import api_settings

from apps.common.api.fields import NaturalKeyRelatedField
from apps.common.api.serializers import StaffOnlyUsernameField
from apps.common.models import CuratedModel
from apps.common.roles import sees_drafts

# Serializer fields whose value shows as the column holds it (a string, number, boolean,
# list or object): no conversion per value.
AS_STORED = (serializers.CharField, serializers.IntegerField, serializers.BooleanField, serializers.ChoiceField)
# Serializer fields whose own conversion runs on each value that is not null.
CONVERTED = (
    serializers.DateTimeField,
    serializers.DecimalField,
    serializers.FloatField,
    serializers.ListField,
    serializers.DictField,
    serializers.JSONField,
)
# Characters Django's ``reverse`` leaves unquoted in a path (RFC 3986 sub-delimiters and more).
PATH_SAFE = "!$&'()*+,;=/~:@"


def _key(values):
    return values[0] if len(values) == 1 else list(values)


def _visibility_columns(model, prefix):
    """The review statuses that decide whether a related curated record is visible."""
    if not issubclass(model, CuratedModel):
        return []
    return model.review_status_paths(prefix)


def _published(row, columns):
    return all(row[column] == "published" for column in columns)


class ListPlan:
    """How to read one page of a resource: the columns, the readers, the many-to-many lists."""

    def __init__(self, serializer, request):
        self.model = serializer.Meta.model
        self.request = request
        self.public_only = not sees_drafts(request.user)
        self.columns = {"pk"}
        self.readers = []  # (name, function(row) -> value)
        self.many = []  # (name, field), read after the page
        for name, field in serializer.fields.items():
            reader = self._reader(name, field)
            if reader is None:
                raise LookupError(name)
            if reader is not ManyRelatedField:
                self.readers.append((name, reader))
            else:
                self.readers.append((name, None))
                self.many.append((name, field))

    # --- the readers of one field --------------------------------------------------------

    def _reader(self, name, field):
        if field.write_only:
            return lambda row: None
        if isinstance(field, HyperlinkedIdentityField):
            return self._url_reader(field)
        if isinstance(field, StaffOnlyUsernameField):
            if self.public_only:
                return lambda row: None
            column = f"{field.source}__username"
            self.columns.add(column)
            return lambda row: row[column]
        if isinstance(field, ManyRelatedField):
            return ManyRelatedField if isinstance(field.child_relation, NaturalKeyRelatedField) else None
        if isinstance(field, NaturalKeyRelatedField):
            return self._relation_reader(field)
        if isinstance(field, serializers.ModelField) or "." in field.source or field.source == "*":
            return None
        column = field.source
        self.columns.add(column)
        if isinstance(field, AS_STORED):
            return lambda row: row[column]
        if isinstance(field, serializers.DateField) and not isinstance(field, serializers.DateTimeField):
            if getattr(field, "format", api_settings.DATE_FORMAT) != ISO_8601:
                return None
            return lambda row: None if row[column] is None else row[column].isoformat()
        if isinstance(field, CONVERTED):
            to_representation = field.to_representation
            return lambda row: None if row[column] is None else to_representation(row[column])
        return None

    def _url_reader(self, field):
        lookup = field.lookup_field
        placeholder = "1234567890" if lookup == "pk" else "lookup-placeholder"
        url = field.reverse(
            field.view_name, kwargs={field.lookup_url_kwarg: placeholder}, request=self.request, format=None
        )
        head, tail = url.rsplit(placeholder, 1)
        column = "pk" if lookup == "pk" else lookup
        self.columns.add(column)
        return lambda row: f"{head}{quote(str(row[column]), safe=PATH_SAFE)}{tail}"

    def _relation_reader(self, field):
        related = field.related_model
        prefix = f"{field.source}__"
        keys = [f"{prefix}{path}" for path in related.NATURAL_KEY]
        hidden = _visibility_columns(related, prefix) if self.public_only else []
        # The foreign key's own column by its attname: a column named like the relation would
        # make an ordering by the relation (``["resolution", ...]``) sort by the id.
        source = f"{field.source}_id"
        self.columns.update([source, *keys, *hidden])

        def read(row):
            if row[source] is None or (hidden and not _published(row, hidden)):
                return None
            return _key([row[key] for key in keys])

        return read

    # --- reading a page ------------------------------------------------------------------

    def values(self, queryset):
        """The queryset of the page's rows (it may be paginated). It is counted as
        ``queryset`` (``counted``): without the joins its columns need."""
        rows = queryset.select_related(None).prefetch_related(None).values(*sorted(self.columns))
        rows.counted = queryset.select_related(None).prefetch_related(None)
        return rows

    def rows(self, page):
        """The records of ``page`` (rows of ``values``), as the serializer shows them."""
        page = list(page)
        lists = {name: self._many_lists(field, [row["pk"] for row in page]) for name, field in self.many}
        records = []
        for row in page:
            record = {}
            for name, reader in self.readers:
                record[name] = lists[name].get(row["pk"], []) if reader is None else reader(row)
            records.append(record)
        return records

    def _many_lists(self, field, pks):
        """``{pk: [natural key, ...]}`` of one many-to-many field for the page, in the order
        the related model lists them, drafts left out for those who may not see them."""
        if not pks:
            return {}
        model_field = self.model._meta.get_field(field.source)
        through = model_field.remote_field.through
        owner = model_field.m2m_field_name()
        target = model_field.m2m_reverse_field_name()
        related = model_field.related_model
        prefix = f"{target}__"
        links = through.objects.filter(**{f"{owner}__in": pks})
        if self.public_only and issubclass(related, CuratedModel):
            links = links.filter(related.published_condition(prefix=prefix))
        ordering = [*(related._meta.ordering or []), "pk"]
        links = links.order_by(*[_prefixed_order(prefix, name) for name in ordering])
        keys = [f"{prefix}{path}" for path in related.NATURAL_KEY]
        lists = {}
        for owner_pk, *key in links.values_list(f"{owner}_id", *keys):
            lists.setdefault(owner_pk, []).append(_key(key))
        return lists


def _prefixed_order(prefix, name):
    return f"-{prefix}{name[1:]}" if name.startswith("-") else f"{prefix}{name}"


def plan_for(view, request):
    """The ``ListPlan`` of a list request, or None when the serializer's path must serve it."""
    if request.query_params.get("expand"):
        return None
    serializer = view.get_serializer()
    try:
        return ListPlan(serializer, request)
    except LookupError:
        return None
