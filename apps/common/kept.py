"""What a process keeps in memory between requests, in one store bounded by bytes.

Three kinds of things are kept, all under keys of their own kind (the first item of the key):

- ``"read"``: the API's compiled reads (``apps.common.compiled``: list pages, details, the
  change feed's keys);
- ``"plan"``: the list plans of ``apps.common.api.rows`` (a serializer read once per
  audience and address);
- ``"answer"``: answers kept unpickled in the process (``apps.common.cache.cached_answer``
  with ``in_process=True``).

Keys come partly from clients (a list page's filters, the Host header), so the store holds
no more than ``COMPILED_READS_MAX_BYTES`` (read when something is added), the least recently
used dropped first. The size of each value is estimated by its kind (``kept_bytes``, plus
its key's ``repr``); a value larger than the whole budget is not kept.

A value worked out from the data at one version (``data_version``) is kept until the version
changes; everything of an older version is dropped then, so that a site written to all day
keeps no more than one version's values. Safe for the threads of a gthread worker: every
look-up and change holds one lock; working a value out does not.
"""

import threading
from collections import OrderedDict

from django.conf import settings

MISSING = object()


class KeptStore:
    """Values by key, within ``COMPILED_READS_MAX_BYTES``, least recently used dropped first."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = OrderedDict()  # key: (value, bytes, data version or None)
        self._version = None
        self.bytes = 0

    def get(self, key, data_version=None):
        """The value kept under ``key`` (now the most recently used), or ``MISSING``."""
        with self._lock:
            self._follow(data_version)
            entry = self._entries.get(key)
            if entry is None:
                return MISSING
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key, value, size, data_version=None):
        """Keep ``value`` (about ``size`` bytes) under ``key``, dropping the least recently
        used past the budget; a value larger than the whole budget is not kept."""
        size += len(repr(key))
        budget = settings.COMPILED_READS_MAX_BYTES
        with self._lock:
            self._follow(data_version)
            self._drop(key)
            if size > budget:
                return
            self._entries[key] = (value, size, data_version)
            self.bytes += size
            while self.bytes > budget:
                self._drop(next(iter(self._entries)))

    def key_list(self, kind=None, *, for_data=None):
        """The keys kept, least recently used first; ``kind``: only those of that kind;
        ``for_data``: only those worked out from the data (True) or only the others (False)."""
        with self._lock:
            return [
                key
                for key, (_, _, version) in self._entries.items()
                if (kind is None or key[0] == kind) and (for_data is None or (version is not None) == for_data)
            ]

    def clear(self):
        with self._lock:
            self._entries.clear()
            self.bytes = 0

    def _follow(self, data_version):
        if data_version is None or data_version == self._version:
            return
        for key in [key for key, (_, _, version) in self._entries.items() if version is not None]:
            self._drop(key)
        self._version = data_version

    def _drop(self, key):
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.bytes -= entry[1]


store = KeptStore()


def kept(kind, key, compute, size, *, data_version=None):
    """The value of ``kind`` kept under ``key``, worked out by ``compute()`` the first time and
    kept at about ``size(value)`` bytes; see ``KeptStore`` for ``data_version``."""
    full_key = (kind, *key)
    value = store.get(full_key, data_version)
    if value is MISSING:
        value = compute()
        store.put(full_key, value, size(value), data_version)
    return value
