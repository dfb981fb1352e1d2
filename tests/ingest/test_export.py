"""export_data: the fixture round trip and CSV that import_data reads back."""

import json

import pytest
from django.apps import apps
from django.core.management import call_command

from apps.common.registry import contract_labels
from tests.factories import ClaimFactory, EventFactory, StatementFactory, TransferFactory
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


def test_a_published_only_export_leaves_out_drafts_and_what_hangs_on_them(tmp_path):
    public = TransferFactory(reference="public-transfer", review_status="published")
    draft = TransferFactory(reference="draft-transfer", review_status="draft")
    public.in_exchange_for.add(draft)
    ClaimFactory(reference="claim-on-public", transfer=public, review_status="published")
    ClaimFactory(reference="claim-on-draft", transfer=draft, review_status="published")
    StatementFactory(reference="said", event=EventFactory(reference="draft-event"), review_status="published")

    everything, public_dump = tmp_path / "all.json", tmp_path / "public.json"
    call_command("export_data", "--output", str(everything), "--models", "transfers.transfer", "transfers.claim")
    call_command("export_data", "--published-only", "--output", str(public_dump))

    def by_model(path):
        objects = json.loads(path.read_text())
        return {(o["model"], o["fields"].get("reference")): o["fields"] for o in objects}

    assert ("transfers.transfer", "draft-transfer") in by_model(everything)
    assert ("transfers.claim", "claim-on-draft") in by_model(everything)
    shown = by_model(public_dump)
    references = {key for model, key in shown if model in ("transfers.transfer", "transfers.claim")}
    assert references == {"public-transfer", "claim-on-public"}
    assert shown["transfers.transfer", "public-transfer"]["in_exchange_for"] == []
    statement = next(fields for (model, _), fields in shown.items() if model == "relations.statement")
    assert statement["event"] is None
    assert not any(model == "relations.event" for model, _ in shown)


def test_an_editors_note_is_in_the_full_export_and_not_in_the_public_one(tmp_path):
    from apps.evidence.models import Source

    Source.objects.create(url="https://example.org/placeholder", title="A report", editor_note="found via a tip")
    full, public = tmp_path / "all.json", tmp_path / "public.json"
    call_command("export_data", "--output", str(full), "--models", "evidence.source")
    call_command("export_data", "--published-only", "--output", str(public), "--models", "evidence.source")
    [editors] = json.loads(full.read_text())
    [readers] = json.loads(public.read_text())
    assert editors["fields"]["editor_note"] == "found via a tip"
    assert "editor_note" not in readers["fields"] and readers["fields"]["title"] == "A report"
    csv_dir = tmp_path / "csv"
    call_command("export_data", "--published-only", "--format", "csv", "--output", str(csv_dir))
    header = (csv_dir / "evidence.source.csv").read_text().splitlines()[0]
    assert "editor_note" not in header and "title" in header
