"""``manage.py import_un_list FILE.xml``: load one version of the UN consolidated list."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.ingest.management.commands.import_data import user_named, write_report
from apps.ingest.services.un import import_un_list


class Command(BaseCommand):
    help = (
        "Load the UN Security Council consolidated list (XML): regimes, actors and designations. "
        "Re-importing a newer list updates what changed and marks designations no longer listed as delisted."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.xml")
        parser.add_argument("--user", help="username the load is recorded under in the history")
        parser.add_argument("--dry-run", action="store_true", help="report what would change and write nothing")

    def handle(self, *args, **options):
        user = user_named(options["user"])
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        report = import_un_list(
            data,
            name=str(path),
            user=user,
            dry_run=options["dry_run"],
            progress=sys.stderr.isatty() and options["verbosity"] > 0,
        )
        write_report(self, report)
