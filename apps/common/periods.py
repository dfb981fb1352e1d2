"""When a dated record applies: the one place that says whether two periods meet.

Standing records (a regime, a measure, a relationship, a designation) carry a start and an
end; an empty end means still in force, an empty start meets everything before. A transfer's
span is read by the rule of docs/data-model.md ("Time"): its dates widened by
``date_precision`` (a month-precision start is the first of its month, a month-precision end
the last day of its month; a year precision the first and last day of the year), and an
empty ``ended_on`` means ongoing, so it runs to today.

Each rule is given twice, once for records in memory (``Period.overlaps`` with ``span_of``
and ``transfer_span``) and once as a query condition (``overlapping`` and
``transfers_overlapping``); the tests hold the two to the same answers.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Q

DAY, MONTH, YEAR = "day", "month", "year"


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

    def intersection(self, other):
        """The days both periods share (call only when they overlap)."""
        starts = [day for day in (self.start, other.start) if day]
        ends = [day for day in (self.end, other.end) if day]
        return Period(max(starts) if starts else None, min(ends) if ends else None)

    def __str__(self):
        return f"{self.start or '…'} to {self.end or '…'}"


def span_of(record, *, start="started_on", end="ended_on"):
    """The period of a standing record: its dates, an empty end meaning still in force."""
    return Period(getattr(record, start), getattr(record, end))


def first_day(day, precision):
    """The first day ``day`` may stand for at ``precision``."""
    if precision == MONTH:
        return day.replace(day=1)
    if precision == YEAR:
        return day.replace(month=1, day=1)
    return day


def last_day(day, precision):
    """The last day ``day`` may stand for at ``precision``."""
    if precision == MONTH:
        return day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if precision == YEAR:
        return day.replace(month=12, day=31)
    return day


def _first_starting_on_or_after(day, precision):
    """The earliest date whose widened start (``first_day``) is not before ``day``; None when
    the calendar has none (``day`` is past the first of the last month or year there is,
    9999-12 or 9999)."""
    if first_day(day, precision) == day:
        return day
    if day.year == datetime.MAXYEAR and (precision == YEAR or day.month == 12):
        return None
    if precision == MONTH:
        return last_day(day, MONTH) + datetime.timedelta(days=1)
    return datetime.date(day.year + 1, 1, 1)


def transfer_span(transfer, *, today):
    """The days a transfer may have taken place on: its dates widened by its precision; an
    empty end is ongoing, to ``today``; an empty start meets everything before its end."""
    precision = transfer.date_precision
    start = first_day(transfer.started_on, precision) if transfer.started_on else None
    if transfer.ended_on:
        return Period(start, last_day(transfer.ended_on, precision))
    return Period(start, max(today, start) if start else today)


def overlapping(start, end, *, prefix=""):
    """A condition on standing records (through the relation ``prefix``, e.g. ``"regime__"``)
    whose period meets [``start``, ``end``]; either side may be None (unbounded)."""
    started, ended = f"{prefix}started_on", f"{prefix}ended_on"
    condition = Q()
    if start:
        condition &= Q(**{f"{ended}__gte": start}) | Q(**{f"{ended}__isnull": True})
    if end:
        condition &= Q(**{f"{started}__lte": end}) | Q(**{f"{started}__isnull": True})
    return condition


def transfers_overlapping(start, end, *, today):
    """A condition on transfers whose span (``transfer_span``) meets [``start``, ``end``]."""
    condition = Q()
    if start:
        reaches = Q()
        for precision in (DAY, MONTH, YEAR):
            reaches |= Q(date_precision=precision, ended_on__gte=first_day(start, precision))
        # Ongoing: to today, or to its (widened) start if that is later.
        ongoing = Q(ended_on__isnull=True)
        if start > today:
            later = Q()
            for precision in (DAY, MONTH, YEAR):
                first = _first_starting_on_or_after(start, precision)
                if first is not None:  # else no start at that precision reaches ``start``
                    later |= Q(date_precision=precision, started_on__gte=first)
            ongoing &= later
        condition &= reaches | ongoing
    if end:
        begins = Q(started_on__isnull=True)
        for precision in (DAY, MONTH, YEAR):
            begins |= Q(date_precision=precision, started_on__lte=last_day(end, precision))
        condition &= begins
    return condition
