"""Load the demo data in ``fixtures/demo/``: the June 2024 Putin–Kim story, told in full.

It goes through ``import_data``, the validating loader, so a broken demo file is refused
whole. Idempotent: the fixtures use natural keys, so a second run changes nothing.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"


def demo_fixture_files():
    return sorted(DEMO_DIR.glob("*.json"))


class Command(BaseCommand):
    help = "Load the demo data set (fixtures/demo/*.json)."

    def handle(self, *args, **options):
        files = demo_fixture_files()
        if not files:
            self.stdout.write("No demo fixtures found.")
            return
        call_command("import_data", *[str(path) for path in files], verbosity=options["verbosity"])
