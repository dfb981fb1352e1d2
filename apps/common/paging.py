"""Pages that never count a million rows, for the API's lists and the admin's changelists.

``EstimatingPaginator`` counts the matching records exactly up to ``API_EXACT_COUNT_LIMIT``
and beyond that gives the database's own estimate (PostgreSQL's planner; SQLite, the
embedded store for small data, always counts), with ``exact`` saying which. Whether there is
a next page is learnt by reading one row past the page, so the links are right whatever the
count says.
"""

import json

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.utils.functional import cached_property


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
        # A list read with values() says which queryset to count: the same rows, fewer joins.
        counted = getattr(self.object_list, "counted", self.object_list).order_by()
        if connections[counted.db].vendor != "postgresql":
            return counted.count()  # no estimate to fall back on: one exact count
        bounded = counted.values("pk")[: limit + 1].count()
        if bounded <= limit:
            return bounded
        estimate = estimated_count(counted)
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
