"""Page-number pagination by default; cursor pagination on request (``?cursor=`` or
``?pagination=cursor``) for walking large tables without counting them.

A page never counts a million rows: ``count`` is exact up to ``API_EXACT_COUNT_LIMIT``
matching records and beyond that the database's own estimate (PostgreSQL's planner; SQLite,
the embedded store for small data, always counts), and ``count_exact`` says which. Whether
there is a next page is learnt by reading one row past the page, so the links are right
whatever the count says.

A paging parameter that is not one is a 400 naming it: ``page`` not a whole number from 1 to
the last page a database can read (``apps.common.paging``) or ``last``, ``page_size`` not a
whole number from 1 (a larger one than ``API_MAX_PAGE_SIZE`` gives that many), ``cursor``
not one this API wrote. A well-formed page past the last is a 404, as before.
"""

import datetime
import re

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import InvalidPage
from django.utils import timezone
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response

from apps.common.nul import NUL
from apps.common.paging import EstimatingPaginator, LookaheadPage

PLAIN_NUMBER = re.compile(r"[1-9][0-9]{0,8}")
INVALID_CURSOR = "Not a cursor of this list: use the next or previous link of a page as it is."


def page_size_from(request, param, default, maximum):
    """The page size ``request`` asks for in ``param`` (at most ``maximum``), ``default``
    when it asks for none; a 400 naming ``param`` when the value is not a whole number from 1."""
    value = request.query_params.get(param)
    if value in (None, ""):
        return default
    digits = value.lstrip("0")
    if not (digits.isascii() and digits.isdigit()):
        raise ValidationError({param: [f"A page size is a whole number from 1 (at most {maximum} are given)."]})
    return maximum if len(digits) > len(str(maximum)) else min(int(digits), maximum)


def cursor_position(model, ordering, position):
    """A cursor's ``position`` as the first ordering field of ``model`` reads it (a moment in
    UTC, with its offset: PostgreSQL refuses offsets beyond ±15:59); a 400 naming the cursor
    when the field cannot hold it."""
    try:
        field = model._meta.get_field(ordering[0].lstrip("-"))
    except FieldDoesNotExist:
        return position
    if NUL in position:
        raise ValidationError({"cursor": [INVALID_CURSOR]})
    try:
        value = field.to_python(position)
        if isinstance(value, datetime.datetime):
            if timezone.is_naive(value):
                value = timezone.make_aware(value)
            return value.astimezone(datetime.UTC).isoformat()
    except (DjangoValidationError, OverflowError) as error:
        raise ValidationError({"cursor": [INVALID_CURSOR]}) from error
    return position


class CheckedCursorPagination(CursorPagination):
    """DRF's cursor pagination, refusing a cursor it did not write with a 400 naming the
    parameter (DRF answers an undecodable cursor with 404 and passes a position the ordering
    field cannot hold to the database)."""

    def paginate_queryset(self, queryset, request, view=None):
        self.model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound as error:
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from error
        if cursor is None or cursor.position is None:
            return cursor
        return cursor._replace(position=cursor_position(self.model, self.ordering, cursor.position))


class PageNumberOrCursorPagination(PageNumberPagination):
    django_paginator_class = EstimatingPaginator
    page_size_query_param = "page_size"
    cursor_query_param = "cursor"

    @property
    def page_size(self):
        return settings.API_PAGE_SIZE

    @property
    def max_page_size(self):
        return settings.API_MAX_PAGE_SIZE

    def _cursor_paginator(self, request):
        if getattr(self, "_cursor", None) is None:
            paginator = CheckedCursorPagination()
            # Ordered by id (unique and unchanging, which a cursor needs) unless ?ordering= says otherwise.
            paginator.ordering = "id"
            paginator.page_size = self.get_page_size(request)
            self._cursor = paginator
        return self._cursor

    def get_page_size(self, request):
        return page_size_from(request, self.page_size_query_param, self.page_size, self.max_page_size)

    def get_page_number(self, request, paginator):
        """The page asked for: ``last``, or a page number the database can read; a 400 naming
        ``page`` for anything else (a page past the last is a 404 when it is read)."""
        value = request.query_params.get(self.page_query_param) or "1"
        if value in self.last_page_strings:
            return paginator.num_pages
        try:
            return paginator.validate_number(value)
        except InvalidPage as error:
            raise ValidationError({self.page_query_param: [str(error)]}) from error

    def uses_cursor(self, request):
        return self.cursor_query_param in request.query_params or request.query_params.get("pagination") == "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        if self.uses_cursor(request):
            self.mode = "cursor"
            return self._cursor_paginator(request).paginate_queryset(queryset.order_by("id"), request, view)
        self.mode = "page"
        return super().paginate_queryset(queryset, request, view)

    def plain_page_number(self, request):
        """The page asked for when it is a page number (or none is asked for: the first), else
        None: a cursor, ``last``, or a value the ORM's path answers with its error."""
        if self.uses_cursor(request):
            return None
        value = request.query_params.get(self.page_query_param) or "1"
        return int(value) if PLAIN_NUMBER.fullmatch(value) else None

    def page_of(self, request, rows, number, page_size, count, exact):
        """Make ``rows`` (read one past the page) page ``number``, counted ``count``, the
        page the response describes (``get_paginated_response``)."""
        paginator = self.django_paginator_class([], page_size)
        paginator.count = count
        paginator.exact = exact
        self.request = request
        self.mode = "page"
        self.page = LookaheadPage(rows[:page_size], number, paginator, more=len(rows) > page_size)
        return self.page

    def get_paginated_response(self, data):
        if self.mode == "cursor":
            return self._cursor_paginator(self.request).get_paginated_response(data)
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_exact": paginator.exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"] = {
            "count": response["properties"]["count"],
            "count_exact": {
                "type": "boolean",
                "description": "False when count is the database's estimate (more than API_EXACT_COUNT_LIMIT "
                "records match).",
            },
            **{name: value for name, value in response["properties"].items() if name != "count"},
        }
        # ``count`` is left out in cursor mode, which never counts the table.
        response["required"] = ["next", "previous", "results"]
        return response

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Cursor pagination: the opaque value from a previous page's next/previous link.",
                "schema": {"type": "string"},
            },
            {
                "name": "pagination",
                "required": False,
                "in": "query",
                "description": "Set to 'cursor' to page by cursor (by id, or by ?ordering=) instead of by page number.",
                "schema": {"type": "string", "enum": ["page", "cursor"]},
            },
        ]
