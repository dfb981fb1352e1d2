"""``load_records``, which runs the passes of a load, and the one pass kept here.

``scan`` (``scan.py``) reads every record and works out its natural key and the keys it refers to, then
looks up which of them are stored; ``allocate`` (here) gives every new object its primary
key; ``apply`` (``apply.py``) reads the records again, batch by batch, builds and validates their instances and
hands the valid ones to ``writes``. The package docstring tells the whole story. The passes
share one ``Load``: the options of the load, its report, and what the scan learnt.
"""

import dataclasses
import datetime
import gc
import re
from collections import defaultdict
from contextlib import contextmanager

from django.db import DatabaseError, transaction
from django.utils import timezone

from apps.common.bulk import analyze_grown
from apps.common.conflicts import conflict_message, conflict_sqlstate
from apps.common.registry import contract_labels
from apps.common.roles import is_reviewer
from apps.ingest.loader.apply import apply
from apps.ingest.loader.ids import allocate_pks, placeholder_pks
from apps.ingest.loader.keys import reference_keys
from apps.ingest.loader.scan import scan
from apps.ingest.services.contract import spec_for_label
from apps.ingest.services.records import LoadError, LoadFailed, LoadReport, Location
from apps.transfers.signals import after_load

BATCH_SIZE = 2000
# Loads of up to this many records are read once and kept for the apply pass; larger ones
# are read again, so that memory stays flat whatever the size of the load. (Read here at run
# time: a test patches it on this module.)
KEEP_RECORDS = 50_000
# Where the report places a load's clash with another writer (no record is to blame).
CONFLICT_LOCATION = "(the database)"


@dataclasses.dataclass(slots=True, eq=False, kw_only=True)
class Load:
    """One load: its options, its report, and what the scan pass learnt for the others.

    The options are ``load_records``'s: ``sources``, ``user``, ``dry_run``, ``batch_size``,
    ``progress`` and ``change_reason``. The rest:

    - ``user_id``: the primary key of ``user`` (None without one), stamped on the rows.
    - ``may_publish``: whether the load may set ``review_status`` (publish or unpublish):
      a reviewer's load, or one without a user (an operator's command line).
    - ``report``: the ``LoadReport`` returned: counts per model and every error.
    - ``now``: the one time stamp of every row and history row the load writes.
    - ``in_load``: ``{spec: {natural key: Location of its first record}}``.
    - ``referenced``: ``{spec: {natural key}}``, the keys the records refer to.
    - ``pk_of``: ``{spec: {natural key: pk}}``, of stored objects and, once allocated, of new ones.
    - ``existing_pks``: ``{spec: {pk}}``, the primary keys of the rows already stored.
    - ``skip``: the ``Location`` of each record rejected while scanning, not applied.
    - ``key_at``: ``{(spec, Location): natural key}``, each record's key as the scan worked it out.
    - ``reference_key``: ``(target spec, reference as written) -> normalised natural key``,
      each reference worked out once (see ``keys.reference_keys``).
    - ``total``: the number of records read.
    - ``kept``: the records the scan read, for the apply pass; None once there are more than
      ``keep_records`` (``KEEP_RECORDS``) of them (the sources are then read again).
    - ``written``: ``{model: [pk]}`` of the records created or changed, whose findings are
      written before the load ends (``apps.transfers.signals.after_load``).
    - ``transfers_before``: the ``state_of`` of the transfers it changed, as they were.
    - ``rows_before``: ``{model: [row]}``, the stored values of the transfers and claims it
      changed, as they were: the tallies count them where they are instead.
    """

    sources: list
    user: object = None
    dry_run: bool = False
    batch_size: int = BATCH_SIZE
    progress: bool = False
    change_reason: str = "import"
    user_id: int | None = dataclasses.field(init=False)
    keep_records: int = dataclasses.field(init=False)
    may_publish: bool = dataclasses.field(init=False)
    report: LoadReport = dataclasses.field(init=False)
    now: datetime.datetime = dataclasses.field(default_factory=timezone.now)
    in_load: defaultdict = dataclasses.field(default_factory=lambda: defaultdict(dict))
    referenced: defaultdict = dataclasses.field(default_factory=lambda: defaultdict(set))
    pk_of: defaultdict = dataclasses.field(default_factory=lambda: defaultdict(dict))
    existing_pks: defaultdict = dataclasses.field(default_factory=lambda: defaultdict(set))
    skip: set = dataclasses.field(default_factory=set)
    key_at: dict = dataclasses.field(default_factory=dict)
    reference_key: object = dataclasses.field(default_factory=reference_keys)
    total: int = 0
    kept: list | None = dataclasses.field(default_factory=list)
    written: defaultdict = dataclasses.field(default_factory=lambda: defaultdict(list))
    transfers_before: list = dataclasses.field(default_factory=list)
    rows_before: defaultdict = dataclasses.field(default_factory=lambda: defaultdict(list))

    def __post_init__(self):
        # Read when the load starts, so that a test may lower it (large loads, read twice).
        self.keep_records = KEEP_RECORDS
        self.user_id = self.user.pk if self.user is not None else None
        self.may_publish = self.user is None or is_reviewer(self.user)
        self.report = LoadReport(dry_run=self.dry_run)

    def error(self, location, model="", field="", message=""):
        self.report.errors.append(LoadError(location, model, field, message))

    @property
    def writing(self):
        """Whether the batches are written: not on a dry run, and not after an error."""
        return not self.dry_run and not self.report.errors


# Python's cyclic garbage collector runs a first-generation pass every 700 new objects by
# default, and every hundredth of those passes walks every object alive: a load makes
# millions of objects and keeps tens of thousands (its records, instances and findings), so
# the walks of a growing heap took a tenth of a 20,000-transfer load. During a load the
# first pass waits for this many (the objects a load keeps are freed by their reference
# counts, not by the collector; its peak memory did not change).
LOAD_GC_THRESHOLD = 100_000


@contextmanager
def fewer_collections():
    """Python's collector run less often while a load runs, as it was after."""
    before = gc.get_threshold()
    gc.set_threshold(LOAD_GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def load_records(sources, *, user=None, dry_run=False, batch_size=BATCH_SIZE, progress=False, change_reason="import"):
    """Validate and upsert every record of ``sources`` (objects with a ``records()`` method
    that can be read twice); return a ``LoadReport``. Nothing is written when any record is
    bad, nor on a dry run."""
    with fewer_collections():
        return _load_records(sources, user, dry_run, batch_size, progress, change_reason)


def _load_records(sources, user, dry_run, batch_size, progress, change_reason):
    load = Load(
        sources=sources,
        user=user,
        dry_run=dry_run,
        batch_size=batch_size,
        progress=progress,
        change_reason=change_reason,
    )
    if dry_run:
        _run_passes(load)
        return _in_contract_order(load.report)
    try:
        with transaction.atomic():
            _run_passes(load)
            if load.report.errors:
                raise LoadFailed(load.report)
            _analyze_grown(load)
            # The findings of what it wrote, in the same transaction: none is ever stale.
            after_load(load.written, before=load.transfers_before, rows_before=load.rows_before)
    except LoadFailed:
        pass
    except DatabaseError as error:
        # A deadlock or serialization failure with another writer: the transaction was rolled
        # back whole. Reported, not retried: the load runs again as it is (loads are idempotent).
        sqlstate = conflict_sqlstate(error)
        if sqlstate is None:
            raise
        load.error(Location(CONFLICT_LOCATION), message=conflict_message(sqlstate, 1))
    return _in_contract_order(load.report)


class RecordList:
    """Records already in memory (the official lists' importers build them)."""

    def __init__(self, records):
        self._records = list(records)

    def records(self):
        return iter(self._records)


def _analyze_grown(load):
    """The tables the load grew by a tenth or more, analysed before anything reads them."""
    for label, counts in load.report.counts.items():
        spec = spec_for_label(label)
        if spec is not None:
            analyze_grown(spec.model, counts.created)


def _run_passes(load):
    scan(load)
    allocate(load)
    apply(load)


def _in_contract_order(report):
    report.errors.sort(key=_error_order)
    report.counts = {label: report.counts[label] for label in contract_labels() if label in report.counts}
    return report


def _error_order(error):
    number = re.search(r"\d+", error.location.where)
    return (error.location.file, int(number.group()) if number else 0)


# -- allocate ----------------------------------------------------------------------------------


def allocate(load):
    """Give every new object its primary key (placeholders on a dry run)."""
    taken = 0
    for spec, keys in load.in_load.items():
        new_keys = [key for key in keys if key not in load.pk_of[spec]]
        if load.dry_run:
            pks = placeholder_pks(len(new_keys), taken=taken)
            taken += len(new_keys)
        else:
            pks = allocate_pks(spec.model, len(new_keys))
        load.pk_of[spec].update(zip(new_keys, pks, strict=True))
