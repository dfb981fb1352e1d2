"""``manage.py import_sipri FILE.csv``: load SIPRI's arms-transfers trade register."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.ingest.management.commands.import_data import user_named, write_report
from apps.ingest.services.sipri import import_sipri


class Command(BaseCommand):
    help = (
        "Load the SIPRI Arms Transfers Database trade register (CSV): each deal a confirmed transfer "
        "sipri-<id>, each delivery year a part of it, SIPRI's claim on each deal. Re-importing a newer "
        "register updates changed deals and adds new ones."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.csv")
        parser.add_argument("--user", help="username the load is recorded under in the history")
        parser.add_argument("--dry-run", action="store_true", help="report what would change and write nothing")

    def handle(self, *args, **options):
        user = user_named(options["user"])
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        report = import_sipri(
            data,
            name=str(path),
            user=user,
            dry_run=options["dry_run"],
            progress=sys.stderr.isatty() and options["verbosity"] > 0,
        )
        write_report(self, report)
