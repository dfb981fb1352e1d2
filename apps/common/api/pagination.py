"""Page-number pagination by default; cursor pagination on request (``?cursor=`` or
``?pagination=cursor``) for walking large tables without counting them."""

from django.conf import settings
from rest_framework.pagination import CursorPagination, PageNumberPagination


class PageNumberOrCursorPagination(PageNumberPagination):
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
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
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
