"""``manage.py tallies``: the counts of transfers and claims kept for the cold reads
(``apps.transfers.tallies``).

manage.py tallies --check      count every transfer and claim afresh, print every row of the
                               tallies that differs; exit 1 when there is one
manage.py tallies --rebuild    count every transfer and claim again and store the counts
"""

import sys

from django.core.management.base import BaseCommand

from apps.transfers import tallies


class Command(BaseCommand):
    help = "Check or rebuild the tallies of transfers and claims."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true", help="print every difference; exit 1 if any")
        action.add_argument("--rebuild", action="store_true", help="count everything again")

    def handle(self, *args, **options):
        if options["rebuild"]:
            self.stdout.write(f"{tallies.rebuild()} tally row(s) written")
            return
        found = tallies.differences()
        for name, key, stored, counted in found:
            self.stdout.write(f"{name} {key}: stored {stored!r}, counted {counted!r}")
        if found:
            self.stderr.write(f"{len(found)} difference(s) between the tallies and a fresh count")
            sys.exit(1)
        self.stdout.write("the tallies are a fresh count of the transfers and claims")
