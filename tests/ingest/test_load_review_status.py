"""Only reviewers publish or unpublish, through data loads as in the admin and the API
(docs/data-model.md, "Who may see and do what"): the loader refuses a non-reviewer's record
that would create a curated record as published or change a stored record's
``review_status``, on every path (``import_data --user``, the admin upload page), and writes
nothing."""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from apps.common.roles import EDITORS, REVIEWERS
from apps.ingest import views
from apps.relations.models import Relationship
from apps.sanctions.models import Designation
from apps.transfers.models import Transfer
from tests.ingest.conftest import DATA, row_counts, story_objects

pytestmark = pytest.mark.django_db

URL = "/admin/ingest/upload/"
MISSILES = "kp-ru-missiles-2023"


def user_in(django_user_model, group, username):
    user = django_user_model.objects.create_user(username=username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(django_user_model):
    return user_in(django_user_model, EDITORS, "eddie")


@pytest.fixture
def reviewer(django_user_model):
    return user_in(django_user_model, REVIEWERS, "rita")


def story(**statuses):
    """The story's objects, ``review_status`` set on the curated records named in ``statuses``
    (``reference=status``)."""
    objects = story_objects()
    for obj in objects:
        reference = obj["fields"].get("reference")
        if reference in statuses:
            obj["fields"]["review_status"] = statuses[reference]
    return objects


def write(tmp_path, objects, name="story.json"):
    path = tmp_path / name
    path.write_text(json.dumps(objects), encoding="utf-8")
    return path


def import_data(path, *args):
    call_command("import_data", str(path), *args, verbosity=0)


def index_of(objects, reference):
    return next(i for i, obj in enumerate(objects, start=1) if obj["fields"].get("reference") == reference)


# -- import_data --user -------------------------------------------------------------------------


def test_an_editor_creating_a_published_record_with_import_data_is_refused_and_nothing_is_written(
    tmp_path, editor, capsys
):
    objects = story(**{MISSILES: "published", "ru-kp-treaty-2024": "published"})
    path = write(tmp_path, objects)
    before = row_counts()
    with pytest.raises(CommandError, match="2 error"):
        import_data(path, "--user", editor.username)
    errors = capsys.readouterr().err.splitlines()
    assert errors == [
        f"{path}, object {index_of(objects, MISSILES)}: transfers.transfer.review_status: only reviewers publish "
        "or unpublish records: eddie is not a reviewer (a new record is 'draft', the file gives 'published')",
        f"{path}, object {index_of(objects, 'ru-kp-treaty-2024')}: relations.relationship.review_status: only "
        "reviewers publish or unpublish records: eddie is not a reviewer (a new record is 'draft', the file gives "
        "'published')",
    ]
    assert row_counts() == before


@pytest.mark.parametrize(("stored", "given"), [("draft", "published"), ("published", "draft")])
def test_an_editor_changing_a_stored_review_status_with_import_data_is_refused(tmp_path, editor, stored, given, capsys):
    import_data(write(tmp_path, story(**{MISSILES: stored}), "first.json"))
    objects = story(**{MISSILES: given})
    objects[index_of(objects, MISSILES) - 1]["fields"]["items"] = "an edit that comes with it"
    before = row_counts()
    with pytest.raises(CommandError, match="1 error"):
        import_data(write(tmp_path, objects), "--user", editor.username)
    assert (
        "transfers.transfer.review_status: only reviewers publish or unpublish records: eddie is not a reviewer "
        f"(the stored record is {stored!r}, the file gives {given!r})"
    ) in capsys.readouterr().err
    assert row_counts() == before
    missiles = Transfer.objects.get(reference=MISSILES)
    assert (missiles.review_status, missiles.items) == (stored, "KN-23 ballistic missiles")


def test_a_reviewer_publishes_and_unpublishes_with_import_data(tmp_path, reviewer):
    import_data(write(tmp_path, story(**{MISSILES: "published"})), "--user", reviewer.username)
    missiles = Transfer.objects.get(reference=MISSILES)
    assert missiles.review_status == "published" and missiles.created_by == reviewer
    import_data(write(tmp_path, story(**{MISSILES: "draft"})), "--user", reviewer.username)
    assert Transfer.objects.get(reference=MISSILES).review_status == "draft"


def test_an_editor_file_leaving_review_status_out_or_unchanged_is_accepted(tmp_path, editor, reviewer):
    # Left out: new records are drafts.
    import_data(write(tmp_path, story()), "--user", editor.username)
    assert set(Transfer.objects.values_list("review_status", flat=True)) == {"draft"}
    # Given as it is: drafts stay drafts.
    import_data(write(tmp_path, story(**{MISSILES: "draft"})), "--user", editor.username)
    # A record a reviewer published, edited by an editor whose file keeps it published.
    import_data(write(tmp_path, story(**{MISSILES: "published"})), "--user", reviewer.username)
    objects = story(**{MISSILES: "published"})
    objects[index_of(objects, MISSILES) - 1]["fields"]["items"] = "KN-23 missiles, as reported"
    import_data(write(tmp_path, objects), "--user", editor.username)
    missiles = Transfer.objects.get(reference=MISSILES)
    assert (missiles.review_status, missiles.items, missiles.updated_by) == (
        "published",
        "KN-23 missiles, as reported",
        editor,
    )


def test_an_operator_without_user_may_publish(tmp_path):
    import_data(write(tmp_path, story(**{MISSILES: "published"})))
    assert Transfer.objects.get(reference=MISSILES).review_status == "published"


def test_an_editor_value_that_is_no_status_is_left_to_the_choice_check(tmp_path, editor, capsys):
    with pytest.raises(CommandError, match="1 error"):
        import_data(write(tmp_path, story(**{MISSILES: "live"})), "--user", editor.username)
    assert "transfers.transfer.review_status: Value 'live' is not a valid choice." in capsys.readouterr().err


def test_the_official_lists_load_under_an_editor(editor):
    """The OFAC importer writes actors, regimes and designations, none of them curated."""
    call_command("import_ofac_sdn", str(DATA / "ofac_komid"), "--user", editor.username, verbosity=0)
    assert Relationship.objects.count() == 0
    assert Designation.objects.filter(created_by=editor).exists()


# -- the admin upload page ----------------------------------------------------------------------


def upload(objects, name="story.json"):
    return SimpleUploadedFile(name, json.dumps(objects).encode(), content_type="application/json")


class Request:
    """What ``views._payload`` reads of a request: its user."""

    def __init__(self, user):
        self.user = user


def test_an_editor_upload_that_publishes_is_refused_at_the_dry_run_and_at_the_confirmation(client, editor):
    client.force_login(editor)
    objects = story(**{MISSILES: "published"})
    before = row_counts()
    response = client.post(URL, {"files": [upload(objects)]})
    errors = [str(error) for error in response.context["report"].errors]
    assert errors == [
        f"story.json, object {index_of(objects, MISSILES)}: transfers.transfer.review_status: only reviewers "
        "publish or unpublish records: eddie is not a reviewer (a new record is 'draft', the file gives 'published')"
    ]
    assert "payload" not in response.context
    assert b"Confirm import" not in response.content
    # The confirmation refuses it too, whatever the dry run said.
    payload = views._payload(Request(editor), [("story.json", json.dumps(objects).encode())], "")
    response = client.post(URL, {"payload": payload, "confirm": "Confirm import"})
    report = response.context["report"]
    assert not report.dry_run
    assert [str(error) for error in report.errors] == errors
    assert row_counts() == before


def test_an_editor_upload_that_unpublishes_is_refused(client, editor, tmp_path):
    import_data(write(tmp_path, story(**{MISSILES: "published"})))
    client.force_login(editor)
    before = row_counts()
    objects = story(**{MISSILES: "draft"})
    payload = views._payload(Request(editor), [("story.json", json.dumps(objects).encode())], "")
    response = client.post(URL, {"payload": payload, "confirm": "Confirm import"})
    assert "only reviewers publish or unpublish" in str(response.context["report"].errors)
    assert row_counts() == before
    assert Transfer.objects.get(reference=MISSILES).review_status == "published"


def test_a_reviewer_upload_publishes(client, reviewer):
    client.force_login(reviewer)
    response = client.post(URL, {"files": [upload(story(**{MISSILES: "published"}))]})
    assert response.context["report"].ok
    response = client.post(URL, {"payload": response.context["payload"], "confirm": "Confirm import"})
    assert response.context["report"].ok
    assert Transfer.objects.get(reference=MISSILES).review_status == "published"


def test_an_editor_upload_leaving_review_status_out_is_accepted(client, editor):
    client.force_login(editor)
    response = client.post(URL, {"files": [upload(story())]})
    assert response.context["report"].ok
    response = client.post(URL, {"payload": response.context["payload"], "confirm": "Confirm import"})
    assert response.context["report"].ok
    assert set(Transfer.objects.values_list("review_status", flat=True)) == {"draft"}
