"""Concurrent writes that deadlock or fail serialization: retried, or reported, never half applied.

PostgreSQL breaks a deadlock by aborting one of the transactions in it (SQLSTATE ``40P01``,
psycopg's ``errors.DeadlockDetected``), and aborts a transaction that cannot be serialized
(``40001``, ``errors.SerializationFailure``). Both are a passing clash with another writer, not a
bad request: the aborted transaction has been rolled back whole, and running it again usually
succeeds. Django raises them as ``django.db.OperationalError`` with psycopg's error as
``__cause__``.

``run_in_transaction`` runs a write in one transaction and runs it again, up to ``ATTEMPTS``
times in all, when it fails so; after the last attempt it raises ``WriteConflict``, which
``apps.common.middleware`` answers with 503 and ``Retry-After``. The API's writes
(``apps.common.api.views.BaseViewSet``) and the admin's add, change and delete pages
(``apps.common.admin.TrackedAdmin``) go through it; a data load reports the clash as a load
error and writes nothing (``apps.ingest.loader.load_records``).
"""

import random
import time

from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction

# SQLSTATE -> what it is, in the words of the answer.
RETRYABLE = {
    "40P01": "deadlock detected",
    "40001": "serialization failure",
}
# Runs of a write in all (the first and the retries). Read at run time: a test patches it.
ATTEMPTS = 3
# The longest pause before a retry, in seconds, doubled each time; the pause is drawn at
# random below it, so that two clashing writers do not run again in step.
BACKOFF_SECONDS = 0.05
RETRY_AFTER_SECONDS = 1


class WriteConflict(Exception):
    """A write that still clashed with another after every attempt; nothing of it was written."""

    def __init__(self, sqlstate, attempts):
        self.sqlstate = sqlstate
        self.attempts = attempts
        super().__init__(conflict_message(sqlstate, attempts))


def conflict_sqlstate(error):
    """The SQLSTATE (``"40P01"`` or ``"40001"``) when ``error`` or an error it was raised from is
    a deadlock or a serialization failure, else None."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        code = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if code in RETRYABLE:
            return code
        error = error.__cause__
    return None


def conflict_message(sqlstate, attempts=None):
    """What the client is told; ``attempts`` when the write ran in ``run_in_transaction``."""
    clash = f"The write clashed with another one made at the same moment ({RETRYABLE[sqlstate]}, SQLSTATE {sqlstate})"
    if attempts is None:
        return f"{clash} and its transaction was rolled back. Send it again."
    tries = "once" if attempts == 1 else f"{attempts} times"
    return f"{clash} and was rolled back: nothing of it was written (tried {tries}). Send it again."


def run_in_transaction(write, *, using=DEFAULT_DB_ALIAS, undo=None):
    """``write()`` in one transaction, run again on a deadlock or a serialization failure;
    ``WriteConflict`` when every one of ``ATTEMPTS`` runs failed so. ``undo()``, when given, is
    called after each such failure, to take back what the attempt did outside the database
    (the admin's "changed successfully" message). Inside a transaction begun by a caller the
    write cannot be run again alone (the caller's transaction is the one to retry): the first
    clash is then ``WriteConflict``."""
    nested = transaction.get_connection(using).in_atomic_block
    attempts = 1 if nested else max(1, ATTEMPTS)
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic(using=using):
                return write()
        except DatabaseError as error:
            sqlstate = conflict_sqlstate(error)
            if sqlstate is None:
                raise
            if undo is not None:
                undo()
            if attempt == attempts:
                raise WriteConflict(sqlstate, attempt) from error
        time.sleep(random.uniform(0, BACKOFF_SECONDS * 2**attempt))  # noqa: S311 (not for security)
    raise AssertionError("unreachable")
