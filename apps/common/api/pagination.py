"""Page-number pagination by default; cursor pagination on request (``?cursor=`` or
``?pagination=cursor``) for walking large tables without counting them.

A page never counts a million rows: ``count`` is exact up to ``API_EXACT_COUNT_LIMIT``
matching records and beyond that the database's own estimate (PostgreSQL's planner; SQLite,
the embedded store for small data, always counts), and ``count_exact`` says which. Whether
there is a next page is learnt by reading one row past the page, so the links are right
whatever the count says.
"""

import json

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.utils.functional import cached_property
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response


def estimated_count(queryset):
    """The planner's estimate of the rows ``queryset`` matches (PostgreSQL), or None."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class LookaheadPage(Page):
    """A page that knows whether another follows from the row read past its end."""

    def __init__(self, object_list, number, paginator, more):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self):
        return self.more


class EstimatingPaginator(Paginator):
    """Counts exactly up to ``API_EXACT_COUNT_LIMIT`` rows, estimates beyond (``exact`` says
    which), and pages without trusting the count."""

    exact = True

    @cached_property
    def count(self):
        limit = settings.API_EXACT_COUNT_LIMIT
        bounded = self.object_list.order_by().values("pk")[: limit + 1].count()
        if bounded <= limit:
            return bounded
        estimate = estimated_count(self.object_list)
        if estimate is None:
            return self.object_list.count()
        self.exact = False
        return max(estimate, limit + 1)

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger("That page number is not an integer") from error
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        return LookaheadPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)


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
            paginator = CursorPagination()
            # Ordered by id (unique and unchanging, which a cursor needs) unless ?ordering= says otherwise.
            paginator.ordering = "id"
            paginator.page_size = self.get_page_size(request)
            self._cursor = paginator
        return self._cursor

    def uses_cursor(self, request):
        return self.cursor_query_param in request.query_params or request.query_params.get("pagination") == "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        if self.uses_cursor(request):
            self.mode = "cursor"
            return self._cursor_paginator(request).paginate_queryset(queryset.order_by("id"), request, view)
        self.mode = "page"
        return super().paginate_queryset(queryset, request, view)

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
