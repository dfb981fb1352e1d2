"""Reads from PostgreSQL streaming replicas, writes to the primary (``DATABASE_REPLICA_URLS``).

Each URL in ``DATABASE_REPLICA_URLS`` becomes a database alias ``replica_1``, ``replica_2``, …
(``sanctionsdb/settings.py``); with none set, neither the router nor the middleware below is
installed and every query goes to ``default`` as before.

The rule: a query reads from a replica only when it is a read, made while serving a request
that may read a replica; everything else reads and writes the primary (``default``). A replica
lags behind the primary, so whoever has just written must read the primary to see their own
write. A request may read a replica when

- its method is safe (GET, HEAD, OPTIONS, TRACE): a POST, PUT, PATCH or DELETE is on the
  primary from its first query, so that a validation, an ``If-Match`` check or a
  ``select_for_update`` reads the rows it is about to change as they are;
- it carries no session cookie: editors and reviewers signed in to the admin (or to the API
  with that session) stay on the primary for all of their requests. They are the ones who
  write by hand and look at the result at once (the admin redirects to the changelist after
  a save); there are few of them next to the public readers; and the test needs no query
  (``request.user`` would read the session, itself just written on the primary at login);
- its ``Authorization`` header has not written in the last ``DATABASE_REPLICA_PIN_SECONDS``
  (default 10): an API client that created a record and then lists or fetches it in its next
  request reads the primary (the mark is kept in the cache, so Redis shares it between
  processes; a cache that cannot be reached sends the request to the primary);
- nothing in it has written yet: the first write (``db_for_write``: a save, a delete, an
  update, a history row, a session save) pins the rest of the request to the primary;
- and the primary is not inside a transaction (``transaction.atomic``): a read inside a
  transaction on the primary reads the primary.

Outside a request (management commands, the loaders, the shell, migrations) everything goes
to the primary: a command that reads then writes must not read a lagging copy.

A request that may read a replica picks one at random on its first read and keeps it, so that
all of its reads see the same moment. The state is a ``contextvars.ContextVar`` set by the
middleware for the request and reset after it, so it is per request and per thread and never
leaks into the next request served by the same thread.
"""

import hashlib
import logging
import random
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_PREFIX = "replica_"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
PIN_CACHE_PREFIX = "replica-pin:"

logger = logging.getLogger(__name__)


class RequestRouting:
    """Where the reads of one request go. ``pinned``: to the primary; ``wrote``: the request
    has written; ``replica``: the replica chosen on its first read."""

    __slots__ = ("pinned", "wrote", "replica")

    def __init__(self, pinned):
        self.pinned = pinned
        self.wrote = False
        self.replica = None


_routing: ContextVar[RequestRouting | None] = ContextVar("sanctionsdb_request_routing", default=None)


def replica_aliases():
    """The replica aliases configured now (read at every call, so tests may add a mirror)."""
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


def current_routing():
    """The routing state of the request being served, or None outside a request."""
    return _routing.get()


class PrimaryReplicaRouter:
    """``DATABASE_ROUTERS`` entry: reads to a replica when the request allows it (module
    docstring), writes and migrations to ``default``."""

    def db_for_read(self, model, **hints):
        state = _routing.get()
        if state is None or state.pinned or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if state.replica is None:
            replicas = replica_aliases()
            if not replicas:
                return DEFAULT_DB_ALIAS
            state.replica = random.choice(replicas)
        return state.replica

    def db_for_write(self, model, **hints):
        state = _routing.get()
        if state is not None:
            state.pinned = True
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        ours = {DEFAULT_DB_ALIAS, *replica_aliases()}
        if obj1._state.db in ours and obj2._state.db in ours:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == DEFAULT_DB_ALIAS:
            return True
        if db.startswith(REPLICA_PREFIX):
            return False
        return None


def _pin_key(request):
    authorization = request.headers.get("Authorization")
    if not authorization:
        return None
    return PIN_CACHE_PREFIX + hashlib.sha256(authorization.encode()).hexdigest()


def _recently_wrote(key):
    try:
        return bool(cache.get(key))
    except Exception:  # an unreachable cache: read the primary rather than fail the request
        logger.warning("replica routing: the cache is out of reach; reading the primary", exc_info=True)
        return True


def _mark_written(key):
    try:
        cache.set(key, 1, timeout=settings.DATABASE_REPLICA_PIN_SECONDS)
    except Exception:  # the next request may then read a replica; the write itself stands
        logger.warning("replica routing: could not mark a client's write in the cache", exc_info=True)


class PrimaryReplicaMiddleware:
    """Sets the routing state of each request (first in ``MIDDLEWARE``, so that every other
    middleware's queries are routed too) and resets it afterwards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pin_key = _pin_key(request)
        pinned = (
            request.method not in SAFE_METHODS
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or (pin_key is not None and _recently_wrote(pin_key))
        )
        state = RequestRouting(pinned)
        token = _routing.set(state)
        try:
            response = self.get_response(request)
        finally:
            _routing.reset(token)
        if state.wrote and pin_key is not None:
            _mark_written(pin_key)
        return response
