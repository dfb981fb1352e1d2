"""The validating loader: every object checked, every error reported, all or nothing.

A load of up to ``KEEP_RECORDS`` records is read once and kept in memory; a larger one
reads its sources twice and holds only natural keys in memory, so it streams:

1. *Scan*: read every record, check its model and field names, work out its natural key,
   and note every key it refers to. Then look up, in one query per model and chunk, which
   of those keys already exist, and give every new object its primary key in advance (from
   the table's sequence on PostgreSQL, after the current maximum on SQLite). With every key
   resolved, a record may refer forward to one later in the same file or in another file.
2. *Apply*: take the records again (kept, or read again) in batches of one model; for each
   batch fetch the stored rows in one query, build the instances, run the model's own validation
   (``clean_fields()``, ``clean()``, its check constraints evaluated in Python), compare with
   the stored row, and write the new and changed rows with ``bulk_create``/``bulk_update``,
   their history rows through simple-history's ``bulk_history_create``, their
   many-to-many rows in bulk, and the links each new history row holds.

The whole apply pass runs in one transaction; the first error stops the writing, the
validation goes on to the end so that every error is reported, and the transaction is rolled
back. Foreign keys are checked by the database at commit (Django declares them deferred), so
the order in which records arrive does not matter.

Fields a record leaves out keep their stored value on an update and take the model default on
a create; a many-to-many field that is given replaces the stored set.

The modules:

- ``load``: ``load_records``, ``RecordList`` and the allocate pass, running the passes;
  ``BATCH_SIZE`` and ``KEEP_RECORDS`` are defined there and read from there.
- ``scan`` and ``apply``: the first and the last pass.
- ``keys``: reading a record's natural key and its references; looking up stored keys.
- ``ids``: primary keys allocated ahead, per database vendor.
- ``constraints``: a model's check constraints evaluated in Python on an instance.
- ``writes``: the writes of a batch (``COPY`` on PostgreSQL, ``bulk_create`` elsewhere).
"""

from apps.ingest.loader.load import BATCH_SIZE, RecordList, load_records
from apps.ingest.services.records import Record

__all__ = ["BATCH_SIZE", "Record", "RecordList", "load_records"]
