"""Requests while the database is out of reach answer 503, not 500.

A PostgreSQL restart, a failover or a saturated connection limit is a passing state of the
service, not a bug in a request: the client is told to try again (``Retry-After``), and the
next request opens a new connection (``CONN_HEALTH_CHECKS``), so the app recovers without
being restarted.

A write that clashed with another (a deadlock, a serialization failure: ``apps.common.conflicts``)
and still failed when run again was rolled back whole: it answers 503 too, saying so, with a
shorter ``Retry-After``.
"""

from django.db import InterfaceError, OperationalError, connections
from django.http import JsonResponse

from apps.common.conflicts import RETRY_AFTER_SECONDS as CONFLICT_RETRY_AFTER_SECONDS
from apps.common.conflicts import WriteConflict, conflict_message, conflict_sqlstate

RETRY_AFTER_SECONDS = 5


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, WriteConflict):
            return _unavailable(str(exception), CONFLICT_RETRY_AFTER_SECONDS)
        sqlstate = conflict_sqlstate(exception) if isinstance(exception, OperationalError) else None
        if sqlstate is not None:
            # A clash on a path that does not go through run_in_transaction.
            return _unavailable(conflict_message(sqlstate), CONFLICT_RETRY_AFTER_SECONDS)
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        # Drop the broken connections so the next request connects afresh.
        for connection in connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()
        return _unavailable("The database is out of reach for a moment; try again shortly.", RETRY_AFTER_SECONDS)


def _unavailable(detail, retry_after):
    response = JsonResponse({"detail": detail}, status=503)
    response["Retry-After"] = str(retry_after)
    return response
