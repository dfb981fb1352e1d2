"""Answers cached until the data changes: the data version (``apps.common.dataversion``: one
number in the database, raised by a trigger in the same transaction as every write) is part of
every key, so a write makes every answer cached before it unreachable (they expire on their
own) without finding or deleting them.

The version is read from the database an answer is read from (the primary, or the replica the
request reads: ``router.db_for_read``), before the answer is computed, so:

- no process, no other writer (``import_data``, ``psql``, a restore) and no lagging replica
  can keep an old answer under a new version: a write is seen by every process at once,
  with or without Redis;
- a replica keeps its answers under the version its own data is at.

Work whose own writes change nothing its answers depend on may hold the version it started
at (``version_held``): the findings a load writes, batch after batch, do not change the
measures, caps and votes the engine reads for the next batch.

With no version (a database just flushed) nothing is kept. The cache is Django's
(``CACHES``: local memory in one process, Redis when ``REDIS_URL`` is set, shared by every app
server); losing it costs only recomputation.
"""

import contextlib
import contextvars
import hashlib
import json
import pickle

from django.conf import settings
from django.core.cache import cache
from django.db import router

from apps.common import dataversion
from apps.common.kept import kept


def version_alias():
    """The database the current reads go to (the primary, or the request's replica)."""
    from apps.common.models import DataVersion

    return router.db_for_read(DataVersion)


# The version ``version_held`` holds, while it holds it.
_held = contextvars.ContextVar("held_data_version", default=None)


def data_version(using=None):
    """The data version of database ``using`` (default: the one reads go to now, or the one
    ``version_held`` holds), or None."""
    held = _held.get()
    if held is not None and using is None:
        return held
    return dataversion.read_version(using or version_alias())


@contextlib.contextmanager
def version_held():
    """Within the block, answers are read and kept under the data version as it stands on
    entering it, though the block writes. Only for work whose writes change nothing the
    answers it reads are made of (the stored findings are not read by the engine that writes
    them); the answers it keeps are under a version that was current when they were worked
    out. Inside a transaction that has written, that version is its own and uncommitted:
    no one else ever reads under it."""
    token = _held.set(data_version())
    try:
        yield
    finally:
        _held.reset(token)


def data_changed(using=None):
    """Raise the data version now, in the current transaction (the triggers already do so
    for every write to the data; this is for a change they cannot see)."""
    dataversion.bump(using or "default")


def cache_key(name, *parts, version=None):
    """The key of answer ``name`` for ``parts`` (JSON-serialisable) at the current data version
    (or at ``version``)."""
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]
    return f"answer:{name}:{data_version() if version is None else version}:{digest}"


# What an answer kept unpickled in the process costs in memory, estimated from the length of
# its pickle (the form the shared cache holds it in). Measured with tracemalloc on the
# findings' answers at 100,000 transfers (measures, designations, votes, cap totals): 3 to
# 6.4 times the pickle's length, and up to 1 KB more for the smallest.
BYTES_PER_PICKLED_BYTE = 6
BYTES_PER_ANSWER = 1024


def tables_version(models):
    """The version of the data ``models`` hold, as a key's part: their tables' versions
    (``dataversion.table_versions``), read from the database reads go to now; within
    ``version_held``, the version it holds. None: nothing is kept."""
    held = _held.get()
    if held is not None:
        return held
    versions = dataversion.table_versions([model._meta.db_table for model in models], version_alias())
    return None if versions is None else "t" + ".".join(map(str, versions))


def cached_answer(name, parts, compute, *, in_process=False, reads=None):
    """``compute()``, cached under ``name`` and ``parts`` until the data changes (or
    ``ANSWER_CACHE_SECONDS`` pass).

    ``reads``: every model the answer is made of (their tables: what ``compute`` selects
    from). It is then kept until one of their tables changes (``tables_version``), not the
    whole data: a write elsewhere leaves it kept. A model left out of the list is a stale
    answer after it changes: the answers that use it have a test that captures the tables
    their statements name.

    ``in_process``: also keep the answer in this process, as it is, for an answer read on
    many requests that costs more to unpickle from the cache than to look up (model
    instances with what they prefetched). It is kept in the process's store
    (``apps.common.kept``) under the version read from the database on every call: for the
    current data version only (a write anywhere makes it stale here too), or, with
    ``reads``, under its tables' version (the answers of older versions are then dropped as
    the least recently used). The caller must not change what it gets: the next request gets
    the same objects."""
    version = data_version() if reads is None else tables_version(reads)
    if version is None:  # a database just flushed: nothing is kept
        return compute()
    key = cache_key(name, *parts, version=version)
    if in_process:
        follows = version if reads is None else None
        return kept("answer", (key,), lambda: _shared(key, compute), _size, data_version=follows)
    return _shared(key, compute)


def _shared(key, compute):
    """The answer under ``key`` in the shared cache, computed and cached when it is not there."""
    answer = cache.get(key)
    if answer is None:
        answer = compute()
        cache.set(key, answer, timeout=getattr(settings, "ANSWER_CACHE_SECONDS", 3600))
    return answer


def _size(answer):
    return BYTES_PER_ANSWER + BYTES_PER_PICKLED_BYTE * len(pickle.dumps(answer, pickle.HIGHEST_PROTOCOL))
