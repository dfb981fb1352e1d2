"""The admin upload page: dry run, then confirm, through the loader import_data uses."""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.common.roles import EDITORS
from apps.transfers.models import Transfer
from tests.ingest.conftest import STORY, row_counts, story_objects

pytestmark = pytest.mark.django_db

URL = "/admin/ingest/upload/"


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user(username="editor", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def story_upload():
    return SimpleUploadedFile("story.json", STORY.read_bytes(), content_type="application/json")


def test_url_is_the_documented_one():
    assert reverse("ingest-upload") == URL


def test_anonymous_user_is_sent_to_the_admin_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={URL}"


def test_staff_user_who_is_not_an_editor_is_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="staff", is_staff=True))
    assert client.get(URL).status_code == 403


def test_editor_sees_the_form_in_the_admin_layout(editor_client):
    response = editor_client.get(URL)
    assert response.status_code == 200
    assert "admin/base_site.html" in [t.name for t in response.templates]
    assert b'type="file"' in response.content


def test_upload_shows_the_dry_run_report_and_writes_nothing(editor_client):
    before = row_counts()
    response = editor_client.post(URL, {"files": [story_upload()]})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.dry_run and report.ok
    assert report.counts["transfers.transfer"].created == 2
    assert b"Dry run of story.json" in response.content
    assert b"Confirm import" in response.content
    assert row_counts() == before


def test_confirming_loads_the_files_under_the_editor(editor_client, editor):
    payload = editor_client.post(URL, {"files": [story_upload()]}).context["payload"]
    response = editor_client.post(URL, {"payload": payload, "confirm": "Confirm import"})
    assert response.status_code == 200
    assert not response.context["report"].dry_run and response.context["report"].ok
    missiles = Transfer.objects.get(reference="kp-ru-missiles-2023")
    assert missiles.created_by == editor
    record = missiles.history.get()
    assert record.history_user == editor and record.history_change_reason == "admin upload story.json"
    assert Transfer.objects.count() == 2


def test_a_bad_fixture_shows_every_error_and_writes_nothing(editor_client):
    objects = story_objects()
    objects[2]["fields"]["category"] = "bananas"
    objects[3]["fields"]["supplier"] = ["ZZ"]
    bad = SimpleUploadedFile("bad.json", json.dumps(objects).encode(), content_type="application/json")
    before = row_counts()
    response = editor_client.post(URL, {"files": [bad]})
    errors = [str(error) for error in response.context["report"].errors]
    assert len(errors) == 2
    assert errors[0].startswith("bad.json, object 3: transfers.transfer.category: Value 'bananas'")
    assert errors[1].startswith("bad.json, object 4: transfers.transfer.supplier: unknown geo.country ['ZZ']")
    for error in errors:
        assert error.encode() in response.content.replace(b"&#x27;", b"'")
    assert b"Confirm import" not in response.content
    assert row_counts() == before


def test_a_csv_file_with_a_chosen_model_is_checked(editor_client):
    csv = SimpleUploadedFile("countries-extra.csv", b"iso2,iso3,name\nZZ,ZZZ,Testland\n", content_type="text/csv")
    response = editor_client.post(URL, {"files": [csv], "model": "geo.country"})
    assert response.context["report"].ok
    assert response.context["report"].counts["geo.country"].created == 1


def test_an_altered_payload_is_refused_and_nothing_is_written(editor_client):
    payload = editor_client.post(URL, {"files": [story_upload()]}).context["payload"]
    before = row_counts()
    response = editor_client.post(URL, {"payload": payload[:-2] + "xx", "confirm": "1"}, follow=True)
    assert b"expired or was altered" in response.content
    assert row_counts() == before


def test_a_too_large_upload_is_refused(editor_client):
    big = SimpleUploadedFile("big.json", b" " * (1024 * 1024 + 1), content_type="application/json")
    response = editor_client.post(URL, {"files": [big]})
    assert "report" not in response.context
    assert b"the upload takes at most" in response.content


def test_the_admin_index_links_to_the_upload_page(editor_client):
    response = editor_client.get("/admin/")
    assert response.status_code == 200
    assert f'href="{URL}"' in response.content.decode()
