"""When a dated record applies: the one place that says whether two periods meet.

Records carry ``started_on`` and ``ended_on``. How an empty end is read is the only choice a
caller makes: ``ONGOING`` (a regime, a measure or a relationship without an end is still in
force) or ``POINT`` (the transfers' reading today: a transfer without an end is read as
happening on its start date). A missing start, or an unbounded side of the period asked
about, meets everything on that side. The same rule is given twice, once for records in
memory (``Period.overlaps``) and once as a query condition (``overlapping``); the tests hold
the two to the same answers for every record with a date.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q

ONGOING = "ongoing"
POINT = "point"


@dataclass(frozen=True)
class Period:
    """A span of dates; ``None`` on a side means unbounded on that side."""

    start: datetime.date | None
    end: datetime.date | None

    def overlaps(self, other):
        """Whether the two periods share at least one day."""
        if self.start and other.end and other.end < self.start:
            return False
        return not (self.end and other.start and other.start > self.end)


def span_of(record, *, open_end):
    """The period of a record with ``started_on``/``ended_on``, reading an empty end as
    ``open_end`` says."""
    if open_end == POINT:
        return Period(record.started_on or record.ended_on, record.ended_on or record.started_on)
    return Period(record.started_on, record.ended_on)


def overlapping(start, end, *, open_end, prefix=""):
    """A condition on records (through the relation ``prefix``, e.g. ``"regime__"``) whose
    period meets [``start``, ``end``]; either side may be None (unbounded)."""
    started, ended = f"{prefix}started_on", f"{prefix}ended_on"
    condition = Q()
    if open_end == POINT:
        if start:
            condition &= Q(**{f"{ended}__gte": start}) | Q(**{f"{ended}__isnull": True, f"{started}__gte": start})
        if end:
            condition &= Q(**{f"{started}__lte": end}) | Q(**{f"{started}__isnull": True, f"{ended}__lte": end})
        return condition
    if start:
        condition &= Q(**{f"{ended}__gte": start}) | Q(**{f"{ended}__isnull": True})
    if end:
        condition &= Q(**{f"{started}__lte": end}) | Q(**{f"{started}__isnull": True})
    return condition
