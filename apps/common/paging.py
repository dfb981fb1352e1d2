"""Pages that never count a million rows, for the API's lists and the admin's changelists.

``EstimatingPaginator`` counts the matching records exactly up to ``API_EXACT_COUNT_LIMIT``
and beyond that gives the database's own estimate (PostgreSQL's planner; SQLite, the
embedded store for small data, always counts), with ``exact`` saying which. Whether there is
a next page is learnt by reading one row past the page, so the links are right whatever the
count says.

A page read with ``values()`` may carry its bounded count in its rows (``COUNT_COLUMN``, as
``apps.common.api.rows`` reads a page on PostgreSQL): the paginator takes it from there
instead of counting again, and knows a first page without rows counts none.

A page number is a whole number from 1 to the last page a database can address
(``last_page_number``): SQLite and PostgreSQL take a row offset up to a signed 64-bit integer,
and a page beyond it would make the database fail instead of answering that it is empty.
"""

import json

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.utils.functional import cached_property

from apps.common.cache import cached_answer

# The column of a page's rows that holds the bounded count, when the page carries it.
COUNT_COLUMN = "_bounded_count"
# The largest row offset (and row count) SQLite and PostgreSQL take: a signed 64-bit integer.
MAX_ROWS = 2**63 - 1


def last_page_number(per_page):
    """The highest page number a database can read at ``per_page`` records a page: its rows
    and the one read past it (``EstimatingPaginator.page``) lie within ``MAX_ROWS``."""
    return (MAX_ROWS - 1) // per_page


def page_number_message(per_page):
    """What a page number must be, for a reader who gave another."""
    return f"A page number is a whole number from 1 to {last_page_number(per_page)}."


def estimate_statement(queryset):
    """The ``EXPLAIN`` whose plan estimates the rows ``queryset`` matches, and its parameters."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return f"EXPLAIN (FORMAT JSON) {sql}", params


def run_estimate(using, statement):
    """The planner's estimate from ``statement`` (``estimate_statement``), run on ``using``."""
    with connections[using].cursor() as cursor:
        cursor.execute(*statement)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def settled_count(bounded, estimate):
    """``(count, exact)`` from a count bounded at ``API_EXACT_COUNT_LIMIT`` and one more: the
    count itself up to the limit, beyond it the planner's estimate (``estimate()``), never
    below the limit and one."""
    limit = settings.API_EXACT_COUNT_LIMIT
    if bounded <= limit:
        return bounded, True
    return max(estimate(), limit + 1), False


def estimated_count(queryset):
    """The planner's estimate of the rows ``queryset`` matches (PostgreSQL), or None."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    return run_estimate(queryset.db, estimate_statement(queryset))


def count_of(queryset, *, kept=False):
    """``(count, exact)`` of the rows ``queryset`` matches: on PostgreSQL counted up to
    ``API_EXACT_COUNT_LIMIT`` and one more, past it the planner's estimate; SQLite counts.
    ``kept``: the bounded count is kept until the next write (``kept_bounded_count``)."""
    if connections[queryset.db].vendor != "postgresql":
        return queryset.count(), True  # no estimate to fall back on: one exact count
    limit = settings.API_EXACT_COUNT_LIMIT + 1
    bounded = kept_bounded_count(queryset, limit) if kept else queryset.values("pk")[:limit].count()
    return settled_count(bounded, lambda: estimated_count(queryset))


def kept_bounded_count(queryset, limit):
    """How many rows ``queryset`` matches, counted no further than ``limit``, kept as an
    answer until the next write (``apps.common.cache.cached_answer``) under the counting
    statement: every page of one list (a filter, a search) counts once, whichever way it is
    read (a page kept as one statement, a ranked page read in parts)."""
    bounded = queryset.order_by().values("pk")[:limit]
    try:
        sql, params = bounded.query.sql_with_params()
    except EmptyResultSet:
        return 0
    return cached_answer("bounded-count", [bounded.db, sql, params], bounded.count, in_process=True)


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
    # The bounded count read with the page (``page``), when its rows carry it.
    counted_with_page = None

    @cached_property
    def count(self):
        # A list read with values() says which queryset to count: the same rows, fewer joins.
        counted = getattr(self.object_list, "counted", self.object_list).order_by()
        if self.counted_with_page is None:
            count, self.exact = count_of(counted)
        else:
            count, self.exact = settled_count(self.counted_with_page, lambda: estimated_count(counted))
        return count

    def validate_number(self, number):
        """``number`` as an int; ``PageNotAnInteger`` when it is not a whole number,
        ``EmptyPage`` when it is below 1 or past the last page a database can read
        (``last_page_number``): no such page exists."""
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(page_number_message(self.per_page)) from error
        if number < 1 or number > last_page_number(self.per_page):
            raise EmptyPage(page_number_message(self.per_page))
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        if rows and isinstance(rows[0], dict) and COUNT_COLUMN in rows[0]:
            self.counted_with_page = rows[0][COUNT_COLUMN]
        elif not rows and "count" not in self.__dict__:
            self.counted_with_page = 0  # an empty first page: nothing matches
        return LookaheadPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)
