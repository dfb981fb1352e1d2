"""Stored findings (docs/data-model.md, "Stored findings"): written only by the engine
(``apps.transfers.services.contraventions_for``), kept true by every write path, read by every
page, profile, count, filter and the API.

How a write keeps them true:

1. **Marking.** A write marks the transfers whose findings it may change in the queue
   (``FindingsQueue``), in its own transaction: a transfer's own save marks it (with
   ``cascade``: the other supplies counted under the same trade caps are marked when it is
   recomputed); a measure, a regime, an authority, a resolution, a provision, a vote, a
   designation, a country or an actor marks the transfers it bears on (``dependents``).
   The signals below mark for the models' saves and deletes and their many-to-many changes;
   the loader marks for what it writes (``apps.ingest.loader``).
2. **Recomputing.** A small set (up to ``sync_limit()`` transfers) is recomputed at once, in
   the same transaction, so the writer reads its own findings; a larger one is left in the
   queue and a background task (``recompute_queued``, Django's Tasks API through
   ``django-tasks``, run by ``manage.py db_worker``) works through it after the commit. The
   queue's length is shown wherever an answer depends on it ("being recomputed").
3. **Checking.** ``manage.py findings --check`` recomputes every transfer and prints every
   difference from what is stored; ``--rebuild`` rewrites them all.

A finding of an ongoing transfer runs "to today": stored with ``to_today``, so that it reads
the day it is read; ``refresh_ongoing`` recomputes the ongoing transfers written on an earlier
day (a measure or a listing that begins later is then in force).
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import EmptyResultSet
from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone

from apps.common.bulk import insert_new
from apps.common.cache import version_held
from apps.transfers import tallies
from apps.transfers.models import Audience, Finding, FindingsQueue, Transfer

# The version of the rules: raised when the engine's rules change, so that
# ``findings --check`` tells the rows written by older rules (5: a fractional quantity in a
# reason written without trailing zeros).
RULES_VERSION = 5


def sync_limit():
    """A write that marks at most this many transfers has them recomputed in its own
    transaction; more go to the background task (``FINDINGS_SYNC_LIMIT``, default 500)."""
    return settings.FINDINGS_SYNC_LIMIT


BATCH = 2000
CAP_KINDS = ("exceeds_cap", "counts_toward_cap")
PUBLIC = AnonymousUser()


# --- writing --------------------------------------------------------------------------


def _row(transfer, contravention, *, audience, rank, today):
    overlap = contravention.overlap
    to_today = transfer.ended_on is None and overlap.end == today
    cap = contravention.cap
    return Finding(
        transfer_id=transfer.pk,
        measure_id=contravention.measure.pk,
        supplier_id=transfer.supplier_id,
        recipient_id=transfer.recipient_id,
        transfer_started_on=transfer.started_on,
        transfer_reference=transfer.reference,
        published=transfer.review_status == "published",
        kind=contravention.finding,
        audience=audience,
        rank=rank,
        targets=contravention.targets,
        obliges=list(contravention.obliges),
        obliges_supplier="supplier" in contravention.obliges,
        obliges_recipient="recipient" in contravention.obliges,
        binding=contravention.binding,
        overlap_start=overlap.start,
        overlap_end=None if to_today else overlap.end,
        to_today=to_today,
        status=contravention.status,
        designation_id=contravention.designation.pk if contravention.designation else None,
        cap_period_start=cap.period.start if cap else None,
        cap_period_end=cap.period.end if cap else None,
        cap_quantity=cap.quantity if cap else None,
        cap_unit=cap.unit if cap else "",
        cap_total_low=cap.total_low if cap else None,
        cap_total_high=cap.total_high if cap else None,
        cap_counted=cap.counted if cap else None,
        cap_open_high=cap.open_high if cap else None,
        cap_uncounted=cap.uncounted if cap else None,
        reasons=list(contravention.reasons),
        rules_version=RULES_VERSION,
        computed_on=today,
    )


def compute_rows(transfers, *, today=None):
    """The rows the engine gives ``transfers`` (with their countries and actors loaded):
    every finding once for everyone, and a trade cap's finding once per audience."""
    from apps.transfers.services import contraventions_for

    today = today or timezone.localdate()
    transfers = list(transfers)
    rows = []
    everyone = contraventions_for(transfers, user=None, today=today)
    with_caps = []
    for transfer in transfers:
        found = everyone[transfer.pk]
        for rank, contravention in enumerate(found):
            audience = Audience.EDITORS if contravention.finding in CAP_KINDS else Audience.ANY
            rows.append(_row(transfer, contravention, audience=audience, rank=rank, today=today))
        if transfer.review_status == "published" and any(c.finding in CAP_KINDS for c in found):
            with_caps.append(transfer)
    if with_caps:
        public = contraventions_for(with_caps, user=PUBLIC, today=today)
        for transfer in with_caps:
            for rank, contravention in enumerate(public[transfer.pk]):
                if contravention.finding in CAP_KINDS:
                    rows.append(_row(transfer, contravention, audience=Audience.PUBLIC, rank=rank, today=today))
    return rows


def _load(transfer_ids):
    """The transfers with their countries and actors, each country and actor read once (a
    load's thousands of transfers share a few countries)."""
    return Transfer.objects.filter(pk__any_of=transfer_ids).prefetch_related(
        "supplier", "recipient", "supplier_actor", "recipient_actor"
    )


def write(transfer_ids, *, today=None):
    """Recompute and store the findings of ``transfer_ids`` (those deleted since are skipped),
    and count them in the findings' tally instead of those they replace."""
    from apps.transfers.services import reached_condition

    transfer_ids = list(transfer_ids)
    # Only the transfers the engine reads a measure or a designation for can have one.
    reachable = Transfer.objects.filter(reached_condition())
    # The findings written batch after batch change nothing the engine reads (measures,
    # designations, caps' totals, votes): what it reads for the first batch serves the others
    # (a load of 100,000 transfers to a capped country summed the caps' months 50 times).
    with version_held():
        _write_batches(transfer_ids, reachable, today)


def _write_batches(transfer_ids, reachable, today):
    for start in range(0, len(transfer_ids), BATCH):
        chunk = transfer_ids[start : start + BATCH]
        reached = list(reachable.filter(pk__any_of=chunk).values_list("pk", flat=True))
        rows = compute_rows(_load(reached), today=today) if reached else []
        before = tallies.stored_finding_keys(chunk)
        tallies.forget_leaving(chunk)
        Finding.objects.filter(transfer_id__any_of=chunk).delete()
        insert_new(Finding, rows)
        tallies.move_findings(before, tallies.finding_keys(tallies.rows_of(rows)))


# The columns ``state_of`` reads.
STATE_FIELDS = ("supplier_id", "recipient_id", "category", "started_on", "ended_on", "status")


def state_of(transfer):
    """What decides which trade caps count a transfer: its countries, category, reference day
    (its start, else its end) and whether it counts at all (not disproven)."""
    return state_of_values(tuple(getattr(transfer, name) for name in STATE_FIELDS))


def state_of_values(values):
    """``state_of`` a transfer from the values of its ``STATE_FIELDS``, in that order."""
    supplier_id, recipient_id, category, started_on, ended_on, status = values
    return (supplier_id, recipient_id, category, started_on or ended_on, status != "disproven")


def cap_groups(states):
    """``(measure pk, cap period start)`` of every trade cap that counts a transfer in one of
    ``states`` (``state_of``): in its sum, or among the supplies it could not count (another
    unit, no quantity, a less specific category)."""
    from apps.sanctions.choices import MeasureKind, category_and_ancestors, category_and_descendants
    from apps.sanctions.models import Measure
    from apps.transfers.caps import RECIPIENT_SIDE, SUPPLIER_SIDE, cap_period
    from apps.transfers.rule_inputs import in_force_period

    states = [state for state in states if state[3] is not None and state[4]]
    if not states:
        return set()
    countries = {state[0] for state in states} | {state[1] for state in states}
    caps = Measure.objects.filter(kind=MeasureKind.TRADE_CAP, regime__target_country__in=countries).select_related(
        "regime"
    )
    groups = set()
    for measure in caps:
        in_force = in_force_period(measure, measure.regime)
        if in_force is None:
            continue
        target = measure.regime.target_country_id
        counted = {c for covered in measure.covers for c in category_and_descendants(covered)}
        counted |= {c for covered in measure.covers for c in category_and_ancestors(covered)}
        for supplier, recipient, category, day, _live in states:
            on_side = (measure.direction in SUPPLIER_SIDE and supplier == target) or (
                measure.direction in RECIPIENT_SIDE and recipient == target
            )
            if not on_side or category not in counted:
                continue
            month = day.replace(day=1)
            period = cap_period(measure, in_force, month)
            if period.start and month < period.start.replace(day=1) or period.end and month > period.end:
                continue
            groups.add((measure.pk, period.start))
    return groups


def _in_cap_groups(groups):
    """The transfers with a stored cap finding in one of ``groups``."""
    if not groups:
        return set()
    condition = Q()
    for measure_id, period_start in groups:
        condition |= Q(measure_id=measure_id, cap_period_start=period_start)
    return set(Finding.objects.filter(condition, kind__in=CAP_KINDS).values_list("transfer_id", flat=True))


def peers_of(states, exclude=()):
    """The transfers counted under the same trade caps as transfers in ``states``."""
    return _in_cap_groups(cap_groups(states)) - set(exclude)


def recompute(transfer_ids, *, cascade=(), before=(), today=None):
    """Recompute ``transfer_ids`` now; for those in ``cascade`` (changed themselves), also every
    other supply counted under the same trade caps as they are now or were ``before`` (their
    earlier ``state_of``): their totals changed with them. Up to ``sync_limit()`` of those at once,
    the rest queued for the background task."""
    transfer_ids = set(transfer_ids)
    cascade = set(cascade) & transfer_ids
    write(sorted(transfer_ids), today=today)
    if not cascade:
        return
    # Only the columns a state is made of (``STATE_FIELDS``), read in chunks of the batch size.
    cascade = sorted(cascade)
    states = list(before)
    for start in range(0, len(cascade), BATCH):
        rows = Transfer.objects.filter(pk__any_of=cascade[start : start + BATCH]).values_list(*STATE_FIELDS)
        states.extend(state_of_values(values) for values in rows)
    peers = sorted(peers_of(states, exclude=transfer_ids))
    if len(peers) <= sync_limit():
        write(peers, today=today)
    else:
        mark(peers)
        transaction.on_commit(enqueue)


# --- the queue --------------------------------------------------------------------------


def _now():
    return timezone.now()


def mark(transfer_ids, *, cascade=False):
    """Queue ``transfer_ids`` for recomputation (in the current transaction)."""
    now = _now()
    FindingsQueue.objects.bulk_create(
        [FindingsQueue(transfer_id=pk, cascade=cascade, queued_at=now) for pk in transfer_ids],
        ignore_conflicts=True,
        batch_size=1000,
    )


def mark_where(condition, *, using="default"):
    """Queue every transfer matching ``condition`` (a ``Q`` on transfers), in one statement."""
    select = Transfer.objects.using(using).filter(condition).values("pk").distinct().order_by()
    try:
        sql, params = select.query.sql_with_params()
    except EmptyResultSet:
        # A condition that can match no transfer (a vote on a resolution of no regime).
        return 0
    connection = connections[using]
    table = FindingsQueue._meta.db_table
    now = connection.ops.adapt_datetimefield_value(_now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (transfer_id, cascade, queued_at) "
            f"SELECT marked.*, %s, %s FROM ({sql}) marked WHERE true ON CONFLICT DO NOTHING",
            [False, now, *params],
        )
        return cursor.rowcount


def queued_count():
    """How many transfers' findings are being recomputed now. A statement of its own text, not
    the ORM's: every answer that shows the count runs it, and the ORM's ``distinct().count()``
    took twice as long on an empty queue (0.49 ms against 0.24 ms on PostgreSQL, 2026-12-07),
    most of it building the statement."""
    connection = connections[router.db_for_read(FindingsQueue)]
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(DISTINCT transfer_id) FROM "{FindingsQueue._meta.db_table}"')
        return cursor.fetchone()[0]


def process(transfer_ids=None, *, limit=None, today=None):
    """Recompute the queued transfers (``transfer_ids`` of them, or any), up to ``limit``;
    returns how many were recomputed. Rows queued again meanwhile stay queued."""
    queued = FindingsQueue.objects.order_by("pk")
    if transfer_ids is not None:
        queued = queued.filter(transfer_id__in=list(transfer_ids))
    done = 0
    while limit is None or done < limit:
        size = BATCH if limit is None else min(BATCH, limit - done)
        rows = list(queued.values_list("pk", "transfer_id", "cascade")[:size])
        if not rows:
            break
        ids = {transfer_id for _pk, transfer_id, _c in rows}
        recompute(ids, cascade={t for _pk, t, c in rows if c}, today=today)
        FindingsQueue.objects.filter(pk__in=[pk for pk, _t, _c in rows]).delete()
        done += len(ids)
    return done


def settle(transfer_ids=None, *, cascade=False, before=(), using="default"):
    """After a write: recompute its marked transfers now when they are few, else leave them to
    the background task, enqueued once the write commits. ``before``: the earlier
    ``state_of`` of the transfers that changed (their former cap peers are recomputed too)."""
    if transfer_ids is not None:
        transfer_ids = list(transfer_ids)
        if len(transfer_ids) <= sync_limit():
            recompute(transfer_ids, cascade=transfer_ids if cascade else (), before=before)
            FindingsQueue.objects.filter(transfer_id__in=transfer_ids).delete()
            return
        mark(transfer_ids, cascade=cascade)
    elif FindingsQueue.objects.count() <= sync_limit():
        process()
        return
    transaction.on_commit(enqueue, using=using)


def enqueue():
    """Start the background recomputation (a no-op when tasks run in the foreground)."""
    from apps.transfers.tasks import recompute_queued

    recompute_queued.enqueue()


def refresh_ongoing(*, today=None):
    """Queue the ongoing transfers whose findings were written before ``today``."""
    today = today or timezone.localdate()
    stale = Finding.objects.filter(computed_on__lt=today, transfer__ended_on__isnull=True).values("transfer_id")
    return mark_where(Q(pk__in=stale) | Q(ended_on__isnull=True, findings__isnull=True, started_on__gt=today))


# --- what a write bears on ----------------------------------------------------------------


def transfers_of_countries(country_ids):
    return Q(supplier_id__in=country_ids) | Q(recipient_id__in=country_ids)


def transfers_of_actors(actor_ids):
    return Q(supplier_actor_id__in=actor_ids) | Q(recipient_actor_id__in=actor_ids)


def dependents_of_regimes(regimes):
    """The transfers a change of ``regimes`` (or of their measures) may change: those of their
    targets, those of the actors designated under them, and those with findings under them."""
    regimes = list(regimes)
    targets = [r.target_country_id for r in regimes if r.target_country_id]
    from apps.sanctions.models import Designation

    designated = Designation.objects.filter(regime__in=regimes).values("actor_id")
    condition = (
        transfers_of_countries(targets)
        | Q(supplier_actor_id__in=designated)
        | Q(recipient_actor_id__in=designated)
        | Q(findings__measure__regime__in=regimes)
    )
    return condition


def queue_where(condition, *, using="default"):
    """Mark the transfers matching ``condition`` and settle them (at once when few)."""
    ids = list(
        Transfer.objects.using(using).filter(condition).values_list("pk", flat=True).distinct()[: sync_limit() + 1]
    )
    if len(ids) <= sync_limit():
        if ids:
            settle(ids, using=using)
        return
    mark_where(condition, using=using)
    transaction.on_commit(enqueue, using=using)


# --- reading --------------------------------------------------------------------------


def audience_of(user):
    """The stored audiences ``user`` reads: editors the drafts-counted caps, others the public's."""
    from apps.common.roles import sees_drafts

    if user is None or sees_drafts(user):
        return (Audience.ANY, Audience.EDITORS)
    return (Audience.ANY, Audience.PUBLIC)


def finding_condition(*, kinds=(), measures=(), regimes=(), resolutions=(), obliges=(), prefix=""):
    """The condition on stored findings (``prefix``: the path to them, e.g. ``"findings__"``)
    that they are of one of ``kinds`` (a kind, or ``"contravening"``), under one of
    ``measures`` (pks), of one of ``regimes`` (pks), resting on one of ``resolutions`` (pks,
    through the measure's provisions) and oblige one of the countries ``obliges`` (pks)."""
    from apps.transfers.services import CONTRAVENING

    condition = Q()
    if kinds:
        wanted = set()
        for kind in kinds:
            wanted |= set(CONTRAVENING) if kind == "contravening" else {kind}
        condition &= Q(**{f"{prefix}kind__in": sorted(wanted)})
    if measures:
        condition &= Q(**{f"{prefix}measure__in": list(measures)})
    if regimes:
        condition &= Q(**{f"{prefix}measure__regime__in": list(regimes)})
    if resolutions:
        condition &= Q(**{f"{prefix}measure__provisions__resolution__in": list(resolutions)})
    if obliges:
        condition &= Q(**{f"{prefix}obliges_supplier": True, f"{prefix}transfer__supplier__in": list(obliges)}) | Q(
            **{f"{prefix}obliges_recipient": True, f"{prefix}transfer__recipient__in": list(obliges)}
        )
    return condition
