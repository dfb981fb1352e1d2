"""``manage.py export_data``: write the data back out as a fixture, as CSV files or as
FollowTheMoney JSON Lines."""

import sys
from pathlib import Path

from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError

from apps.ingest.services.exporters import export_csv, export_fixture
from apps.ingest.services.ftm import FtmUnavailable, export_ftm


class Command(BaseCommand):
    help = (
        "Export the contract models: --format json writes the fixture format that import_data reads back "
        "(to --output or standard output); --format csv writes one <app>.<model>.csv per model into the "
        "--output directory; --format ftm writes FollowTheMoney entities as JSON Lines (to --output or standard "
        "output; needs requirements-ftm.txt, see docs/ftm-mapping.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=("json", "csv", "ftm"), default="json")
        parser.add_argument("--output", "-o", help="file (json) or directory (csv)")
        parser.add_argument("--models", nargs="*", metavar="APP.MODEL", help="only these models")
        parser.add_argument(
            "--published-only",
            action="store_true",
            help="only what anyone may read (no drafts, nothing hanging on a draft): a public dump (json and csv)",
        )

    def handle(self, *args, **options):
        # An export is everything unless asked for what an anonymous reader sees.
        user = AnonymousUser() if options["published_only"] else None
        try:
            if options["format"] == "csv":
                if not options["output"]:
                    raise CommandError("--format csv needs --output DIRECTORY")
                for path in export_csv(options["output"], options["models"], user=user):
                    self.stderr.write(f"wrote {path}")
                return
            if options["format"] == "ftm":
                if user is not None:
                    raise CommandError("--published-only applies to json and csv")
                self._export_ftm(options)
                return
            if options["output"]:
                with open(Path(options["output"]), "w", encoding="utf-8") as stream:
                    export_fixture(stream, options["models"], user=user)
            else:
                export_fixture(sys.stdout, options["models"], user=user)
        except ValueError as exc:
            raise CommandError(str(exc)) from None

    def _export_ftm(self, options):
        if options["models"]:
            raise CommandError("--format ftm exports every model; --models does not apply")
        try:
            if options["output"]:
                with open(Path(options["output"]), "w", encoding="utf-8") as stream:
                    count = export_ftm(stream)
            else:
                count = export_ftm(sys.stdout)
        except FtmUnavailable as exc:
            raise CommandError(str(exc)) from None
        self.stderr.write(f"wrote {count} FollowTheMoney entities")
