"""The upload page refuses a POST by its declared length before reading its body: a body over
the limit (413) or without a Content-Length (411) is never read, and neither the form nor the
loader runs. The CSRF check still applies to every POST that gets through."""

import io
import json
import random

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from apps.common.roles import EDITORS
from apps.ingest import views
from tests.ingest.conftest import STORY, row_counts

pytestmark = pytest.mark.django_db

URL = "/admin/ingest/upload/"


class Body(io.BytesIO):
    """A request body that counts the bytes the server reads of it."""

    def __init__(self, data):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data

    def readline(self, size=-1):
        data = super().readline(size)
        self.bytes_read += len(data)
        return data


@pytest.fixture
def editor_client(client, django_user_model):
    editor = django_user_model.objects.create_user(username="editor", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(editor)
    return client


def multipart_post(client, data, **extra):
    """POST the upload form's ``data`` with its body as a counted stream; ``extra`` may
    declare another length."""
    body = Body(encode_multipart(BOUNDARY, data))
    environ = {
        "CONTENT_TYPE": MULTIPART_CONTENT,
        "CONTENT_LENGTH": str(len(body.getvalue())),
        "wsgi.input": body,
        **extra,
    }
    return client.generic("POST", URL, **environ), body


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(editor_client):
    story = SimpleUploadedFile("story.json", STORY.read_bytes(), content_type="application/json")
    before = row_counts()
    response, body = multipart_post(editor_client, {"files": [story]}, CONTENT_LENGTH=str(50 * 1024 * 1024))
    assert response.status_code == 413
    assert b"the upload takes at most 1,048,576" in response.content
    # Nothing read, so no form was bound and nothing loaded; no page rendered.
    assert body.bytes_read == 0
    assert response.context is None
    assert row_counts() == before


def test_the_csrf_check_does_not_read_an_oversized_body_first(django_user_model):
    """With CSRF checks on, as in production, the CSRF middleware would read the form (and
    with it every uploaded byte) before the view: the length is checked ahead of it."""
    editor = django_user_model.objects.create_user(username="editor", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    big = SimpleUploadedFile("big.json", b" " * views.MAX_REQUEST_BYTES, content_type="application/json")
    response, body = multipart_post(client, {"files": [big], "csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 413
    assert body.bytes_read == 0


def test_a_body_just_over_the_limit_is_refused_before_it_is_read(editor_client):
    big = SimpleUploadedFile("big.json", b" " * views.MAX_REQUEST_BYTES, content_type="application/json")
    response, body = multipart_post(editor_client, {"files": [big]})
    assert response.status_code == 413
    assert body.bytes_read == 0 and response.context is None


@pytest.mark.parametrize("declared", ["", "lots", "-1"], ids=["none", "not a number", "negative"])
def test_a_body_without_a_declared_length_is_refused(editor_client, declared):
    story = SimpleUploadedFile("story.json", STORY.read_bytes(), content_type="application/json")
    response, body = multipart_post(editor_client, {"files": [story]}, CONTENT_LENGTH=declared)
    assert response.status_code == 411
    assert body.bytes_read == 0 and response.context is None


def test_an_upload_within_the_limit_is_read_and_checked(editor_client):
    story = SimpleUploadedFile("story.json", STORY.read_bytes(), content_type="application/json")
    response, body = multipart_post(editor_client, {"files": [story]})
    assert response.status_code == 200
    assert response.context["report"].ok
    assert body.bytes_read == len(body.getvalue())


def test_a_confirmation_of_the_largest_upload_fits_the_limit():
    """The signed payload of files of MAX_UPLOAD_BYTES that do not compress at all."""

    class Request:
        user = type("User", (), {"pk": 1})()

    noise = random.Random(0).randbytes(views.MAX_UPLOAD_BYTES)
    payload = views._payload(Request(), [("noise.json", noise)], "")
    assert len(payload) + 200 < views.MAX_REQUEST_BYTES


def test_the_page_still_checks_the_csrf_token(django_user_model):
    editor = django_user_model.objects.create_user(username="editor", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    story = SimpleUploadedFile("story.json", json.dumps([]).encode(), content_type="application/json")
    response = client.post(URL, {"files": [story]})
    assert response.status_code == 403
    assert b"CSRF" in response.content
