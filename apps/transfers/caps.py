"""Trade caps: how much of a capped commodity went to (or from) a target in a cap period, and
the words a finding says it in (docs/data-model.md, "Trade caps").

A ``trade_cap`` measure (2397's 500,000 barrels of refined petroleum a year to the DPRK) is
checked by summing every supply to or from its target in its categories over the cap period,
in the cap's unit: ``cap_month_totals`` reads those sums by month in one grouped query per side
(a whole counted as the larger of its own quantity and its parts', never both), and
``cap_count`` adds up the months of one period into a ``CapCount``. ``count_cap`` writes the
reasons of an ``exceeds_cap`` or ``counts_toward_cap`` finding (``apps.transfers.services``).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BigIntegerField, Case, Count, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest, Lower, TruncMonth

from apps.common.cache import cached_answer
from apps.common.periods import Period
from apps.common.roles import sees_drafts
from apps.sanctions.choices import (
    CapPeriod,
    Direction,
    ObligedParty,
    category_and_ancestors,
    category_and_descendants,
)
from apps.transfers.choices import TransferStatus
from apps.transfers.models import Transfer

# The sides of a flow a measure's direction reaches: its target supplying, or receiving.
SUPPLIER_SIDE = (Direction.EXPORTS_FROM_TARGET, Direction.BOTH)
RECIPIENT_SIDE = (Direction.IMPORTS_TO_TARGET, Direction.BOTH)


@dataclass
class CapCount:
    """A trade cap's arithmetic for one cap period: the supplies counted in the cap's unit
    (low and high ends) and those that could not be counted."""

    period: Period
    quantity: Decimal
    unit: str
    total_low: Decimal = Decimal(0)
    total_high: Decimal = Decimal(0)
    counted: int = 0
    open_high: int = 0
    uncounted: int = 0
    parts: int = 0

    @property
    def exceeded(self):
        return self.total_low > self.quantity

    @property
    def remaining(self):
        """How far the low total is below the cap (negative: above it)."""
        return self.quantity - self.total_low


def number_text(value):
    """A quantity as reasons write it: thousands separated, no decimals when whole, and no
    trailing zeros the column's three decimal places add (500,000.5, not 500,000.500)."""
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value.normalize():,}"


def unit_key(unit):
    """Units compared loosely: "Barrels", "barrel " and "barrels" are one unit."""
    return (unit or "").strip().lower().removesuffix("s")


def country_text(country):
    return f"{country.name} ({country.iso2})"


def cap_month_totals(caps, *, user):
    """``{(side, country, category, unit key, month): (low, high, counted, open_high, total, parts)}`` of
    every transfer ``user`` may read (None: all), not disproven, in the categories of the trade
    ``caps``, to or from their targets, in one grouped query per side.

    Cached until the next write (``apps.common.cache``), per set of caps and audience: the sums
    read every supply of the capped categories (at a million transfers, a quarter of a second),
    and they are the same for every transfer and every request until the data changes."""
    audience = "system" if user is None else sees_drafts(user)
    return cached_answer(
        "cap-month-totals-with-parts",
        [sorted(m.pk for m in caps), audience],
        lambda: _cap_month_totals(caps, user=user),
        in_process=True,
    )


def _cap_month_totals(caps, *, user):
    totals = {}
    categories = {leaf for m in caps for covered in m.covers for leaf in category_and_descendants(covered)}
    categories |= {c for m in caps for covered in m.covers for c in category_and_ancestors(covered)}
    if not caps:
        return totals
    for side, directions in ((ObligedParty.SUPPLIER, SUPPLIER_SIDE), (ObligedParty.RECIPIENT, RECIPIENT_SIDE)):
        targets = {m.regime.target_country_id for m in caps if m.direction in directions}
        if not targets:
            continue
        # ``user`` None is the system (the admin panel, scripts): every transfer counts.
        readable = Transfer.objects.all() if user is None else Transfer.objects.visible_to(user)
        live = readable.exclude(status=TransferStatus.DISPROVEN)
        # A whole counts as the larger of its own quantity and the sum of its parts: its parts
        # are counted in their own months, the whole only for what it has beyond them.
        rows = (
            live.filter(**{f"{side}__in": targets}, category__in=categories)
            .annotate(
                month=TruncMonth(Coalesce("started_on", "ended_on")),
                unit=Lower("quantity_unit"),
                own_low=beyond_parts(live, "quantity_low", "quantity_high"),
                own_high=beyond_parts(live, "quantity_high", "quantity_low"),
            )
            .values(side, "category", "unit", "month")
            .annotate(
                low=Sum("own_low"),
                high=Sum("own_high"),
                with_quantity=Count("pk", filter=Q(quantity_low__isnull=False) | Q(quantity_high__isnull=False)),
                open_high=Count("pk", filter=Q(quantity_low__isnull=False, quantity_high__isnull=True)),
                transfers=Count("pk"),
                parts=Count("pk", filter=Q(part_of__isnull=False)),
            )
            .order_by()
        )
        for row in rows:
            month = row["month"]
            if month is None:
                continue  # an undated transfer cannot be placed in a cap period
            if isinstance(month, datetime.datetime):
                month = month.date()
            key = (side, row[side], row["category"], unit_key(row["unit"]), month)
            low, high, counted, open_high, total, parts = totals.get(key, (0, 0, 0, 0, 0, 0))
            totals[key] = (
                low + (row["low"] or 0),
                high + (row["high"] or 0),
                counted + row["with_quantity"],
                open_high + row["open_high"],
                total + row["transfers"],
                parts + row["parts"],
            )
    return totals


def beyond_parts(live, first, second):
    """A transfer's quantity (``first``, else ``second``) beyond the sum of its parts' (none
    below zero): what a whole adds to a sum in which its parts are counted."""
    parts = (
        live.filter(part_of=OuterRef("pk"))
        .order_by()
        .values("part_of")
        .annotate(total=Sum(Coalesce(first, second)))
        .values("total")
    )
    quantity = Coalesce(first, second)
    return Case(
        When(**{f"{first}__isnull": True, f"{second}__isnull": True}, then=Value(None)),
        default=Greatest(quantity - Coalesce(Subquery(parts), Value(0)), Value(0)),
        output_field=BigIntegerField(),
    )


def cap_period(measure, in_force, reference_month):
    """The cap period a delivery in ``reference_month`` is counted in, within ``in_force``."""
    if measure.cap_period == CapPeriod.CALENDAR_YEAR:
        period = Period(reference_month.replace(month=1), reference_month.replace(month=12, day=31))
    elif measure.cap_period == CapPeriod.ROLLING_12_MONTHS:
        year, month = reference_month.year, reference_month.month - 11
        if month < 1:
            year, month = year - 1, month + 12
        end = (reference_month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(1)
        period = Period(datetime.date(year, month, 1), end)
    else:
        period = in_force
    return period.intersection(in_force)


def cap_count(measure, side, country_id, in_force, reference_month, cap_months):
    """The ``CapCount`` of ``measure`` on the ``side`` country ``country_id`` for a delivery in
    ``reference_month`` (the first of the month its start, else its end, falls in), from
    ``cap_month_totals``: the same for every delivery of that month."""
    period = cap_period(measure, in_force, reference_month)
    cap = CapCount(period=period, quantity=measure.cap_quantity, unit=measure.cap_unit)
    covered = {leaf for c in measure.covers for leaf in category_and_descendants(c)}
    unit = unit_key(measure.cap_unit)
    first_month = period.start.replace(day=1) if period.start else None
    for (row_side, row_country, category, row_unit, month), values in cap_months.items():
        if row_side != side or row_country != country_id:
            continue
        if (first_month and month < first_month) or (period.end and month > period.end):
            continue
        low, high, counted, open_high, total, parts = values
        if category in covered and row_unit == unit:
            cap.total_low += Decimal(low)
            cap.total_high += Decimal(high)
            cap.counted += counted
            cap.open_high += open_high
            cap.uncounted += total - counted
            cap.parts += parts
        else:
            cap.uncounted += total
    return cap


def cap_total_text(cap):
    """A cap period's total in words: "at least N unit", "N–M unit" or "N unit"."""
    if cap.open_high:
        return f"at least {number_text(cap.total_low)} {cap.unit}"
    if cap.total_high != cap.total_low:
        return f"{number_text(cap.total_low)}–{number_text(cap.total_high)} {cap.unit}"
    return f"{number_text(cap.total_low)} {cap.unit}"


def cap_standing_text(cap):
    """How far the low total is from the cap, in words."""
    gap = cap.remaining
    return (
        f"{number_text(-gap)} {cap.unit} above the cap" if gap < 0 else f"{number_text(gap)} {cap.unit} below the cap"
    )


def count_cap(measure, side, transfer, in_force, context, reasons):
    """Sum the supplies the cap of ``measure`` holds together with ``transfer``."""
    reference = transfer.started_on or transfer.ended_on
    if reference is None:
        return None
    cap = cap_count(
        measure, side, getattr(transfer, f"{side}_id"), in_force, reference.replace(day=1), context.cap_months()
    )
    period = cap.period
    target = country_text(getattr(transfer, side))
    flow = "to" if side == ObligedParty.RECIPIENT else "from"
    standing = cap_standing_text(cap)
    total = cap_total_text(cap)
    if cap.open_high:
        total += f" ({cap.open_high} given only as a lower bound)"
    reasons.append(
        f"The cap is {number_text(cap.quantity)} {cap.unit} per {CapPeriod(measure.cap_period).label.lower()}; "
        f"supplies of {', '.join(measure.covers)} {flow} {target} from {period.start} to {period.end} total "
        f"{total} over {cap.counted} transfer(s) (not disproven), the low end {standing}."
    )
    if cap.parts:
        reasons.append(
            f"{cap.parts} of those transfers are parts of a larger recorded transfer: a whole is counted as the "
            f"larger of its own quantity and the sum of its parts, never both."
        )
    if cap.uncounted:
        reasons.append(
            f"{cap.uncounted} transfer(s) in that period are in another unit, without a quantity or of a less "
            f"specific category: not counted, so the total may be higher."
        )
    return cap
