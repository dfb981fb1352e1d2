"""``manage.py import_vetoes FILE.csv``: load the Dag Hammarskjöld Library's list of vetoed drafts."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.ingest.management.commands.import_data import user_named, write_report
from apps.ingest.services.un_votes import import_vetoes


class Command(BaseCommand):
    help = (
        "Load the Dag Hammarskjöld Library's veto list (CSV): each vetoed draft with outcome vetoed and a no vote "
        "by each member that vetoed it; the other members' votes already stored are kept."
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
        report = import_vetoes(
            data,
            name=str(path),
            user=user,
            dry_run=options["dry_run"],
            progress=sys.stderr.isatty() and options["verbosity"] > 0,
        )
        write_report(self, report)
