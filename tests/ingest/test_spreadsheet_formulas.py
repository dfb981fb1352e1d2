"""CSV injection: no exporter writes a text a spreadsheet would run as a formula (OWASP: a
leading ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a ``'``), a plain negative
number is left as it is, and ``import_data`` reads the quote back off, so that
``export_data --format csv`` → ``import_data`` gives every value back unchanged."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from apps.actors.models import Actor
from apps.common.cells import csv_cell, neutralize_formula, restore_formula
from apps.common.registry import contract_labels
from apps.common.roles import EDITORS
from apps.transfers.models import Transfer
from tests import factories as f
from tests.ingest.test_export import empty_database

pytestmark = pytest.mark.django_db

# A text value as stored -> the cell every exporter writes for it.
TEXTS = {
    '=HYPERLINK("http://x")': '\'=HYPERLINK("http://x")',
    "@SUM(A1)": "'@SUM(A1)",
    "+1": "'+1",
    "-1+1": "'-1+1",
    "\t=1": "'\t=1",
    "\r=1": "'\r=1",
    "'=already quoted": "''=already quoted",
    "-3": "-3",
    "-65000.000": "-65000.000",
    "plain text": "plain text",
    "it's = fine": "it's = fine",
}


def test_the_encoder_quotes_formulas_and_leaves_negative_numbers_and_the_reader_undoes_it():
    for value, cell in TEXTS.items():
        assert csv_cell(value) == neutralize_formula(value) == cell, value
        assert restore_formula(cell) == value, value
    assert csv_cell(Decimal("-65000.000")) == "-65000.000"
    assert csv_cell(-3) == "-3"
    # A list is one cell: its first character decides.
    assert csv_cell(["=a", "b"]) == "'=a;b"
    assert csv_cell(["b", "=a"]) == "b;=a"


@pytest.fixture
def transfers():
    """One transfer per text, the text as its ``items``, and its ``description`` as well."""
    return {
        value: f.TransferFactory(reference=f"formula-{index}", items=value, description=value)
        for index, value in enumerate(TEXTS)
    }


def cells_by_reference(rows, column):
    return {row["reference"]: row[column] for row in rows}


def expected_cells(transfers):
    return {transfer.reference: TEXTS[value] for value, transfer in transfers.items()}


def read_csv(text):
    return list(csv.DictReader(io.StringIO(text, newline="")))


def read_csv_file(path):
    with open(path, encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user(username="editor", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


def test_the_api_csv_quotes_formulas(transfers, editor):
    client = APIClient()
    client.force_authenticate(editor)
    response = client.get("/api/v1/transfers/", {"format": "csv", "page_size": 100})
    assert response.status_code == 200
    rows = read_csv(response.content.decode("utf-8"))
    assert cells_by_reference(rows, "items") == expected_cells(transfers)
    assert cells_by_reference(rows, "description") == expected_cells(transfers)


def test_the_api_csv_leaves_a_negative_decimal_as_it_is(editor):
    measure = f.MeasureFactory(code="cap", kind="trade_cap", cap_quantity=Decimal("-65000.000"), cap_unit="barrels")
    client = APIClient()
    client.force_authenticate(editor)
    response = client.get(f"/api/v1/measures/{measure.pk}/", {"format": "csv"})
    assert response.status_code == 200
    assert read_csv(response.content.decode("utf-8"))[0]["cap_quantity"] == "-65000.000"


def test_export_data_csv_quotes_formulas_and_import_data_reads_them_back(transfers, tmp_path):
    f.ActorFactory(slug="aliased", aliases=["=cmd|' /C calc'!A0", "plain"], description="@SUM(A1)")
    call_command("export_data", "--format", "csv", "--output", str(tmp_path / "csv"))
    rows = read_csv_file(tmp_path / "csv" / "transfers.transfer.csv")
    assert cells_by_reference(rows, "items") == expected_cells(transfers)
    assert cells_by_reference(rows, "description") == expected_cells(transfers)
    actor = next(row for row in read_csv_file(tmp_path / "csv" / "actors.actor.csv") if row["slug"] == "aliased")
    assert (actor["aliases"], actor["description"]) == ("'=cmd|' /C calc'!A0;plain", "'@SUM(A1)")

    # The round trip: every value comes back as it was.
    before = tmp_path / "before.json"
    call_command("export_data", "--output", str(before))
    empty_database()
    files = sorted((tmp_path / "csv").glob("*.csv"), key=lambda p: contract_labels().index(p.stem))
    call_command("import_data", *[str(p) for p in files], verbosity=0)
    after = tmp_path / "after.json"
    call_command("export_data", "--output", str(after))
    assert after.read_text(encoding="utf-8") == before.read_text(encoding="utf-8")
    assert {t.items for t in Transfer.objects.filter(reference__startswith="formula-")} == set(TEXTS)
    assert Actor.objects.get(slug="aliased").aliases == ["=cmd|' /C calc'!A0", "plain"]


def admin_export(client, model, file_format):
    resource = f"{model.__name__}ExportResource".lower()
    data = {"format": file_format, "resource": "0"}
    data.update({f"{resource}_{name}": "on" for name in model.contract_field_names()})
    response = client.post(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export"), data)
    assert response.status_code == 200
    return response


def test_the_admin_csv_export_quotes_formulas(transfers, client, editor):
    client.force_login(editor)
    response = admin_export(client, Transfer, "0")
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response.content.decode("utf-8-sig"))
    assert cells_by_reference(rows, "items") == expected_cells(transfers)
    assert cells_by_reference(rows, "description") == expected_cells(transfers)


def test_the_admin_xlsx_export_holds_no_formula(transfers, client, editor):
    """openpyxl stores a text starting with ``=`` as a formula; the quote makes it text."""
    client.force_login(editor)
    response = admin_export(client, Transfer, "1")
    assert "spreadsheetml" in response["Content-Type"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    reference, items = header.index("reference"), header.index("items")
    written = {row[reference].value: row[items].value for row in sheet.iter_rows(min_row=2)}
    # openpyxl reads a lone "\r" back as "\n"; that is the file format, not the export.
    assert {key: value.replace("\n", "\r") for key, value in written.items()} == expected_cells(transfers)
