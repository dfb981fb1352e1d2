"""A request's first read as the health check of the connection it reuses.

With ``CONN_HEALTH_CHECKS`` (PostgreSQL: a connection kept from an earlier request must
survive a restarted server), Django sends ``SELECT 1`` before the first statement of each
request: one more round trip for a read that is one statement itself (a list page read with
its data version, a detail). ``checked_read`` lets that read be the check: it is sent at once,
and when it finds the kept connection broken it is sent again on a new one (a read changes
nothing, so sending it twice is safe). Any other failure is raised as it was.
"""

from django.db import InterfaceError, OperationalError


def checked_read(connection, read):
    """``read()``, the health check of ``connection`` when none has been made in this request."""
    raw = connection.connection
    if raw is None or not connection.health_check_enabled or connection.health_check_done:
        return read()
    if connection.in_atomic_block or getattr(connection, "pool", None):
        return read()
    connection.health_check_done = True
    try:
        return read()
    except (OperationalError, InterfaceError):
        if not (raw.closed or raw.broken):
            raise
    connection.close()
    return read()
