"""Tokens issued and revoked by the management command, throttling, the schema and docs."""

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import EventFactory, StatementFactory

pytestmark = pytest.mark.django_db


def run_token_command(*args):
    out = io.StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue().strip()


def test_issued_token_authenticates_and_a_revoked_one_does_not(records, editor):
    key = run_token_command("issue", editor.username)
    assert run_token_command("issue", editor.username) == key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    path = f"/api/v1/transfers/{records['transfer'].reference}/"
    assert client.get(path).status_code == 200  # a draft: only a signed-in editor sees it
    rotated = run_token_command("rotate", editor.username)
    assert rotated != key
    assert client.get(path).status_code == 401
    run_token_command("revoke", editor.username)
    assert not Token.objects.filter(user=editor).exists()
    client.credentials(HTTP_AUTHORIZATION=f"Token {rotated}")
    assert client.get(path).status_code == 401


def test_token_command_names_an_unknown_user():
    with pytest.raises(CommandError, match="nobody"):
        run_token_command("issue", "nobody")


def test_anonymous_and_signed_in_clients_are_throttled_separately(settings, anonymous, editor_client):
    settings.API_THROTTLE_RATES = {"anon": "3/minute", "user": "5/minute"}
    statuses = [anonymous.get("/api/v1/countries/KP/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    statuses = [editor_client.get("/api/v1/countries/KP/").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_schema_describes_every_resource_and_question(anonymous):
    response = anonymous.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for name in (
        "countries",
        "actors",
        "sources",
        "resolutions",
        "votes",
        "provisions",
        "authorities",
        "regimes",
        "measures",
        "designations",
        "transfers",
        "claims",
        "relationships",
        "events",
        "statements",
    ):
        assert f"/api/v1/{name}/" in paths
        assert any(p.startswith(f"/api/v1/{name}/{{") for p in paths), name
    for path in (
        "/api/v1/transfers/{reference}/contraventions/",
        "/api/v1/countries/{iso2}/profile/",
        "/api/v1/graph/",
        "/api/v1/changes/",
    ):
        assert path in paths
    parameters = {p["name"] for p in paths["/api/v1/transfers/"]["get"]["parameters"]}
    assert {
        "supplier",
        "category",
        "started_after",
        "started_before",
        "q",
        "ordering",
        "page_size",
        "cursor",
    } <= parameters


def test_docs_are_served_from_our_own_static_files(anonymous):
    response = anonymous.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()


def test_api_root_lists_every_resource(anonymous):
    root = anonymous.get("/api/v1/").json()
    assert root["transfers"].endswith("/api/v1/transfers/")
    assert root["findings"].endswith("/api/v1/findings/")  # derived data, read only
    assert len([k for k in root if k not in ("graph", "changes", "findings", "schema", "docs")]) == 15


def test_a_published_statement_does_not_reveal_its_draft_event(anonymous, editor_client):
    event = EventFactory(review_status="draft")
    statement = StatementFactory(event=event, review_status="published")
    url = f"/api/v1/statements/{statement.reference}/"

    assert anonymous.get(url).json()["event"] is None
    assert editor_client.get(url).json()["event"] == event.reference
    event.review_status = "published"
    event.save()
    assert anonymous.get(url).json()["event"] == event.reference
