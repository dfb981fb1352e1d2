"""``manage.py findings``: the stored findings (``apps.transfers.findings``).

manage.py findings --check      recompute every transfer's findings, print every difference
                                from what is stored; exit 1 when there is one
manage.py findings --rebuild    recompute and store every transfer's findings
manage.py findings --process    work through the queue of transfers being recomputed
manage.py findings --refresh-ongoing
                                queue and recompute the ongoing transfers written on an
                                earlier day (the background worker does this daily)
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from apps.transfers import findings
from apps.transfers.models import Finding, FindingsQueue, Transfer

# What a stored row says: every column but its id and the day it was written.
COMPARED = [
    f.attname
    for f in Finding._meta.concrete_fields
    if f.attname not in ("id", "computed_on", "transfer_id", "overlap_end", "to_today")
]


def _key(row):
    return (row.audience, row.rank)


def _said(row):
    values = {name: getattr(row, name) for name in COMPARED}
    # An ongoing transfer's overlap written on another day still runs "to today".
    values["overlap_end"] = "today" if row.to_today else row.overlap_end
    for name in ("cap_quantity", "cap_total_low", "cap_total_high"):
        if values[name] is not None:
            values[name] = values[name].normalize()
    return values


def differences(transfers, *, today=None):
    """``[(transfer reference, audience, rank, field, stored, computed)]`` for ``transfers``."""
    transfers = list(transfers)
    computed = {}
    for row in findings.compute_rows(transfers, today=today):
        computed.setdefault(row.transfer_id, {})[_key(row)] = _said(row)
    stored = {}
    for row in Finding.objects.filter(transfer_id__in=[t.pk for t in transfers]):
        stored.setdefault(row.transfer_id, {})[_key(row)] = _said(row)
    found = []
    for transfer in transfers:
        mine, theirs = stored.get(transfer.pk, {}), computed.get(transfer.pk, {})
        for key in sorted(set(mine) | set(theirs)):
            if key not in mine:
                found.append((transfer.reference, *key, "(missing)", None, theirs[key]["kind"]))
            elif key not in theirs:
                found.append((transfer.reference, *key, "(extra)", mine[key]["kind"], None))
            else:
                for name, value in theirs[key].items():
                    if mine[key][name] != value:
                        found.append((transfer.reference, *key, name, mine[key][name], value))
    return found


class Command(BaseCommand):
    help = "Check, rebuild or work through the stored findings of the transfers."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true", help="print every difference; exit 1 if any")
        action.add_argument("--rebuild", action="store_true", help="recompute and store every finding")
        action.add_argument("--process", action="store_true", help="work through the recomputation queue")
        action.add_argument("--refresh-ongoing", action="store_true", help="recompute ongoing transfers")
        action.add_argument(
            "--schedule-daily", action="store_true", help="have the worker refresh ongoing transfers every day"
        )
        parser.add_argument("--batch", type=int, default=findings.BATCH, help="transfers per batch")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1")
        if options["process"]:
            self.stdout.write(f"{findings.process()} transfer(s) recomputed")
            return
        if options["schedule_daily"]:
            from apps.transfers.tasks import refresh_ongoing, tomorrow_early

            result = refresh_ongoing.using(run_after=tomorrow_early()).enqueue()
            self.stdout.write(f"ongoing transfers refreshed daily by the worker from {tomorrow_early()} ({result.id})")
            return
        if options["refresh_ongoing"]:
            findings.refresh_ongoing()
            self.stdout.write(f"{findings.process()} ongoing transfer(s) recomputed")
            return
        ids = list(Transfer.objects.order_by("pk").values_list("pk", flat=True))
        bar = tqdm(total=len(ids), unit="transfer", file=sys.stderr, disable=options["no_progress"])
        found = 0
        for start in range(0, len(ids), options["batch"]):
            chunk = ids[start : start + options["batch"]]
            if options["rebuild"]:
                with transaction.atomic():
                    findings.write(chunk)
                    FindingsQueue.objects.filter(transfer_id__in=chunk).delete()
            else:
                transfers = Transfer.objects.filter(pk__in=chunk).select_related(
                    "supplier", "recipient", "supplier_actor", "recipient_actor"
                )
                for reference, audience, rank, name, stored, computed in differences(transfers):
                    found += 1
                    self.stdout.write(
                        f"{reference} [{audience} #{rank}] {name}: stored {stored!r}, computed {computed!r}"
                    )
            bar.update(len(chunk))
        bar.close()
        if options["rebuild"]:
            self.stdout.write(f"{len(ids)} transfer(s) rebuilt, {Finding.objects.count()} finding(s) stored")
            return
        if found:
            self.stderr.write(f"{found} difference(s) between the stored findings and the rules")
            sys.exit(1)
        self.stdout.write(f"{len(ids)} transfer(s) checked: the stored findings are the rules' findings")
