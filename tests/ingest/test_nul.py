"""A NUL character (``\\x00``) in a loaded file is a validation error naming the file, the
record and the field, on the dry run as on the real load, and nothing is written: PostgreSQL
can store no NUL (nor look one up), where SQLite would take it silently."""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from apps.common.nul import NUL_MESSAGE
from apps.common.roles import EDITORS
from apps.ingest import views
from apps.ingest.loader import load_records
from apps.ingest.services.readers import FileSource
from tests.ingest.conftest import row_counts, story_objects

pytestmark = pytest.mark.django_db

URL = "/admin/ingest/upload/"


def with_nul():
    """The story with a NUL in a relation key, a plain string, a list of keys, a value and a
    key inside ``identifiers``, and a field name; and the errors each gives."""
    objects = story_objects()

    def at(reference):
        return next(i for i, o in enumerate(objects, start=1) if reference in o["fields"].values())

    missiles, fuel, komid, kirby = (
        at("kp-ru-missiles-2023"),
        at("ru-kp-fuel-2024"),
        at("komid"),
        at("john-kirby"),
    )
    objects[missiles - 1]["fields"]["supplier"] = ["K\x00"]
    objects[missiles - 1]["fields"]["items"] = "KN-23\x00"
    objects[fuel - 1]["fields"]["via"] = [["CN"], ["C\x00"]]
    objects[komid - 1]["fields"]["identifiers"] = {"un_ref": "KPe.001", "aliases": ["a", "b\x00"]}
    objects[kirby - 1]["fields"]["identifiers"] = {"un\x00ref": "x"}
    objects[kirby - 1]["fields"]["descr\x00iption"] = "x"
    errors = [
        (missiles, "transfers.transfer", "supplier", f"{NUL_MESSAGE} (at [0])"),
        (missiles, "transfers.transfer", "items", NUL_MESSAGE),
        (fuel, "transfers.transfer", "via", f"{NUL_MESSAGE} (at [1][0])"),
        (kirby, "actors.actor", "identifiers", f"{NUL_MESSAGE} (at ['un\\x00ref'] (the key))"),
        (kirby, "actors.actor", "descr\\x00iption", f"{NUL_MESSAGE} (in the field name)"),
        (komid, "actors.actor", "identifiers", f"{NUL_MESSAGE} (at ['aliases'][1])"),
    ]
    return objects, errors


def expected(name, errors):
    return sorted(f"{name}, object {index}: {model}.{field}: {message}" for index, model, field, message in errors)


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry run", "load"])
def test_import_data_reports_every_nul_by_record_and_field_and_writes_nothing(tmp_path, capsys, dry_run):
    objects, errors = with_nul()
    path = tmp_path / "nul.json"
    path.write_text(json.dumps(objects), encoding="utf-8")
    before = row_counts()
    with pytest.raises(CommandError, match=f"{len(errors)} error"):
        call_command("import_data", str(path), *(["--dry-run"] if dry_run else []), verbosity=0)
    assert sorted(capsys.readouterr().err.splitlines()) == expected(path, errors)
    assert row_counts() == before


@pytest.mark.parametrize(
    ("name", "content", "where", "field"),
    [
        ("geo.country.csv", b"iso2,iso3,name\nZZ,ZZZ,Test\x00land\n", "line 2", "name"),
        (
            "nul.yaml",
            b'- {model: geo.country, fields: {iso2: ZZ, iso3: ZZZ, name: "Test\\0land"}}\n',
            "object 1",
            "name",
        ),
        ("nul.jsonl", b'{"model": "geo.country", "fields": {"iso2": "Z\\u0000", "name": "T"}}\n', "line 1", "iso2"),
    ],
    ids=["csv", "yaml", "jsonl"],
)
def test_a_nul_in_any_file_format_is_refused(tmp_path, name, content, where, field):
    path = tmp_path / name
    path.write_bytes(content)
    before = row_counts()
    report = load_records([FileSource(path)])
    assert [str(error) for error in report.errors] == [f"{path}, {where}: geo.country.{field}: {NUL_MESSAGE}"]
    assert row_counts() == before


def test_every_field_of_a_record_is_searched_for_a_nul_whatever_the_fields_before_it(tmp_path):
    """A transfer whose items and description hold a NUL, and one of whose field names does,
    the three written after a number (a quantity) and one after another: each of the three is
    reported, none hidden by the fields before it."""
    fields = {"reference": "t", "supplier": ["KP"], "recipient": ["RU"], "category": "missiles", "quantity_low": 5}
    fields |= {"items": "KN-23\x00", "descr\x00iption": "x", "description": "fired\x00"}
    path = tmp_path / "nul.json"
    path.write_text(json.dumps([{"model": "transfers.transfer", "fields": fields}]), encoding="utf-8")
    before = row_counts()
    report = load_records([FileSource(path)])
    assert [str(error) for error in report.errors] == [
        f"{path}, object 1: transfers.transfer.items: {NUL_MESSAGE}",
        f"{path}, object 1: transfers.transfer.descr\\x00iption: {NUL_MESSAGE} (in the field name)",
        f"{path}, object 1: transfers.transfer.description: {NUL_MESSAGE}",
    ]
    assert row_counts() == before


@pytest.fixture
def editor_client(client, django_user_model):
    editor = django_user_model.objects.create_user(username="editor", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(editor)
    client.editor = editor
    return client


class Request:
    def __init__(self, user):
        self.user = user


def test_the_upload_page_reports_every_nul_at_the_dry_run_and_the_confirmation(editor_client):
    objects, errors = with_nul()
    data = json.dumps(objects).encode()
    before = row_counts()
    response = editor_client.post(URL, {"files": [SimpleUploadedFile("nul.json", data)]})
    assert response.status_code == 200
    assert sorted(str(e) for e in response.context["report"].errors) == expected("nul.json", errors)
    assert "payload" not in response.context
    # A confirmation of the same file (as if the dry run had let it through) is refused alike.
    payload = views._payload(Request(editor_client.editor), [("nul.json", data)], "")
    response = editor_client.post(URL, {"payload": payload, "confirm": "Confirm import"})
    assert response.status_code == 200
    report = response.context["report"]
    assert not report.dry_run
    assert sorted(str(e) for e in report.errors) == expected("nul.json", errors)
    assert row_counts() == before
