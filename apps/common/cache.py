"""Answers cached until the data changes: one "data version" number in the cache, bumped on
every write, is part of every key, so a write makes every answer cached before it unreachable
(they expire on their own) without finding or deleting them.

Every write path bumps it:

- a save or delete of any contract model (``post_save``, ``post_delete``; the admin's
  publish and return-to-draft actions save each record), and a change to any of their
  many-to-many relations (``m2m_changed``): connected in ``connect_signals``;
- the loader (``import_data``, the upload page, the official lists), which writes with
  ``COPY`` and bulk operations that send no signals: ``apps.ingest.loader.writes`` calls
  ``data_changed`` for each batch it writes.

``data_changed`` bumps at once (a later read in the same transaction, or a test, sees the
change) and again when the transaction commits: a reader that took the bumped number before
the commit, and cached what it read then, is made stale by the second bump.

The cache is Django's (``CACHES``: local memory in one process, Redis when ``REDIS_URL`` is
set, shared by every app server). A version key evicted from the cache starts again from the
clock in nanoseconds, above any number it held before.
"""

import hashlib
import json
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "data-version"


def data_version():
    """The current data version (set from the clock when the cache has none)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def _bump():
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not in the cache (never set, or evicted)
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)


def data_changed(using=None):
    """Make every cached answer stale: now, and once more when the current transaction of
    ``using`` commits (at once when there is none)."""
    _bump()
    transaction.on_commit(_bump, using=using)


def cache_key(name, *parts, version=None):
    """The key of answer ``name`` for ``parts`` (JSON-serialisable) at the current data version
    (or at ``version``)."""
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]
    return f"answer:{name}:{data_version() if version is None else version}:{digest}"


# Answers also kept unpickled in this process (``in_process``), by their full key, for the
# current data version only.
_in_process = {}
_in_process_version = None
MAX_IN_PROCESS = 256


def cached_answer(name, parts, compute, *, in_process=False):
    """``compute()``, cached under ``name`` and ``parts`` until the data changes (or
    ``ANSWER_CACHE_SECONDS`` pass).

    ``in_process``: also keep the answer in this process, as it is, for an answer read on
    many requests that costs more to unpickle from the cache than to look up (model
    instances with what they prefetched). Its key holds the data version, read from the
    shared cache on every call, so a write anywhere makes it stale here too. The caller must
    not change what it gets: the next request gets the same objects."""
    global _in_process_version
    version = data_version()
    key = cache_key(name, *parts, version=version)
    if in_process:
        if version != _in_process_version:  # answers of older versions are never read again
            _in_process.clear()
            _in_process_version = version
        # One look-up, not a test and then a read: another thread may clear it between the two.
        answer = _in_process.get(key)
        if answer is not None:
            return answer
    answer = cache.get(key)
    if answer is None:
        answer = compute()
        cache.set(key, answer, timeout=getattr(settings, "ANSWER_CACHE_SECONDS", 3600))
    if in_process:
        if len(_in_process) >= MAX_IN_PROCESS:
            _in_process.clear()
        _in_process[key] = answer
    return answer


def _on_write(sender, using=None, **kwargs):
    data_changed(using=using)


def _on_m2m(sender, action, using=None, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        data_changed(using=using)


def connect_signals():
    """Bump the version on every write of a contract model or its many-to-many rows."""
    from apps.common.registry import contract_models

    for model in contract_models():
        uid = f"data-version:{model._meta.label_lower}"
        post_save.connect(_on_write, sender=model, dispatch_uid=f"{uid}:save", weak=False)
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"{uid}:delete", weak=False)
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(_on_m2m, sender=through, dispatch_uid=f"{uid}:{field.name}", weak=False)
