"""A list page read with ``values()``: the records exactly as the resource's serializer shows
them, without building a model instance or running a serializer field per value.

A ``ListPlan`` reads the serializer's fields once per request and turns each into columns of
one ``values()`` query and a function from a row to the value shown: a local field is its
column (dates, times and decimals through the serializer field's own conversion), a relation
is the related record's natural key (``supplier__iso2``), ``api_url`` is
the detail URL with the lookup value put in, the bookkeeping users are usernames for staff
only, and each many-to-many field is one more query over its link table for the whole page.
What the client may not see stays hidden as the serializer hides it: a draft related record
shows as null, and drafts are left out of many-to-many lists.

On PostgreSQL the page is one query: each many-to-many list whose related records have a
one-column natural key is an ``ARRAY(SELECT ...)`` of the page's row; a relation a row may
lack, to records with a one-column natural key, is a scalar subquery rather than an outer join
(cheaper to plan: ``_related_key_reader``); and the count (up to ``API_EXACT_COUNT_LIMIT`` and
one more) is a scalar subquery the paginator reads off the first row, but for a page kept
compiled, which counts once (``apps.common.api.compiled.CompiledPage``). On SQLite each list
is one more query over its link table, and the count another.

A plan depends only on the serializer, the audience (may it see drafts?), the address the
URLs are built on and the database; it is built once per process for each and kept
(``plan_for``).

A serializer field the plan does not know (or ``?expand=``) makes ``plan_for`` answer None,
and the list takes the serializer's path. ``tests/api/test_list_rows.py`` checks, for every
resource, that both paths give the same records, ``tests/api/test_detail_rows.py`` the
same details.
"""

from urllib.parse import quote

from django.conf import settings
from django.db import connections, router
from django.db.models import IntegerField, OuterRef, Subquery
from django.urls import get_script_prefix
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.relations import HyperlinkedIdentityField, ManyRelatedField
from rest_framework.settings import api_settings

from apps.common.api.fields import NaturalKeyRelatedField
from apps.common.api.serializers import StaffOnlyUsernameField
from apps.common.kept import kept
from apps.common.models import CuratedModel
from apps.common.paging import COUNT_COLUMN
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


def _iso_in_current_zone(field):
    """Does the serializer field show an aware moment in ISO 8601 in the current time zone?"""
    output = getattr(field, "format", api_settings.DATETIME_FORMAT)
    return settings.USE_TZ and isinstance(output, str) and output.lower() == ISO_8601 and not hasattr(field, "timezone")


def _moment(value, zone):
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class BoundedCount(Subquery):
    """``(SELECT count(*) FROM (<queryset> LIMIT n))``: how many rows ``queryset`` matches,
    counted no further than ``n``."""

    template = "(SELECT count(*) FROM (%(subquery)s) AS bounded)"

    def __init__(self, queryset, limit):
        super().__init__(queryset.order_by().values("pk")[:limit], output_field=IntegerField())
        # What it counts, for counting it in a statement of its own (``kept_bounded_count``).
        self.counted, self.limit = queryset, limit

    @property
    def convert_value(self):
        return self._convert_value_noop  # count(*) is an integer on every database: nothing to convert


class ListPlan:
    """How to read one page of a resource: the columns, the readers, the many-to-many lists."""

    def __init__(self, serializer, request, vendor):
        self.model = serializer.Meta.model
        self.request = request
        self.public_only = not sees_drafts(request.user)
        self.in_one_query = vendor == "postgresql"
        self.columns = {"pk"}
        self.readers = []  # (name, function(row) -> value)
        self.many = []  # (name, field), read after the page
        # column: a subquery read with the page (PostgreSQL): ARRAY(SELECT ...) of a many-to-many
        # list, or the natural key of a related record.
        self.subqueries = {}
        for name, field in serializer.fields.items():
            reader = self._reader(name, field)
            if reader is None:
                raise LookupError(name)
            if reader is not ManyRelatedField:
                self.readers.append((name, reader))
            elif self.in_one_query and self._array(name, field):
                column = f"_many_{name}"
                self.readers.append((name, lambda row, column=column: row[column]))
            else:
                self.readers.append((name, None))
                self.many.append((name, field))
        if any(field.name == "version" for field in self.model._meta.concrete_fields):
            self.columns.add("version")  # the ETag of a detail
        # Built for this request's address, kept for every later one (``plan_for``).
        del self.request

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
        if isinstance(field, serializers.DateTimeField) and _iso_in_current_zone(field):
            # As the field shows it (in the current time zone, UTC as "Z"), without its
            # per-value look-up of the zone.
            zone = timezone.get_current_timezone()
            return lambda row: None if row[column] is None else _moment(row[column], zone)
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
        if self.in_one_query and len(related.NATURAL_KEY) == 1 and self.model._meta.get_field(field.source).null:
            return self._related_key_reader(field)
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

    def _related_key_reader(self, field):
        """The related record's natural key (one column) as a scalar subquery of the page's
        row, null when there is none or the client may not see it: for a relation a row may
        lack, which a join would read through a LEFT JOIN. PostgreSQL plans a statement whose
        values are parameters on every run, and the orders it weighs grow with every outer
        join (a page of transfers, two inner and three outer joins: 2.6 ms to plan, 1.5 ms to
        run; its outer joins as subqueries: 0.7 ms and 1.4 ms). A subquery is planned on its
        own and costs little for a row without the relation; a relation every row has stays
        an inner join, cheaper to run than a subquery per row."""
        related = field.related_model
        shown = related._base_manager.filter(pk=OuterRef(f"{field.source}_id"))
        if self.public_only and issubclass(related, CuratedModel):
            shown = shown.filter(related.published_condition())
        column = f"_one_{field.field_name}"
        self.subqueries[column] = Subquery(shown.values(related.NATURAL_KEY[0])[:1])
        return lambda row: row[column]

    # --- reading a page ------------------------------------------------------------------

    def _array(self, name, field):
        """Read the many-to-many list ``name`` with the page, as an array of natural keys,
        when its related records have a one-column key; False when they do not."""
        links, keys = self._links(field)
        if len(keys) != 1:
            return False
        from django.contrib.postgres.expressions import ArraySubquery

        owner = self.model._meta.get_field(field.source).m2m_field_name()
        self.subqueries[f"_many_{name}"] = ArraySubquery(links.filter(**{owner: OuterRef("pk")}).values(keys[0]))
        return True

    def values(self, queryset, counted=True):
        """The queryset of the page's rows (it may be paginated). It is counted as
        ``queryset`` (``counted``): without the joins its columns need; on PostgreSQL, in the
        page's own query (``COUNT_COLUMN``)."""
        plain = queryset.select_related(None).prefetch_related(None)
        extra = dict(self.subqueries)
        if counted and self.in_one_query:
            extra[COUNT_COLUMN] = BoundedCount(plain, settings.API_EXACT_COUNT_LIMIT + 1)
        rows = plain.values(*sorted(self.columns), **extra)
        rows.counted = plain
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

    def _links(self, field):
        """The link rows of many-to-many ``field`` the client may see, in the order the
        related model lists its records (ties by id), and the paths of their natural key."""
        model_field = self.model._meta.get_field(field.source)
        through = model_field.remote_field.through
        target = model_field.m2m_reverse_field_name()
        related = model_field.related_model
        prefix = f"{target}__"
        links = through.objects.all()
        if self.public_only and issubclass(related, CuratedModel):
            links = links.filter(related.published_condition(prefix=prefix))
        ordering = [*(related._meta.ordering or []), "pk"]
        links = links.order_by(*[_prefixed_order(prefix, name) for name in ordering])
        return links, [f"{prefix}{path}" for path in related.NATURAL_KEY]

    def _many_lists(self, field, pks):
        """``{pk: [natural key, ...]}`` of one many-to-many field for the page, in the order
        the related model lists them, drafts left out for those who may not see them."""
        if not pks:
            return {}
        owner = self.model._meta.get_field(field.source).m2m_field_name()
        links, keys = self._links(field)
        lists = {}
        for owner_pk, *key in links.filter(**{f"{owner}__in": pks}).values_list(f"{owner}_id", *keys):
            lists.setdefault(owner_pk, []).append(_key(key))
        return lists


def _prefixed_order(prefix, name):
    return f"-{prefix}{name[1:]}" if name.startswith("-") else f"{prefix}{name}"


# What a kept plan costs in memory, estimated from its readers (one per field of the
# serializer: a closure, and through a field's own conversion the serializer it belongs to)
# and its subqueries (a queryset each). Measured with tracemalloc on the plans of the
# fifteen resources (PostgreSQL): 13 KB (votes) to 133 KB (transfers).
BYTES_PER_PLAN = 16_000
BYTES_PER_READER = 3_500
BYTES_PER_SUBQUERY = 6_000


def plan_for(view, request):
    """The ``ListPlan`` of a list or detail request, or None when the serializer's path must
    serve it. Built once per serializer, audience, address and database and kept in the
    process's store (``apps.common.kept``: addresses come from the Host header)."""
    if request.query_params.get("expand"):
        return None
    serializer_class = view.get_serializer_class()
    vendor = connections[router.db_for_read(serializer_class.Meta.model)].vendor
    key = (
        serializer_class,
        sees_drafts(request.user),
        request.build_absolute_uri("/"),
        get_script_prefix(),
        # DRF carries ``?format=`` into the URLs it builds (``api_url``).
        request.query_params.get(api_settings.URL_FORMAT_OVERRIDE),
        timezone.get_current_timezone_name(),
        vendor,
    )

    def build():
        try:
            return ListPlan(view.get_serializer(), request, vendor)
        except LookupError:
            return None

    return kept("plan", key, build, _size)


def _size(plan):
    if plan is None:
        return BYTES_PER_PLAN
    return BYTES_PER_PLAN + BYTES_PER_READER * len(plan.readers) + BYTES_PER_SUBQUERY * len(plan.subqueries)
