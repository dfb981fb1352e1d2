"""``manage.py import_ofac_sdn DIR_OR_FILES``: load the OFAC SDN list from its CSV files."""

import argparse
import datetime
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.ingest.management.commands.import_data import user_named, write_report
from apps.ingest.services.ofac import FILES, import_ofac_sdn


def ofac_files(paths):
    """``{"sdn.csv": (name, bytes), ...}`` from directories holding the files, or the files."""
    found = {}
    for path in map(Path, paths):
        candidates = [path / kind for kind in FILES if (path / kind).exists()] if path.is_dir() else [path]
        if path.is_dir() and not candidates:
            raise CommandError(f"{path} holds none of {', '.join(FILES)}")
        for candidate in candidates:
            kind = candidate.name.lower()
            if kind not in FILES:
                raise CommandError(f"{candidate}: not one of OFAC's {', '.join(FILES)}")
            if kind in found:
                raise CommandError(f"{candidate}: {kind} is given twice")
            try:
                found[kind] = (str(candidate), candidate.read_bytes())
            except OSError as exc:
                raise CommandError(f"cannot read {candidate}: {exc.strerror}") from None
    return found


def list_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Load the US OFAC SDN list from its CSV files (sdn.csv, and add.csv, alt.csv, sdn_comments.csv "
        "when given): a US-<PROGRAM> regime per program tag, actors with their aliases and addresses, and "
        "designations referenced by the OFAC entry number. Actors already known from another list (the UN's) "
        "are matched and reused; the matches and the uncertain ones left apart are printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="DIR_OR_FILE")
        parser.add_argument("--user", help="username the load is recorded under in the history")
        parser.add_argument("--dry-run", action="store_true", help="report what would change and write nothing")
        parser.add_argument(
            "--complete-as-of",
            type=list_date,
            metavar="YYYY-MM-DD",
            help=(
                "the files are the whole SDN list as OFAC published it on this date: mark the designations "
                "loaded from an earlier version that it no longer carries as delisted on this date"
            ),
        )

    def handle(self, *args, **options):
        user = user_named(options["user"])
        report = import_ofac_sdn(
            ofac_files(options["paths"]),
            user=user,
            dry_run=options["dry_run"],
            complete_as_of=options["complete_as_of"],
            progress=sys.stderr.isatty() and options["verbosity"] > 0,
        )
        write_report(self, report)
