"""A YAML fixture may not use aliases: a few hundred bytes of nested aliases (a "billion
laughs") expand to hundreds of megabytes once the loader walks the values. The read refuses
the first alias, naming the file and the line, before anything is repeated."""

import resource
import tracemalloc

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from apps.actors.models import Actor
from apps.common.roles import EDITORS
from apps.ingest.services.readers import FileSource
from tests.ingest.conftest import row_counts

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
REFUSED = (
    "refused YAML: the value anchored here is used again through an alias (*name); "
    "anchors and aliases are not allowed in fixture files"
)


def billion_laughs(levels=7, width=10):
    """An actor whose ``identifiers`` nest ``levels`` lists of ``width`` aliases of the level
    below: ``width ** levels`` strings (ten million here, some 150 MB once walked) in a file of
    under 500 bytes."""
    lines = [
        "- model: actors.actor",
        "  fields:",
        "    slug: lol",
        "    kind: person",
        "    name: lol",
        "    identifiers:",
        f"      a: &a [{', '.join(['lol'] * width)}]",
    ]
    names = "abcdefghijklmnopqrstuvwxyz"
    for level in range(1, levels):
        name, below = names[level], names[level - 1]
        lines.append(f"      {name}: &{name} [{', '.join(['*' + below] * width)}]")
    return ("\n".join(lines) + "\n").encode()


class Growth:
    """How much memory a block takes: the process's peak resident set (``getrusage``) and the
    peak of Python's allocations (``tracemalloc``, which an earlier, higher peak of the
    process cannot hide)."""

    def __enter__(self):
        self.rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        tracemalloc.start()
        return self

    def __exit__(self, *exc):
        _, self.python_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        self.rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - self.rss_before
        return False


def test_the_document_is_small():
    assert len(billion_laughs()) < 600


def test_import_data_refuses_a_billion_laughs_fast_naming_the_file(tmp_path, capsys):
    path = tmp_path / "laughs.yaml"
    path.write_bytes(billion_laughs())
    before = row_counts()
    with Growth() as growth, pytest.raises(CommandError, match="1 error"):
        call_command("import_data", str(path), verbosity=0)
    assert capsys.readouterr().err.strip() == f"{path}, line 7, column 10: {REFUSED}"
    assert growth.rss < 50 * MB and growth.python_peak < 50 * MB
    assert row_counts() == before


def test_the_upload_page_refuses_a_billion_laughs(client, django_user_model):
    editor = django_user_model.objects.create_user(username="editor", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(editor)
    upload = SimpleUploadedFile("laughs.yaml", billion_laughs(), content_type="application/yaml")
    with Growth() as growth:
        response = client.post("/admin/ingest/upload/", {"files": [upload]})
    assert [str(error) for error in response.context["report"].errors] == [f"laughs.yaml, line 7, column 10: {REFUSED}"]
    assert "payload" not in response.context
    assert growth.rss < 50 * MB and growth.python_peak < 50 * MB
    assert not Actor.objects.filter(slug="lol").exists()


@pytest.mark.parametrize(
    "document",
    [
        b"- &a {model: geo.country, fields: {iso2: ZZ, iso3: ZZZ, name: Z}}\n- *a\n",
        b"- {model: actors.actor, fields: {slug: a, kind: person, name: &n A, description: *n}}\n",
        b"- &a {model: actors.actor, fields: {slug: a, kind: person, name: A}}\n- {<<: *a, fields: {slug: b}}\n",
        b"- &a [*a]\n",
    ],
    ids=["a repeated object", "a repeated value", "a merge key", "a recursive alias"],
)
def test_every_alias_is_refused(document):
    errors = list(FileSource(data=document, name="aliases.yaml").records())
    assert len(errors) == 1 and errors[0].message == REFUSED
    assert errors[0].location.file == "aliases.yaml"


def test_an_anchor_without_alias_and_plain_yaml_still_load():
    document = b"- &a {model: geo.country, fields: {iso2: ZZ, iso3: ZZZ, name: Z, aliases: [x, {y: z}]}}\n"
    (record,) = FileSource(data=document, name="plain.yaml").records()
    assert record.fields == {"iso2": "ZZ", "iso3": "ZZZ", "name": "Z", "aliases": ["x", {"y": "z"}]}
