"""Natural keys: every contract model survives dumpdata → empty database → loaddata."""

import io

import pytest
from django.core.management import call_command

from apps.common.registry import contract_labels
from tests.factories import one_of_each
from tests.helpers import contract_model, delete_everything, snapshot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("label", contract_labels())
def test_natural_key_round_trip(label, tmp_path):
    one_of_each()
    before = snapshot(label)
    assert before, f"no {label} record to round-trip"

    dump = io.StringIO()
    call_command("dumpdata", *contract_labels(), natural_foreign=True, natural_primary=True, indent=1, stdout=dump)
    assert '"pk"' not in dump.getvalue()
    fixture = tmp_path / "dump.json"
    fixture.write_text(dump.getvalue())

    delete_everything()
    assert contract_model(label).objects.count() == 0
    call_command("loaddata", str(fixture), verbosity=0)

    assert snapshot(label) == before


@pytest.mark.parametrize("label", contract_labels())
def test_get_by_natural_key_finds_the_record(label):
    one_of_each()
    model = contract_model(label)
    record = model.objects.order_by("pk").last()
    assert model.objects.get_by_natural_key(*record.natural_key()) == record
