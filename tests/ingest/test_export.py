"""export_data: the fixture round trip and CSV that import_data reads back."""

import pytest
from django.apps import apps
from django.core.management import call_command

from apps.common.registry import contract_labels
from tests.ingest.conftest import STORY, row_counts

pytestmark = pytest.mark.django_db

DOMAIN = [label for label in contract_labels() if label != "geo.country"]


def empty_database():
    """Delete every contract row but the ISO countries, as in a fresh database."""
    for label in reversed(DOMAIN):
        model = apps.get_model(label)
        for field in model._meta.many_to_many:
            field.remote_field.through.objects.all().delete()
        model._base_manager.all().delete()


def test_fixture_round_trip_gives_the_same_file(tmp_path):
    call_command("import_data", str(STORY), verbosity=0)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    call_command("export_data", "--output", str(first))
    empty_database()
    assert all(apps.get_model(label).objects.count() == 0 for label in DOMAIN)
    call_command("import_data", str(first), verbosity=0)
    call_command("export_data", "--output", str(second))
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")
    assert '"model": "transfers.transfer"' in first.read_text(encoding="utf-8")
    # Loading the export over the data it came from changes nothing.
    before = row_counts()
    call_command("import_data", str(first), verbosity=0)
    assert row_counts() == before


def test_csv_export_loads_back_to_the_same_data(tmp_path):
    call_command("import_data", str(STORY), verbosity=0)
    call_command("export_data", "--format", "csv", "--output", str(tmp_path / "csv"))
    fixture = tmp_path / "before.json"
    call_command("export_data", "--output", str(fixture))
    header = (tmp_path / "csv" / "sanctions.measure.csv").read_text(encoding="utf-8").splitlines()
    assert header[0].startswith("regime,code,kind,direction,covers")
    assert "UN-1718,arms-export-ban,arms_embargo,exports_from_target,munitions;missiles" in header[1]
    assert "S/RES/1718 (2006)|8(b)" in header[1]
    empty_database()
    files = sorted((tmp_path / "csv").glob("*.csv"), key=lambda p: contract_labels().index(p.stem))
    call_command("import_data", *[str(p) for p in files], verbosity=0)
    after = tmp_path / "after.json"
    call_command("export_data", "--output", str(after))
    assert fixture.read_text(encoding="utf-8") == after.read_text(encoding="utf-8")
