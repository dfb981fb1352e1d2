"""Lists and objects nested too deep in a loaded file (a JSON fixture, JSON Lines, a CSV cell)
are a validation error naming the file, the record and the field, on the upload page's dry
run and confirmation as with ``load_records``, and nothing is written.

Before, a JSON fixture or CSV ``identifiers`` cell nested some thousand levels deep ran
Python's decoder out of stack (RecursionError, a 500 on the upload page), and one nested a few
hundred levels deep was loaded, to break the API's renderer afterwards."""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.actors.models import Actor
from apps.common.nesting import DEPTH_MESSAGE, MAX_DEPTH
from apps.common.roles import EDITORS
from apps.ingest import views
from apps.ingest.loader import load_records
from apps.ingest.services.readers import FileSource
from tests.ingest.conftest import row_counts, story_objects

pytestmark = pytest.mark.django_db

URL = "/admin/ingest/upload/"
DEEP = 100_000
SLUG = "komid"


def nested(depth):
    return "[" * depth + "]" * depth


def story_with_deep_identifiers(depth):
    """The story as JSON text, KOMID's ``identifiers`` holding lists ``depth`` levels deep
    under ``un_ref``; and KOMID's place in it."""
    objects = story_objects()
    index = next(i for i, o in enumerate(objects, start=1) if o["fields"].get("slug") == SLUG)
    objects[index - 1]["fields"]["identifiers"] = {"un_ref": "DEEP"}
    return json.dumps(objects).replace('"DEEP"', nested(depth)), index


def actor_line(depth):
    fields = {"slug": "deep-actor", "kind": "company", "name": "Deep", "identifiers": {"un_ref": "DEEP"}}
    return json.dumps({"model": "actors.actor", "fields": fields}).replace('"DEEP"', nested(depth))


def csv_text(cell):
    return 'slug,kind,name,identifiers\ndeep-actor,company,Deep,"' + cell.replace('"', '""') + '"\n'


def identifiers_cell(depth):
    """An ``identifiers`` cell whose ``un_ref`` holds lists ``depth`` levels deep."""
    return '{"un_ref": ' + nested(depth) + "}"


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


@pytest.mark.parametrize("depth", [DEEP, 900, MAX_DEPTH])  # under "un_ref": one level more
def test_the_upload_page_refuses_a_fixture_nested_too_deep_naming_the_record_and_field(editor_client, depth):
    text, index = story_with_deep_identifiers(depth)
    data = text.encode()
    expected = [f"deep.json, object {index}: actors.actor.identifiers: {DEPTH_MESSAGE}"]
    before = row_counts()
    response = editor_client.post(URL, {"files": [SimpleUploadedFile("deep.json", data)]})
    assert response.status_code == 200
    assert [str(error) for error in response.context["report"].errors] == expected
    assert "payload" not in response.context
    # A confirmation of the same file (as if the dry run had let it through) is refused alike.
    payload = views._payload(Request(editor_client.editor), [("deep.json", data)], "")
    response = editor_client.post(URL, {"payload": payload, "confirm": "Confirm import"})
    assert response.status_code == 200
    assert [str(error) for error in response.context["report"].errors] == expected
    assert row_counts() == before


@pytest.mark.parametrize(
    ("name", "content", "where"),
    [
        ("actors.actor.csv", csv_text(identifiers_cell(50_000)), "line 2"),
        ("actors.actor.csv", csv_text(identifiers_cell(MAX_DEPTH)), "line 2"),
        ("deep.jsonl", actor_line(DEEP) + "\n", "line 1"),
        ("deep.json", "[" + actor_line(DEEP) + "]", "object 1"),
    ],
    ids=["csv cell", "csv cell one level too deep", "jsonl", "json"],
)
def test_the_upload_page_refuses_a_csv_cell_or_line_nested_too_deep(editor_client, name, content, where):
    before = row_counts()
    response = editor_client.post(URL, {"files": [SimpleUploadedFile(name, content.encode())]})
    assert response.status_code == 200
    assert [str(e) for e in response.context["report"].errors] == [
        f"{name}, {where}: actors.actor.identifiers: {DEPTH_MESSAGE}"
    ]
    assert row_counts() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("deep.json", "[" * DEEP, "deep.json, line 1, column 2: malformed JSON: Unterminated list or object"),
        (
            "deep.jsonl",
            "[" * DEEP + "\n",
            "deep.jsonl, line 1: malformed JSON: Unterminated list or object at column 1",
        ),
        (
            "actors.actor.csv",
            csv_text('{"un_ref": ' + "[" * DEEP),
            "actors.actor.csv, line 2: actors.actor.identifiers: malformed JSON in the cell: "
            "Unterminated list or object",
        ),
    ],
    ids=["json", "jsonl", "csv cell"],
)
def test_brackets_that_never_close_are_malformed_json(editor_client, name, content, message):
    before = row_counts()
    response = editor_client.post(URL, {"files": [SimpleUploadedFile(name, content.encode())]})
    assert response.status_code == 200
    assert [str(e) for e in response.context["report"].errors] == [message]
    assert row_counts() == before


def test_identifiers_are_loaded_as_deep_as_allowed_and_refused_one_level_deeper(tmp_path):
    path = tmp_path / "actors.actor.csv"
    path.write_text(csv_text(identifiers_cell(MAX_DEPTH)), encoding="utf-8")
    report = load_records([FileSource(path)])
    assert [str(e) for e in report.errors] == [f"{path}, line 2: actors.actor.identifiers: {DEPTH_MESSAGE}"]
    path.write_text(csv_text(identifiers_cell(MAX_DEPTH - 1)), encoding="utf-8")
    report = load_records([FileSource(path)])
    assert report.ok, [str(e) for e in report.errors]
    assert Actor.objects.get(slug="deep-actor").identifiers == json.loads(identifiers_cell(MAX_DEPTH - 1))


@pytest.mark.parametrize("suffix", ["json", "jsonl"])
def test_only_records_whose_text_can_hold_no_nul_nor_deep_value_skip_the_walks(tmp_path, suffix):
    """A record read from JSON text with no ``\\u`` escape and no more brackets than
    ``MAX_DEPTH`` is ``plain``: the loader does not walk its values for a NUL, a lone surrogate
    or a value nested too deep, as such text can hold none. Any escape, or one bracket more,
    and it is walked."""

    def fields(identifiers, name="Plain"):
        return {"slug": "a", "kind": "company", "name": name, "identifiers": identifiers}

    # The object, its fields and its identifiers are three brackets; the rest are lists.
    cases = [
        (fields({"un_ref": nested(MAX_DEPTH - 3)}), True),
        (fields({"un_ref": nested(MAX_DEPTH - 2)}), False),
        (fields({}, name="Caf\u00e9"), False),  # written as an escape by json.dumps
        (fields({}, name="Café"), True),
    ]
    objects = [{"model": "actors.actor", "fields": f} for f, _ in cases]
    path = tmp_path / f"records.{suffix}"
    if suffix == "json":
        text = "[" + ",\n".join(json.dumps(o, ensure_ascii=i != 3) for i, o in enumerate(objects)) + "]"
    else:
        text = "".join(json.dumps(o, ensure_ascii=i != 3) + "\n" for i, o in enumerate(objects))
    path.write_text(text, encoding="utf-8")
    records = list(FileSource(path).records())
    assert [record.plain for record in records] == [plain for _, plain in cases]
    assert [record.fields for record in records] == [f for f, _ in cases]
