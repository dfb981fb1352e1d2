"""Load the reference data in ``fixtures/reference/``: the UN Security Council's sanctions
regimes and their arms-embargo phases since 1966, each date tied to its resolution.

It goes through ``import_data``, the validating loader, so a broken file is refused whole.
Idempotent: the fixtures use natural keys, so a second run changes nothing. What is in the
data, where each fact was checked and what was left out: ``fixtures/reference/NOTES.md``.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

REFERENCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "reference"


def reference_fixture_files():
    return sorted(REFERENCE_DIR.glob("*.json"))


class Command(BaseCommand):
    help = "Load the reference data set (fixtures/reference/*.json): UN sanctions regimes since 1966."

    def handle(self, *args, **options):
        files = reference_fixture_files()
        if not files:
            self.stdout.write("No reference fixtures found.")
            return
        call_command("import_data", *[str(path) for path in files], verbosity=options["verbosity"])
