"""Requests while the database is out of reach answer 503, not 500.

A PostgreSQL restart, a failover or a saturated connection limit is a passing state of the
service, not a bug in a request: the client is told to try again (``Retry-After``), and the
next request opens a new connection (``CONN_HEALTH_CHECKS``), so the app recovers without
being restarted.
"""

from django.db import InterfaceError, OperationalError, connections
from django.http import JsonResponse

RETRY_AFTER_SECONDS = 5


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        # Drop the broken connections so the next request connects afresh.
        for connection in connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()
        response = JsonResponse({"detail": "The database is out of reach for a moment; try again shortly."}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
