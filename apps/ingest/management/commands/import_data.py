"""``manage.py import_data FILE...``: load fixture and CSV files, all or nothing."""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.ingest.loader import BATCH_SIZE, load_records
from apps.ingest.services.readers import FORMATS, FileSource


def user_named(username):
    """The user a load is recorded under, or None when no name is given."""
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"no user named {username!r}") from None


def write_report(command, report):
    """Print a load report: every error, or the counts per model."""
    for error in report.errors:
        command.stderr.write(str(error))
    for note in report.notes:
        command.stdout.write(note)
    if report.errors:
        raise CommandError(f"{len(report.errors)} error(s); nothing was written.")
    for line in report.summary_lines():
        command.stdout.write(line)
    if report.dry_run:
        command.stdout.write("Dry run: nothing was written.")


class Command(BaseCommand):
    # A load reads data, not the project's configuration: the system checks (the admin's and
    # the URLs', which import every view) are a third of a second of every import's start-up,
    # and ``manage.py check`` runs them.
    requires_system_checks = []
    help = (
        "Validate and load fixture files (JSON, YAML, JSON Lines) and CSV files written against the "
        "data-model contract. Every object is checked and every error reported; nothing is written "
        "unless every object is valid. Objects are matched by natural key, so loading a file twice "
        "changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--model", help="the model of CSV files, e.g. transfers.transfer (default: from the file name)"
        )
        parser.add_argument("--format", choices=FORMATS, help="the file format (default: from the extension)")
        parser.add_argument("--user", help="username the load is recorded under in the history")
        parser.add_argument("--dry-run", action="store_true", help="report what would change and write nothing")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, **options):
        user = user_named(options["user"])
        sources = [FileSource(path, fmt=options["format"], model=options["model"]) for path in options["files"]]
        report = load_records(
            sources,
            user=user,
            dry_run=options["dry_run"],
            batch_size=options["batch_size"],
            progress=sys.stderr.isatty() and options["verbosity"] > 0,
            change_reason=f"import_data {' '.join(options['files'])}"[:100],
        )
        write_report(self, report)
