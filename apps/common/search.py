"""Free-text search over a model's fields, shaped so that PostgreSQL answers it from indexes.

``search_condition(model, fields, text)`` matches records where any of ``fields`` contains
``text`` (case-insensitive). A field of the model itself is a ``icontains`` on its column,
which the trigram indexes of ``trigram_index_operations`` serve (GIN, ``gin_trgm_ops``, on
``UPPER(column)``, the expression Django's ``icontains`` compares on PostgreSQL). A field
across a foreign key (``supplier__name``) becomes ``supplier IN (the related records that
match)``: a condition on the model's own column, so that the whole search is one OR of index
scans instead of a join that must read every row. SQLite, the embedded store for small data,
runs the same conditions without those indexes.

``ranked(queryset, fields, text)`` orders the matches by relevance (``relevance``, highest
first): a field's weight is its place in what a researcher searches for — a record's own key
or name (``WEIGHT_A``: the reference, the name, the symbol) above its short texts
(``WEIGHT_B``: items, role, publisher) above its long ones (``WEIGHT_C``: description, quote,
summary) — and within a field an exact match above a prefix above a match anywhere. On
PostgreSQL the full-text rank of the words (``SearchRank`` of a weighted ``SearchVector``,
the ``simple`` configuration: names are not stemmed) is added, so that a record naming every
word ranks above one naming only some. Ties keep the list's own order. The matches ranked are
bounded (``RANKED_CANDIDATES``), so a search costs the same whatever the number of matches.
"""

import functools

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.exceptions import EmptyResultSet
from django.db import connections, migrations
from django.db.models import Case, CharField, F, FloatField, IntegerField, Q, TextField, Value, When
from django.db.models.functions import Cast

from apps.common.cache import cached_answer
from apps.common.paging import COUNT_COLUMN, kept_bounded_count

# Matching related records looked up first and sent as a list, up to this many.
RELATED_MATCHES_AS_VALUES = 1000


def search_condition(model, fields, text):
    """The condition: any of ``fields`` (lookup paths) contains ``text``."""
    condition = Q()
    related_fields = {}
    for path in fields:
        head, _, rest = path.partition("__")
        field = model._meta.get_field(head)
        if rest and field.many_to_one:
            related_fields.setdefault(head, []).append(rest)
        else:
            condition |= Q(**{f"{path}__icontains": text})
    # Foreign keys to the same model searched in the same fields (a transfer's supplier and
    # recipient by name) share one lookup of the matching records.
    by_target = {}
    for head, rests in related_fields.items():
        related = model._meta.get_field(head).related_model
        by_target.setdefault((related, tuple(rests)), []).append(head)
    for (related, rests), heads in by_target.items():
        matching = related._base_manager.filter(search_condition(related, rests, text)).values_list("pk", flat=True)
        # A short list is sent as values (``= ANY(...)``, which an index answers inside an OR);
        # a long one stays a subquery.
        found = list(matching[: RELATED_MATCHES_AS_VALUES + 1])
        if len(found) <= RELATED_MATCHES_AS_VALUES:
            matching = found
        for head in heads:
            condition |= Q(**{f"{head}__in": matching})
    return condition


WEIGHT_A = ("reference", "slug", "code", "symbol", "iso2", "iso3", "name", "official_name", "title", "url")
# Points of a match in a field of each weight: (exact, prefix, anywhere).
POINTS = {"A": (100.0, 40.0, 20.0), "B": (16.0, 8.0, 6.0), "C": (4.0, 2.0, 2.0)}
# The full-text rank (0 to 1) counts as many points as this.
FULL_TEXT_POINTS = 30.0


def field_weight(field):
    """``A``, ``B`` or ``C``: how much a match in ``field`` says the record is the one sought."""
    if field.name in WEIGHT_A:
        return "A"
    return "C" if isinstance(field, TextField) else "B"


def _text_fields(model, fields):
    """The model's own text fields among ``fields`` (lookup paths), with their weights."""
    found = []
    for path in fields:
        if "__" in path:
            continue
        field = model._meta.get_field(path)
        if isinstance(field, CharField | TextField):
            found.append((path, field_weight(field)))
    return found


def relevance(model, fields, text, *, vendor):
    """The relevance of a record of ``model`` to ``text`` (an expression; see the module)."""
    weighted = _text_fields(model, fields)
    points = []
    for path, weight in weighted:
        exact, prefix, anywhere = POINTS[weight]
        points.append(
            Case(
                When(**{f"{path}__iexact": text}, then=Value(exact)),
                When(**{f"{path}__istartswith": text}, then=Value(prefix)),
                When(**{f"{path}__icontains": text}, then=Value(anywhere)),
                default=Value(0.0),
                output_field=FloatField(),
            )
        )
    score = Value(0.0, output_field=FloatField())
    for part in points:
        score = score + part
    if vendor == "postgresql" and points:
        vector = None
        for path, weight in weighted:
            part = SearchVector(Cast(F(path), TextField()), weight=weight, config="simple")
            vector = part if vector is None else vector + part
        query = SearchQuery(text, search_type="websearch", config="simple")
        score = score + SearchRank(vector, query) * Value(FULL_TEXT_POINTS)
    return score


# At most this many matches are ranked: the first in the list's own order, and those whose
# key or name is the text or starts with it. A common word matches a tenth of a million
# transfers; ranking them all would cost every search hundreds of milliseconds.
RANKED_CANDIDATES = 200


def ranked(queryset, fields, text):
    """``queryset`` annotated with its ``relevance`` to ``text`` and ordered by it, highest
    first, then by its own order (or ``pk``). The matches ranked are ``RANKED_CANDIDATES``
    of them in the list's order, with those whose key or name (a ``WEIGHT_A`` field) is
    ``text`` or begins with it; the others follow them in the list's order. Every match is in
    the answer.

    A page of it (a slice, ``RankedSlicing``) is read in two parts, so that no statement
    sorts every match: the candidates' keys in their ranked order, then the page's rows among
    the candidates by key and those past them in the list's order, which an index on that
    order answers by reading only as far as the page. The same rows, in the same order, as
    one statement ordered by ``relevance`` would give (the queryset read whole, unsliced,
    is that statement)."""
    model = queryset.model
    vendor = connections[queryset.db].vendor
    then = list(queryset.query.order_by or model._meta.ordering or []) or ["pk"]
    first = queryset.order_by(*then).values("pk")[:RANKED_CANDIDATES]
    named = Q()
    for path, weight in _text_fields(model, fields):
        if weight == "A":
            named |= Q(**{f"{path}__istartswith": text})
    candidates = Q(pk__in=first)
    named_first = None
    if named:
        named_first = queryset.filter(named).order_by(*then).values("pk")[:RANKED_CANDIDATES]
        candidates |= Q(pk__in=named_first)
    # Every match stays in the answer (its count and its pages); the others rank after the
    # candidates, in the list's order.
    points = relevance(model, fields, text, vendor=vendor)
    found = queryset.annotate(relevance=_scored(candidates, points)).order_by("-relevance", *then)
    found.__class__ = _ranked_class(type(queryset))
    found._ranking = (first, named_first, points, then)
    return found


def _scored(candidates, points):
    """The relevance of a match: its ``points`` among the ``candidates``, -1 for the others."""
    return Case(When(candidates, then=points), default=Value(-1.0), output_field=FloatField())


def _with_relevance(queryset, relevance, *, shown=False):
    """``queryset`` (changed in place, and returned) with ``relevance`` as its relevance,
    selected as before (or ``shown``)."""
    query = queryset.query
    shown = shown or query.annotation_select_mask is None or "relevance" in query.annotation_select_mask
    query.add_annotation(relevance, "relevance", select=shown)
    return queryset


def _known_scores(scores):
    """The relevance of rows whose scores are known (``{key: score}``), -1 for any other."""
    if not scores:
        return Value(-1.0, output_field=FloatField())
    return Case(
        *(When(pk=key, then=Value(score)) for key, score in scores.items()),
        default=Value(-1.0),
        output_field=FloatField(),
    )


class RankedSlicing:
    """What ``ranked`` gives: a queryset whose pages (slices) are read in two parts (see
    ``ranked``). Ordered again (``order_by``: ``?ordering=``, a sorted column), it is a plain
    queryset in that order; filtered, annotated or read with ``values()``, it stays ranked."""

    _ranking = None

    def _clone(self):
        clone = super()._clone()
        clone._ranking = self._ranking
        return clone

    def order_by(self, *field_names):
        ordered = super().order_by(*field_names)
        ordered._ranking = None
        return ordered

    def _unranked(self):
        plain = self._chain()
        plain._ranking = None
        return plain

    def __getitem__(self, k):
        if not isinstance(k, slice) or self._ranking is None or self._result_cache is not None:
            return super().__getitem__(k)
        start, stop = k.start or 0, k.stop
        if stop is None or k.step is not None or start < 0 or stop < start:
            return super().__getitem__(k)
        parts = self._page_parts(start, stop)
        return [row for part in parts for row in part]

    def page_statement(self, start, stop):
        """The one queryset that reads the rows ``start`` to ``stop`` of the ranked order (the
        candidates' part or the rest's), for a page kept as one statement
        (``apps.common.api.compiled``); None when the page spans both parts or is empty."""
        parts = self._page_parts(start, stop)
        return parts[0] if len(parts) == 1 else None

    def _page_parts(self, start, stop):
        """The statements that read the rows ``start`` to ``stop`` of the ranked order, in
        order: the page's candidates by their kept scores, then the matches past them in the
        list's order (either may be left out)."""
        first, named_first, points, then = self._ranking
        plain = self._unranked()
        bounded_count = plain.query.annotations.get(COUNT_COLUMN)

        def ranked_keys():
            # The candidates' keys, read once (an index walk each), then scored by key: no
            # statement evaluates the search over every match to find them.
            found = [row["pk"] for row in first]
            candidates = list(dict.fromkeys([*found, *(row["pk"] for row in named_first or ())]))
            scored = _with_relevance(plain._chain(), _scored(Q(pk__in=candidates), points), shown=True)
            # Best first (at most twice RANKED_CANDIDATES), with their scores.
            keys = scored.filter(pk__in=candidates).values_list("pk", "relevance").order_by("-relevance", *then)
            return len(found), list(keys), _counted(bounded_count, self.db)

        # The same search again reads them from the answers kept until the next write, with
        # the matches' bounded count when the page carries one (``COUNT_COLUMN``): a common
        # word's count is the dearest part of a page, and it is the same on every page.
        try:
            sql, params = self.values_list("pk").query.sql_with_params()
        except EmptyResultSet:
            return []
        listed, scored_keys, count = cached_answer(
            "ranked", [self.db, sql, params, bounded_count is not None], ranked_keys, in_process=True
        )
        if bounded_count is not None:
            plain.query.annotations[COUNT_COLUMN] = Value(count, output_field=IntegerField())
        keys = [key for key, _score in scored_keys]
        parts = []
        head = scored_keys[start:stop]
        if head:
            # The page's candidates by their kept scores, in their ranked order again
            # (relevance, then the list's order): the search's scoring is not worked out anew.
            scores = dict(head)
            page = _with_relevance(plain._chain(), _known_scores(scores)).filter(pk__in=list(scores))
            parts.append(page.order_by("-relevance", *then))
        # Fewer in the list's first RANKED_CANDIDATES than that: every match is a candidate.
        if stop > len(keys) and listed >= RANKED_CANDIDATES:
            rest = _with_relevance(plain, _known_scores({})).exclude(pk__in=keys)
            parts.append(rest.order_by(*then)[max(start - len(keys), 0) : stop - len(keys)])
        return parts


def _counted(bounded_count, using):
    """The value of a page's ``bounded_count`` column (``apps.common.api.rows.BoundedCount``),
    counted in a statement of its own; None without one."""
    if bounded_count is None:
        return None
    # Kept under the counting statement, which a page of the search kept as one statement
    # counts too (``kept_bounded_count``).
    return kept_bounded_count(bounded_count.counted.using(using), bounded_count.limit)


def is_ranked(queryset):
    """Whether ``queryset`` is ``ranked``'s, read in parts (``RankedSlicing``)."""
    return getattr(queryset, "_ranking", None) is not None


@functools.cache
def _ranked_class(queryset_class):
    return type(f"Ranked{queryset_class.__name__}", (RankedSlicing, queryset_class), {})


def _index_name(table, column):
    return f"{table}_{column}_trgm"[:63]


def trigram_index_operations(model_label, columns):
    """Migration operations that add, on PostgreSQL only, the pg_trgm extension and a GIN
    trigram index on ``UPPER(column)`` of each of ``columns``; nothing elsewhere."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = apps.get_model(model_label)._meta.db_table
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in columns:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{_index_name(table, column)}" ON "{table}" '
                f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = apps.get_model(model_label)._meta.db_table
        for column in columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{_index_name(table, column)}"')

    return [migrations.RunPython(forwards, backwards)]
