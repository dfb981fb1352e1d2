"""List pages and details whose SQL is worked out once and run again for each request
(``apps.common.compiled``). Their readings are kept per process under a key that holds
everything the statement depends on:

- a list page: the view, the request's full path (filters, search, ordering, page, page
  size), the page size and count limit in force, the audience (may the client see drafts?),
  the address the URLs are built on, the database, the day (what is "ongoing" runs to today)
  and the data version (``apps.common.cache``): a filter by natural key resolves keys to ids
  when the page is compiled, so any write makes every compiled page stale;
- a detail: the view, the audience, the address, the database and the day; the record's key
  is the one parameter put in for each request (``CompiledRead.run(key=...)``), so every
  record of a resource shares one statement.

A request the statement cannot be kept for (cursor pages, ``?page=last``, an invalid page, a
filter that matches nothing before any query) takes the ORM's path as before.
"""

from django.conf import settings
from django.db import router
from django.urls import get_script_prefix
from django.utils import timezone

from apps.common.compiled import CompiledRead
from apps.common.paging import COUNT_COLUMN, estimate_statement, run_estimate, settled_count
from apps.common.roles import sees_drafts


def request_key(view, request, *parts):
    """What every compiled reading of ``view`` for ``request`` depends on, and ``parts``."""
    return (
        type(view),
        sees_drafts(request.user),
        request.build_absolute_uri("/"),
        get_script_prefix(),
        router.db_for_read(view.get_serializer_class().Meta.model),
        timezone.localdate().isoformat(),
        *parts,
    )


def list_key(view, request, page_size, version):
    return request_key(
        view, request, "list", request.get_full_path(), page_size, settings.API_EXACT_COUNT_LIMIT, version
    )


def detail_key(view, request, key_type):
    return request_key(view, request, "detail", key_type.__name__)


class CompiledPage:
    """One page of a list: the statement of its rows (one past the page, to learn whether
    another follows) and how it is counted: read off its rows (PostgreSQL, ``COUNT_COLUMN``),
    with the planner's estimate past ``API_EXACT_COUNT_LIMIT``, or counted (SQLite)."""

    def __init__(self, queryset, number, page_size):
        bottom = (number - 1) * page_size
        self.number = number
        self.rows = CompiledRead(queryset[bottom : bottom + page_size + 1])
        counted = queryset.counted.order_by()
        self.counted_in_rows = COUNT_COLUMN in self.rows.names
        self.counted = None if self.counted_in_rows else counted
        self.estimate = estimate_statement(counted) if self.counted_in_rows else None
        self.estimated = None

    def read(self):
        """``(rows, count, exact)``; None for a page past the last (the ORM's path says so)."""
        rows = self.rows.run()
        if not rows and self.number > 1:
            return None
        if not self.counted_in_rows:
            return rows, (self.counted.count() if rows else 0), True
        count, exact = settled_count(rows[0][COUNT_COLUMN] if rows else 0, self._estimated)
        return rows, count, exact

    @property
    def kept_bytes(self):
        """About how much memory the page holds while it is kept (its rows' statement, which
        the estimate is calibrated on, and the text of its count's estimate)."""
        return self.rows.kept_bytes + (len(self.estimate[0]) if self.estimate else 0)

    def _estimated(self):
        """The planner's estimate, asked once: it stays as it is until the data changes, and
        the page with it (``list_key``)."""
        if self.estimated is None:
            self.estimated = run_estimate(router.db_for_read(self.rows.model), self.estimate)
        return self.estimated
