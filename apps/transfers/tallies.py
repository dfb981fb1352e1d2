"""Tallies: the transfers, claims, findings and designations counted ahead of the reads that
count them (the network of countries and the graph, a country's profile and page, the home
page's numbers), so that the first read after a write does not group a million transfers again.

- ``TransferTally``: per supplier, recipient, category, status and published or not, how many
  transfers, how many of them have no end, the earliest start and the latest recorded end.
- ``TransferYearTally``: per country, year of start and published or not, how many transfers
  it was party to (a country's timeline).
- ``ClaimTally``: the claims, by whether each is published and whether its transfer is (the
  public reads those that both are).
- ``FindingTally``: the transfers between two countries by the set of contravening findings a
  reader reads (a country's profile: the transfers behind each resolution, the findings that
  oblige it).
- ``DesignationTally``: the designations of a country's actors by the year they were listed.

They are counts, not rules: which sanctions a transfer would break is the engine's alone
(``apps.transfers.services``), stored as findings (``apps.transfers.findings``).

How every write keeps them exact, in its own transaction:

- A transfer saved or deleted leaves the bucket it was counted in and joins the one it is in
  now (``move``): nothing is written when neither changed (an edit of its description or
  quantity); else one upsert adds the differences of the counts (a newcomer may move the
  earliest start or latest end, compared in the same statement), and only a bucket whose
  earliest start or latest end left with a transfer has those two read again, from its own
  transfers on the index ``transfer_tally_bucket``. A bucket left empty is deleted. The same
  move counts it out of its countries' years and into their new ones (``TransferYearTally``).
- A claim saved or deleted, and a transfer published or returned to draft (its claims with
  it), move between the rows of ``ClaimTally`` (``move_claims``); a designation saved or
  deleted, and an actor given another country (its designations with it), between those of
  ``DesignationTally`` (``move_designations``).
- Findings are written by ``findings.write`` alone, which moves the transfers it rewrites
  between the rows of ``FindingTally``; those that go by cascade (a transfer, a measure or a
  designation deleted) are counted out after the deletion (``findings_leaving``,
  ``findings_left``).
- The loader writes without signals: ``after_load`` is given what it wrote and the rows it
  changed (transfers, claims, designations, actors) as they were before.

The upserts only add to what is stored, so two writers of the same bucket at once add up, and
a bucket's dates read again are read once the writer holds its row. ``manage.py tallies
--check`` compares the tallies with a fresh count, ``--rebuild`` counts everything again.
"""

import functools
import operator
import threading
from collections import Counter, namedtuple

from django.db import connections, transaction
from django.db.models import Count, Max, Min, Q, Sum

from apps.actors.models import Actor
from apps.common.choices import ReviewStatus
from apps.sanctions.models import Designation
from apps.transfers.models import (
    Audience,
    Claim,
    ClaimTally,
    DesignationTally,
    Finding,
    FindingTally,
    Transfer,
    TransferTally,
    TransferYearTally,
)
from apps.transfers.services import CONTRAVENING

PUBLISHED = ReviewStatus.PUBLISHED
NOT_PUBLISHED = [status for status in ReviewStatus.values if status != PUBLISHED]
# A tally's bucket, and what a transfer counts in it.
BUCKET = ("supplier_id", "recipient_id", "category", "status", "published")
Counted = namedtuple("Counted", [*BUCKET, "started_on", "ended_on"])
# The transfer's columns that decide what it counts toward.
FIELDS = ("supplier_id", "recipient_id", "category", "status", "review_status", "started_on", "ended_on")
_FIELD = {name: Transfer._meta.get_field(name.removesuffix("_id")) for name in FIELDS}
# The models whose earlier rows the loader hands to ``after_load``: what a tally counts (transfers,
# claims, designations) and what a designation's tally is keyed by (its actor's country).
TALLIED = frozenset({Transfer, Claim, Designation}) | {Actor}
# A country's transfers by year (``TransferYearTally``).
YEAR_KEY = ("country_id", "year", "published")
UPSERT_ROWS = 500
CHUNK = 2000


# --- what a transfer and a claim count toward -----------------------------------------------


def counted(transfer):
    """What ``transfer`` (a ``Transfer``, or a dict of its ``FIELDS``) counts toward: its
    bucket and its dates, as the database holds them."""
    values = {name: _FIELD[name].to_python(_value(transfer, name)) for name in FIELDS}
    return Counted(
        supplier_id=values["supplier_id"],
        recipient_id=values["recipient_id"],
        category=values["category"],
        status=values["status"],
        published=values["review_status"] == PUBLISHED,
        started_on=values["started_on"],
        ended_on=values["ended_on"],
    )


def _value(source, name):
    return source[name] if isinstance(source, dict) else getattr(source, name)


def stored_counted(pks, *, using="default"):
    """``{pk: Counted}`` of the stored transfers ``pks``."""
    found = {}
    pks = list(pks)
    for start in range(0, len(pks), CHUNK):
        rows = Transfer._base_manager.using(using).filter(pk__any_of=pks[start : start + CHUNK]).values("pk", *FIELDS)
        for row in rows:
            found[row["pk"]] = counted(row)
    return found


def claim_key(claim_status, transfer_status):
    """A claim's row of ``ClaimTally``: (the claim is published, its transfer is)."""
    return (claim_status == PUBLISHED, transfer_status == PUBLISHED)


def stored_claim_key(pk, *, using="default"):
    """The ``ClaimTally`` row claim ``pk`` is counted in now (None: no such claim)."""
    row = Claim._base_manager.using(using).filter(pk=pk).values_list("review_status", "transfer__review_status").first()
    return claim_key(*row) if row else None


# --- moving transfers between buckets -------------------------------------------------------


class _Delta:
    __slots__ = ("transfers", "open_ended", "first_start", "last_end", "left_first", "left_last", "left")

    def __init__(self):
        self.transfers = self.open_ended = 0
        self.first_start = self.last_end = self.left_first = self.left_last = None
        self.left = False


def _earlier(a, b):
    return b if a is None or (b is not None and b < a) else a


def _later(a, b):
    return b if a is None or (b is not None and b > a) else a


def move(removed=(), added=(), *, using="default"):
    """Take the transfers ``removed`` (``Counted``, as they were) out of their buckets and count
    ``added`` (as they are now) in theirs. A transfer in both, unchanged, costs nothing."""
    removed, added = Counter(removed), Counter(added)
    same = removed & added
    removed, added = removed - same, added - same
    if not removed and not added:
        return
    deltas = {}
    for state, n in added.items():
        delta = deltas.setdefault(state[:5], _Delta())
        delta.transfers += n
        delta.open_ended += n if state.ended_on is None else 0
        delta.first_start = _earlier(delta.first_start, state.started_on)
        delta.last_end = _later(delta.last_end, state.ended_on)
    for state, n in removed.items():
        delta = deltas.setdefault(state[:5], _Delta())
        delta.transfers -= n
        delta.open_ended -= n if state.ended_on is None else 0
        delta.left = True
        delta.left_first = _earlier(delta.left_first, state.started_on)
        delta.left_last = _later(delta.left_last, state.ended_on)
    years = Counter()
    for states, sign in ((added, 1), (removed, -1)):
        for state, n in states.items():
            for country_id in (state.supplier_id, state.recipient_id):
                years[year_key(country_id, state.started_on, state.published)] += sign * n
    with transaction.atomic(using=using):
        _upsert(deltas, using)
        _after_leaving({bucket: delta for bucket, delta in deltas.items() if delta.left}, using)
        _add(TransferYearTally, YEAR_KEY, "transfers", years, using)


def year_key(country_id, started_on, published):
    """A transfer's row of ``TransferYearTally`` for one of its countries."""
    return (country_id, started_on.year if started_on else 0, published)


def _upsert(deltas, using):
    """Add ``deltas`` to the stored buckets (creating those not stored yet), in bucket order."""
    connection = connections[using]
    table = connection.ops.quote_name(TransferTally._meta.db_table)
    date = connection.ops.adapt_datefield_value
    columns = "supplier_id, recipient_id, category, status, published, transfers, open_ended, first_start, last_end"
    conflict = (
        " ON CONFLICT (supplier_id, recipient_id, category, status, published) DO UPDATE SET "
        f"transfers = {table}.transfers + excluded.transfers, "
        f"open_ended = {table}.open_ended + excluded.open_ended, "
        f"first_start = CASE WHEN {table}.first_start IS NULL OR excluded.first_start < {table}.first_start "
        f"THEN excluded.first_start ELSE {table}.first_start END, "
        f"last_end = CASE WHEN {table}.last_end IS NULL OR excluded.last_end > {table}.last_end "
        f"THEN excluded.last_end ELSE {table}.last_end END"
    )
    rows = [
        (*bucket, delta.transfers, delta.open_ended, date(delta.first_start), date(delta.last_end))
        for bucket, delta in sorted(deltas.items())
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPSERT_ROWS):
            chunk = rows[start : start + UPSERT_ROWS]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values}{conflict}", [v for row in chunk for v in row]
            )


def _bucket_condition(bucket, prefix=""):
    supplier_id, recipient_id, category, status, published = bucket
    return Q(
        **{
            f"{prefix}supplier_id": supplier_id,
            f"{prefix}recipient_id": recipient_id,
            f"{prefix}category": category,
            f"{prefix}status": status,
        }
    )


def _transfers_in(bucket, *, using="default"):
    """The transfers counted in ``bucket``."""
    transfers = Transfer._base_manager.using(using).filter(_bucket_condition(bucket))
    if bucket[4]:
        return transfers.filter(review_status=PUBLISHED)
    return transfers.filter(review_status__in=NOT_PUBLISHED)


def _after_leaving(deltas, using):
    """Buckets transfers left: delete the empty ones; read the earliest start and the latest
    end again of those whose own left with a transfer."""
    if not deltas:
        return
    buckets = list(deltas)
    stored = []
    for start in range(0, len(buckets), 100):
        condition = functools.reduce(
            operator.or_,
            (_bucket_condition(b) & Q(published=b[4]) for b in buckets[start : start + 100]),
        )
        stored += (
            TransferTally.objects.using(using)
            .filter(condition)
            .values_list("pk", *BUCKET, "transfers", "first_start", "last_end")
        )
    empty = []
    for pk, *bucket, transfers, first_start, last_end in stored:
        delta = deltas[tuple(bucket)]
        if transfers == 0:
            empty.append(pk)
            continue
        first_left = delta.left_first is not None and (first_start is None or delta.left_first <= first_start)
        last_left = delta.left_last is not None and (last_end is None or delta.left_last >= last_end)
        if first_left or last_left:
            dates = _transfers_in(tuple(bucket), using=using).aggregate(first=Min("started_on"), last=Max("ended_on"))
            if (dates["first"], dates["last"]) != (first_start, last_end):
                TransferTally.objects.using(using).filter(pk=pk).update(
                    first_start=dates["first"], last_end=dates["last"]
                )
    if empty:
        TransferTally.objects.using(using).filter(pk__in=empty).delete()


# --- moving claims --------------------------------------------------------------------------


def _add(model, keys, column, delta, using):
    """Add ``delta`` (``{key: n}``, ``key`` the values of the columns ``keys``) to ``column`` of
    ``model``'s rows, creating those not stored yet; delete the rows it leaves at 0."""
    rows = [(*key, n) for key, n in sorted(delta.items()) if n]
    if not rows:
        return
    connection = connections[using]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join((*keys, column))
    conflict = f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {column} = {table}.{column} + excluded.{column}"
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for start in range(0, len(rows), UPSERT_ROWS):
            chunk = rows[start : start + UPSERT_ROWS]
            values = ", ".join(["(" + ", ".join(["%s"] * len(chunk[0])) + ")"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {values}{conflict}", [v for row in chunk for v in row]
            )
        left = [key for key, n in delta.items() if n < 0]
        for start in range(0, len(left), 100):
            condition = functools.reduce(
                operator.or_, (Q(**dict(zip(keys, key, strict=True))) for key in left[start : start + 100])
            )
            model.objects.using(using).filter(condition, **{column: 0}).delete()


def move_claims(removed=(), added=(), *, using="default"):
    """Count the claims ``removed`` (``claim_key``s, as they were) out and ``added`` in."""
    delta = Counter(added)
    delta.subtract(Counter(removed))
    _add(ClaimTally, ("claim_published", "transfer_published"), "claims", delta, using)


def claims_of_transfer(transfer_id, *, published_before, published_now, using="default"):
    """A transfer published or returned to draft: its claims move with it."""
    if published_before == published_now:
        return
    rows = (
        Claim._base_manager.using(using)
        .filter(transfer_id=transfer_id)
        .values_list("review_status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    removed, added = Counter(), Counter()
    for status, n in rows:
        removed[(status == PUBLISHED, published_before)] += n
        added[(status == PUBLISHED, published_now)] += n
    move_claims(removed, added, using=using)


# --- the loader -----------------------------------------------------------------------------


def after_load(written, rows_before, *, using="default"):
    """After the loader wrote ``written`` (``{model: [pk, ...]}``, new and changed records;
    ``rows_before``: ``{model: [row, ...]}``, the stored values of the transfers and claims it
    changed, as they were): count them where they are now instead of where they were."""
    transfers = list(dict.fromkeys(written.get(Transfer, ())))
    before = {row["id"]: counted(row) for row in rows_before.get(Transfer, ())}
    now = stored_counted(transfers, using=using)
    move(before.values(), now.values(), using=using)
    _designations_after_load(written, rows_before, using)
    claims = set(written.get(Claim, ()))
    flipped = {pk for pk, state in before.items() if pk in now and now[pk].published != state.published}
    if not claims and not flipped:
        return
    claims_before = {row["id"]: row for row in rows_before.get(Claim, ())}
    # Whether a transfer was published before the load: as it was if the load changed it.
    asked = {row["transfer_id"] for row in claims_before.values()} - set(before)
    published_before = {pk: state.published for pk, state in before.items()}
    asked_list = sorted(asked)
    for start in range(0, len(asked_list), CHUNK):
        for pk, status in (
            Transfer._base_manager.using(using)
            .filter(pk__any_of=asked_list[start : start + CHUNK])
            .values_list("pk", "review_status")
        ):
            published_before[pk] = status == PUBLISHED
    removed, added = Counter(), Counter()
    for row in claims_before.values():
        removed[(row["review_status"] == PUBLISHED, published_before.get(row["transfer_id"], False))] += 1
    ordered = sorted(claims)
    for start in range(0, len(ordered), CHUNK):
        for claim_status, transfer_status, n in (
            Claim._base_manager.using(using)
            .filter(pk__any_of=ordered[start : start + CHUNK])
            .values_list("review_status", "transfer__review_status")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            added[claim_key(claim_status, transfer_status)] += n
    # The claims the load left as they were, of the transfers it published or returned to draft.
    flipped_list = sorted(flipped)
    for start in range(0, len(flipped_list), CHUNK):
        for pk, transfer_id, status in (
            Claim._base_manager.using(using)
            .filter(transfer_id__any_of=flipped_list[start : start + CHUNK])
            .values_list("pk", "transfer_id", "review_status")
        ):
            if pk in claims:
                continue
            removed[(status == PUBLISHED, published_before[transfer_id])] += 1
            added[(status == PUBLISHED, now[transfer_id].published)] += 1
    move_claims(removed, added, using=using)


# --- the findings' tally -------------------------------------------------------------------

# The stored audiences each reader of ``FindingTally`` reads (``findings.audience_of``).
READERS = {Audience.PUBLIC: (Audience.ANY, Audience.PUBLIC), Audience.EDITORS: (Audience.ANY, Audience.EDITORS)}
FINDING_KEY = ("supplier_id", "recipient_id", "published", "audience", "findings")
# A stored finding's columns the tally reads.
FINDING_COLUMNS = (
    "transfer_id",
    "supplier_id",
    "recipient_id",
    "published",
    "audience",
    "measure_id",
    "kind",
    "obliges_supplier",
    "obliges_recipient",
)


def element(measure_id, kind, obliges_supplier, obliges_recipient):
    """One finding as ``FindingTally.findings`` writes it."""
    return f"{measure_id}:{kind}:{int(bool(obliges_supplier))}{int(bool(obliges_recipient))}"


def elements(findings):
    """``[(measure id, kind, obliges the supplier, obliges the recipient)]`` of ``FindingTally.findings``."""
    found = []
    for item in findings.split():
        measure_id, kind, sides = item.split(":")
        found.append((int(measure_id), kind, sides[0] == "1", sides[1] == "1"))
    return found


def finding_keys(rows):
    """``{transfer id: Counter of FindingTally keys}`` of the stored findings ``rows``
    (``FINDING_COLUMNS`` tuples): each transfer counted once per reader, under the set of its
    contravening findings that reader reads."""
    per = {}
    for transfer_id, supplier_id, recipient_id, published, audience, measure_id, kind, by_s, by_r in rows:
        if kind not in CONTRAVENING:
            continue
        for reader, audiences in READERS.items():
            if audience in audiences:
                entry = per.setdefault((transfer_id, reader), (supplier_id, recipient_id, bool(published), set()))
                entry[3].add(element(measure_id, kind, by_s, by_r))
    keys = {}
    for (transfer_id, reader), (supplier_id, recipient_id, published, found) in per.items():
        key = (supplier_id, recipient_id, published, str(reader), " ".join(sorted(found)))
        keys.setdefault(transfer_id, Counter())[key] += 1
    return keys


def rows_of(findings):
    """``FINDING_COLUMNS`` tuples of ``Finding`` objects."""
    return [tuple(getattr(finding, name) for name in FINDING_COLUMNS) for finding in findings]


def stored_finding_keys(transfer_ids, *, using="default"):
    """``finding_keys`` of the stored findings of ``transfer_ids``. Every finding of theirs is
    read (``finding_keys`` leaves out those that do not contravene): a condition on the kind
    too led the planner to the kind's index, every finding of a kind tested against the whole
    list of transfers (130 ms for 2,000 transfers among 16,000 findings, against 6 ms)."""
    transfer_ids = list(transfer_ids)
    rows = []
    for start in range(0, len(transfer_ids), CHUNK):
        rows += (
            Finding.objects.using(using)
            .filter(transfer_id__any_of=transfer_ids[start : start + CHUNK])
            .values_list(*FINDING_COLUMNS)
        )
    return finding_keys(rows)


def _total(keys):
    total = Counter()
    for counter in keys.values():
        total.update(counter)
    return total


def move_findings(removed, added, *, using="default"):
    """Count the transfers of ``removed`` (``finding_keys``, as their findings were) out and
    those of ``added`` (as they are now) in."""
    delta = _total(added)
    delta.subtract(_total(removed))
    _add(FindingTally, FINDING_KEY, "transfers", delta, using)


# The transfers whose findings a deletion in progress takes with it (a transfer, a measure, a
# designation: their findings go by cascade, without signals), with their tally keys as they
# were; counted again once the records are gone (``findings_leaving``, ``findings_left``).
_leaving = threading.local()


def findings_leaving(transfer_ids, *, using="default"):
    """Before a deletion: remember the tally keys of ``transfer_ids``'s findings."""
    leaving = _leaving.__dict__.setdefault(using, {})
    new = [pk for pk in transfer_ids if pk not in leaving]
    keys = stored_finding_keys(new, using=using)
    for pk in new:
        leaving[pk] = keys.get(pk, Counter())


def findings_left(*, using="default"):
    """After a deletion: count the transfers remembered by ``findings_leaving`` as their
    findings are now (the deletion's cascades have all run before the first ``post_delete``)."""
    leaving = _leaving.__dict__.pop(using, None)
    if leaving:
        move_findings(leaving, stored_finding_keys(leaving, using=using), using=using)


def forget_leaving(transfer_ids, *, using="default"):
    """``findings.write`` counts what it rewrites itself: no deletion counts it again."""
    leaving = _leaving.__dict__.get(using)
    if leaving:
        for pk in transfer_ids:
            leaving.pop(pk, None)


# --- designations ----------------------------------------------------------------------------


def designation_key(country_id, listed_on):
    """A designation's row of ``DesignationTally``: its actor's country and its year (0: no
    date); None for an actor of no country (no country's profile counts it)."""
    if country_id is None:
        return None
    listed_on = Designation._meta.get_field("listed_on").to_python(listed_on)
    return (country_id, listed_on.year if listed_on else 0)


def stored_designation_key(pk, *, using="default"):
    """The ``DesignationTally`` row designation ``pk`` is counted in now (None: none)."""
    row = Designation._base_manager.using(using).filter(pk=pk).values_list("actor__country_id", "listed_on").first()
    return designation_key(*row) if row else None


def move_designations(removed=(), added=(), *, using="default"):
    """Count the designations ``removed`` (``designation_key``s, as they were) out and ``added`` in."""
    delta = Counter(key for key in added if key is not None)
    delta.subtract(Counter(key for key in removed if key is not None))
    _add(DesignationTally, ("country_id", "year"), "designations", delta, using)


def designations_of_actor(actor_id, *, country_before, country_now, using="default"):
    """An actor given another country: its designations move with it."""
    if country_before == country_now:
        return
    removed, added = Counter(), Counter()
    for listed_on in (
        Designation._base_manager.using(using).filter(actor_id=actor_id).values_list("listed_on", flat=True)
    ):
        removed[designation_key(country_before, listed_on)] += 1
        added[designation_key(country_now, listed_on)] += 1
    move_designations(removed.elements(), added.elements(), using=using)


def _designations_after_load(written, rows_before, using):
    """The designations a load wrote, and those of the actors it gave another country."""
    designations = set(written.get(Designation, ()))
    actors_before = {row["id"]: row["country_id"] for row in rows_before.get(Actor, ())}
    actors_now = dict(
        Actor._base_manager.using(using).filter(pk__in=list(actors_before)).values_list("pk", "country_id")
    )
    moved = {pk for pk, country in actors_before.items() if actors_now.get(pk) != country}
    if not designations and not moved:
        return
    designations_before = {row["id"]: row for row in rows_before.get(Designation, ())}
    # An actor's country before the load: as it was if the load changed it.
    country_before = dict(actors_before)
    asked = sorted({row["actor_id"] for row in designations_before.values()} - set(country_before))
    for start in range(0, len(asked), CHUNK):
        country_before.update(
            Actor._base_manager.using(using)
            .filter(pk__any_of=asked[start : start + CHUNK])
            .values_list("pk", "country_id")
        )
    removed = Counter(
        designation_key(country_before.get(row["actor_id"]), row["listed_on"]) for row in designations_before.values()
    )
    added = Counter()
    ordered = sorted(designations)
    for start in range(0, len(ordered), CHUNK):
        for country_id, listed_on in (
            Designation._base_manager.using(using)
            .filter(pk__any_of=ordered[start : start + CHUNK])
            .values_list("actor__country_id", "listed_on")
        ):
            added[designation_key(country_id, listed_on)] += 1
    # The designations the load left as they were, of the actors it moved.
    for pk, actor_id, listed_on in (
        Designation._base_manager.using(using)
        .filter(actor_id__in=sorted(moved))
        .values_list("pk", "actor_id", "listed_on")
    ):
        if pk not in designations:
            removed[designation_key(country_before[actor_id], listed_on)] += 1
            added[designation_key(actors_now[actor_id], listed_on)] += 1
    move_designations(removed.elements(), added.elements(), using=using)


# --- counting afresh ----------------------------------------------------------------------


def fresh_transfer_tallies(*, using="default"):
    """``{bucket: (transfers, open_ended, first_start, last_end)}`` counted from the transfers now."""
    rows = (
        Transfer._base_manager.using(using)
        .values("supplier_id", "recipient_id", "category", "status", "review_status")
        .annotate(
            n=Count("pk"),
            open=Count("pk", filter=Q(ended_on__isnull=True)),
            first=Min("started_on"),
            last=Max("ended_on"),
        )
        .order_by()
    )
    found = {}
    for row in rows:
        bucket = (row["supplier_id"], row["recipient_id"], row["category"], row["status"])
        bucket += (row["review_status"] == PUBLISHED,)
        n, open_ended, first, last = found.get(bucket, (0, 0, None, None))
        found[bucket] = (
            n + row["n"],
            open_ended + row["open"],
            _earlier(first, row["first"]),
            _later(last, row["last"]),
        )
    return found


def fresh_year_tallies(*, using="default"):
    """``{(country pk, year, published): transfers}`` counted from the transfers now."""
    return year_counts(Transfer._base_manager.using(using))


def year_counts(transfers):
    """``{(country pk, year, published): transfers}`` of the ``transfers`` (a queryset; the
    migration that adds the tally passes its historical model's), in one grouped query."""
    found = Counter()
    rows = (
        transfers.values_list("supplier_id", "recipient_id", "started_on__year", "review_status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for supplier_id, recipient_id, year, status, n in rows:
        for country_id in (supplier_id, recipient_id):
            found[(country_id, year or 0, status == PUBLISHED)] += n
    return dict(found)


def stored_year_tallies(*, using="default"):
    rows = TransferYearTally.objects.using(using).values_list(*YEAR_KEY, "transfers")
    return {tuple(row[:3]): row[3] for row in rows if row[3]}


def stored_transfer_tallies(*, using="default"):
    return {
        tuple(row[:5]): tuple(row[5:])
        for row in TransferTally.objects.using(using).values_list(
            *BUCKET, "transfers", "open_ended", "first_start", "last_end"
        )
    }


def fresh_claim_tallies(*, using="default"):
    """``{(claim published, transfer published): claims}`` counted from the claims now."""
    found = Counter()
    for claim_status, transfer_status, n in (
        Claim._base_manager.using(using)
        .values_list("review_status", "transfer__review_status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        found[claim_key(claim_status, transfer_status)] += n
    return dict(found)


def stored_claim_tallies(*, using="default"):
    rows = ClaimTally.objects.using(using).values_list("claim_published", "transfer_published", "claims")
    return {(claim, transfer): n for claim, transfer, n in rows if n}


def fresh_finding_tallies(*, using="default"):
    """``{FindingTally key: transfers}`` counted from the stored findings now."""
    rows = Finding.objects.using(using).filter(kind__in=CONTRAVENING).values_list(*FINDING_COLUMNS).order_by()
    return dict(_total(finding_keys(rows.iterator(chunk_size=10_000))))


def stored_finding_tallies(*, using="default"):
    rows = FindingTally.objects.using(using).values_list(*FINDING_KEY, "transfers")
    return {tuple(row[:5]): row[5] for row in rows if row[5]}


def fresh_designation_tallies(*, using="default"):
    """``{(country pk, year): designations}`` counted from the designations now."""
    found = Counter()
    rows = Designation._base_manager.using(using).filter(actor__country__isnull=False)
    for country_id, listed_on in rows.values_list("actor__country_id", "listed_on").iterator(chunk_size=10_000):
        found[designation_key(country_id, listed_on)] += 1
    return dict(found)


def stored_designation_tallies(*, using="default"):
    rows = DesignationTally.objects.using(using).values_list("country_id", "year", "designations")
    return {(country, year): n for country, year, n in rows if n}


def differences(*, using="default"):
    """``[(tally, key, stored, counted)]``: every row of the tallies that is not a fresh count."""
    found = []
    for name, stored, fresh in (
        ("transfers", stored_transfer_tallies(using=using), fresh_transfer_tallies(using=using)),
        ("transfer years", stored_year_tallies(using=using), fresh_year_tallies(using=using)),
        ("claims", stored_claim_tallies(using=using), fresh_claim_tallies(using=using)),
        ("findings", stored_finding_tallies(using=using), fresh_finding_tallies(using=using)),
        ("designations", stored_designation_tallies(using=using), fresh_designation_tallies(using=using)),
    ):
        for key in sorted(set(stored) | set(fresh), key=repr):
            if stored.get(key) != fresh.get(key):
                found.append((name, key, stored.get(key), fresh.get(key)))
    return found


def rebuild(*, using="default"):
    """Count every transfer and claim again; returns the number of rows written."""
    with transaction.atomic(using=using):
        TransferTally.objects.using(using).all().delete()
        ClaimTally.objects.using(using).all().delete()
        TransferTally.objects.using(using).bulk_create(
            [
                TransferTally(
                    supplier_id=bucket[0],
                    recipient_id=bucket[1],
                    category=bucket[2],
                    status=bucket[3],
                    published=bucket[4],
                    transfers=n,
                    open_ended=open_ended,
                    first_start=first,
                    last_end=last,
                )
                for bucket, (n, open_ended, first, last) in sorted(fresh_transfer_tallies(using=using).items())
            ],
            batch_size=1000,
        )
        ClaimTally.objects.using(using).bulk_create(
            [
                ClaimTally(claim_published=claim, transfer_published=transfer, claims=n)
                for (claim, transfer), n in sorted(fresh_claim_tallies(using=using).items())
            ]
        )
        FindingTally.objects.using(using).all().delete()
        FindingTally.objects.using(using).bulk_create(
            [
                FindingTally(**dict(zip(FINDING_KEY, key, strict=True)), transfers=n)
                for key, n in sorted(fresh_finding_tallies(using=using).items())
            ],
            batch_size=1000,
        )
        TransferYearTally.objects.using(using).all().delete()
        TransferYearTally.objects.using(using).bulk_create(
            [
                TransferYearTally(**dict(zip(YEAR_KEY, key, strict=True)), transfers=n)
                for key, n in sorted(fresh_year_tallies(using=using).items())
            ],
            batch_size=1000,
        )
        DesignationTally.objects.using(using).all().delete()
        DesignationTally.objects.using(using).bulk_create(
            [
                DesignationTally(country_id=country, year=year, designations=n)
                for (country, year), n in sorted(fresh_designation_tallies(using=using).items())
            ],
            batch_size=1000,
        )
    tallied = (TransferTally, TransferYearTally, ClaimTally, FindingTally, DesignationTally)
    return sum(model.objects.using(using).count() for model in tallied)


# --- reading --------------------------------------------------------------------------------


def transfer_tallies(*, published_only):
    """The stored buckets the reader counts: the published ones, or every one."""
    rows = TransferTally.objects.all()
    return rows.filter(published=True) if published_only else rows


def claims_count(*, published_only):
    """How many claims the reader reads: both published, or all."""
    rows = ClaimTally.objects.all()
    if published_only:
        rows = rows.filter(claim_published=True, transfer_published=True)
    return rows.aggregate(n=Sum("claims"))["n"] or 0


def finding_tallies(country, *, user):
    """The ``FindingTally`` rows of the transfers ``country`` is party to, as ``user`` reads
    them: ``[(supplier id, recipient id, elements, transfers)]``."""
    from apps.transfers.findings import audience_of

    reader = Audience.EDITORS if Audience.EDITORS in audience_of(user) else Audience.PUBLIC
    rows = FindingTally.objects.filter(Q(supplier=country) | Q(recipient=country), audience=reader)
    if reader == Audience.PUBLIC:
        rows = rows.filter(published=True)
    return [
        (supplier_id, recipient_id, elements(findings), n)
        for supplier_id, recipient_id, findings, n in rows.values_list(
            "supplier_id", "recipient_id", "findings", "transfers"
        )
    ]


def transfers_by_year(country, *, published_only):
    """``{year: transfers}`` that ``country`` was party to (0: no start date), the published
    ones or all."""
    rows = TransferYearTally.objects.filter(country=country)
    if published_only:
        rows = rows.filter(published=True)
    counted = Counter()
    for year, n in rows.values_list("year", "transfers"):
        counted[year] += n
    return dict(counted)


def designations_by_year(country):
    """``{year: designations}`` of the actors of ``country`` (0: no listing date)."""
    return dict(DesignationTally.objects.filter(country=country).values_list("year", "designations"))
