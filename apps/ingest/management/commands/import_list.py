"""``manage.py import_list <source> FILE``: load one version of an official sanctions list."""

import sys
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from apps.ingest.management.commands.import_data import user_named, write_report
from apps.ingest.management.commands.import_ofac_sdn import list_date
from apps.ingest.services.lists import ALIASES, SOURCES, import_list


class Command(BaseCommand):
    help = (
        "Load one version of an official sanctions list: un (the UN consolidated list, XML), ofac (the SDN "
        "CSV files), uk (OFSI's consolidated list, CSV or XLSX), us-csl (the US Consolidated Screening List, "
        "CSV), au (DFAT's consolidated list, XLSX), eu (the EU Financial Sanctions Files, XML). Each target "
        "becomes an actor and a designation under each of its regimes; a newer list updates what changed and "
        "marks what left it as delisted; an actor another list already carries is reused when a strong "
        "identifier says so, and proposed to an editor when only the names agree."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", choices=sorted([*SOURCES, *ALIASES]))
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--user", help="username the load is recorded under in the history")
        parser.add_argument("--dry-run", action="store_true", help="report what would change and write nothing")
        parser.add_argument(
            "--as-of",
            type=list_date,
            metavar="YYYY-MM-DD",
            help="the date of this version of the list, for a file that does not say it (or to correct it)",
        )
        parser.add_argument(
            "--complete-as-of",
            type=list_date,
            metavar="YYYY-MM-DD",
            help=(
                "the file is the whole list as published on this date: mark the designations loaded from an "
                "earlier version that it no longer carries as delisted on this date"
            ),
        )

    def handle(self, *args, **options):
        source = options["source"]
        common = {"user": options["user"], "dry_run": options["dry_run"], "verbosity": options["verbosity"]}
        if source == "un":
            if len(options["files"]) != 1:
                raise CommandError("the UN list is one XML file")
            return call_command("import_un_list", options["files"][0], stdout=self.stdout, stderr=self.stderr, **common)
        if source == "ofac":
            return call_command(
                "import_ofac_sdn",
                *options["files"],
                complete_as_of=options["complete_as_of"],
                stdout=self.stdout,
                stderr=self.stderr,
                **common,
            )
        if len(options["files"]) != 1:
            raise CommandError(f"the {source} list is one file")
        path = Path(options["files"][0])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        report = import_list(
            source,
            data,
            name=str(path),
            as_of=options["as_of"],
            complete_as_of=options["complete_as_of"],
            user=user_named(options["user"]),
            dry_run=options["dry_run"],
            progress=sys.stderr.isatty() and options["verbosity"] > 0,
        )
        write_report(self, report)
