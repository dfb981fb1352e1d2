"""List pages and details whose SQL is worked out once and run again for each request
(``apps.common.compiled``). Their readings are kept per process under a key that holds
everything the statement depends on:

- a list page: the view, the request's full path (filters, search, ordering, page, page
  size), the page size and count limit in force, the audience (may the client see drafts?),
  the address the URLs are built on, the database and the day (what is "ongoing" runs to
  today); and it is kept with the data version it was compiled at (``apps.common.cache``): a
  filter by natural key resolves keys to ids when the page is compiled, and the page's count
  is worked out once, so any write makes every compiled page stale. The page's statement reads
  the data version with its rows (``VERSION_COLUMN``), in the same snapshot: a kept page is
  read in one statement, and one whose rows come at a newer version is compiled again
  (``read_page``);
- a detail: the view, the audience, the address, the database and the day; the record's key
  is the one parameter put in for each request (``CompiledRead.run(key=...)``), so every
  record of a resource shares one statement.

A request the statement cannot be kept for (cursor pages, ``?page=last``, an invalid page, a
filter that matches nothing before any query, the one page of a ranked search that spans its
candidates and the matches past them) takes the ORM's path as before.
"""

from collections import namedtuple

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import router
from django.db.models.expressions import RawSQL
from django.urls import get_script_prefix
from django.utils import timezone

from apps.common.cache import data_version
from apps.common.compiled import BYTES_PER_READING, CompiledRead
from apps.common.dataversion import TABLE as VERSION_TABLE
from apps.common.kept import MISSING, store
from apps.common.paging import count_of
from apps.common.roles import sees_drafts
from apps.common.search import is_ranked


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


def list_key(view, request, page_size):
    return request_key(view, request, "list", request.get_full_path(), page_size, settings.API_EXACT_COUNT_LIMIT)


# A page kept under its key, with the data version it was compiled at (None: it cannot be one
# statement; the ORM's path serves it).
KeptPage = namedtuple("KeptPage", "version page")

# The column of a page's statement that holds the data version its rows were read at.
VERSION_COLUMN = "_data_version"
VERSION_SQL = f"SELECT version FROM {VERSION_TABLE} WHERE id = 1"


def read_page(key, compile_page):
    """The answer of the page kept under ``key`` (``CompiledPage.read``: None for a page
    past the last), or None when the ORM's path must serve it. Compiled by ``compile_page()``
    when none is kept, or when the kept page's rows come at a data version other than the
    one it was compiled at; if that happens twice over (written to while it was compiled), the
    ORM's path serves it."""
    full_key = ("read", *key)
    entry = store.get(full_key)
    for _ in range(2):
        if entry is MISSING:
            version = data_version()
            try:
                entry = KeptPage(version, compile_page())
            except (EmptyResultSet, FullResultSet, LookupError):
                entry = KeptPage(version, None)
            if version is not None:  # a database just flushed: nothing is kept
                size = BYTES_PER_READING if entry.page is None else entry.page.kept_bytes
                store.put(full_key, entry, size, data_version=version)
        version, page = entry
        if page is None:
            return None
        read_at, answer = page.read()
        if read_at == version:
            return answer
        entry = MISSING
    return None


def detail_key(view, request, key_type):
    return request_key(view, request, "detail", key_type.__name__)


class CompiledPage:
    """One page of a list: the statement of its rows (one past the page, to learn whether
    another follows), run for each request, and their count (``count_of``), worked out on the
    first read and kept with the page: the page is kept for one data version and one day
    (``list_key``), and its count cannot change before they do: its bounded count is
    kept as an answer (``kept_bounded_count``), which every page of the same list reads."""

    def __init__(self, queryset, number, page_size):
        bottom = (number - 1) * page_size
        if not is_ranked(queryset):
            page = queryset[bottom : bottom + page_size + 1]
        else:
            # A ranked search's page is read in parts whose statements depend on its matches
            # (``apps.common.search.ranked``), which are the same until the next write, as is
            # this page's key: a page within one part is that part's statement; one that spans
            # the candidates and the rest takes the ORM's path.
            page = queryset.page_statement(bottom, bottom + page_size + 1)
            if page is None:
                raise LookupError("this page of a ranked search is not one statement")
        self.number = number
        self.rows = CompiledRead(page.annotate(**{VERSION_COLUMN: RawSQL(VERSION_SQL, ())}))
        self.counted = queryset.counted.order_by()
        self.count = None

    def read(self):
        """``(version, answer)``: the data version the rows were read at, and ``(rows, count,
        exact)`` or None for a page past the last (the ORM's path says so). The answer holds
        only if that version is the one the page was compiled at (``read_page``)."""
        rows = self.rows.run()
        version = rows[0][VERSION_COLUMN] if rows else data_version()
        if not rows and self.number > 1:
            return version, None
        if self.count is None:
            counted = self.counted  # None once another thread has counted
            if counted is not None:
                self.count = count_of(counted, kept=True) if rows else (0, True)
                self.counted = None  # not needed again
        return version, (rows, *self.count)

    @property
    def kept_bytes(self):
        """About how much memory the page holds while it is kept (its rows' statement, which
        the estimate is calibrated on)."""
        return self.rows.kept_bytes
