"""Bad input in the admin is a form error naming the field, or the changelist's own "invalid
lookup" answer, never a 500.

Before, JSON typed into a JSON field (an actor's ``identifiers``) nested some thousand levels
deep ran Python's decoder out of stack (RecursionError), one nested a few hundred levels deep
was saved (to break the API's renderer afterwards), and a changelist's
``?p=99999999999999999999`` made the database fail on the row offset."""

import json

import pytest
from django.contrib import admin

from apps.actors.models import Actor
from apps.common.nesting import DEPTH_MESSAGE, MAX_DEPTH
from tests.admin.forms import admin_url, open_change_page, page_data
from tests.factories import ActorFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # past a signed 64-bit integer


def identifiers(depth):
    """``identifiers`` as typed: ``un_ref`` holding lists ``depth`` levels deep."""
    return '{"un_ref": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("depth", [100_000, 900])
def test_the_add_and_change_forms_refuse_json_nested_too_deep_naming_the_field(editor_client, depth):
    data = page_data(editor_client.get(admin_url(Actor, "add")))
    data.update(slug="new-actor", name="New actor", kind="company", identifiers=identifiers(depth))
    response = editor_client.post(admin_url(Actor, "add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"identifiers": [DEPTH_MESSAGE]}
    assert not Actor.objects.filter(slug="new-actor").exists()

    actor = ActorFactory(slug="kept", identifiers={"un_ref": "KPe.001"})
    before = Actor.objects.filter(pk=actor.pk).values().get()
    data = open_change_page(editor_client, actor)
    data["identifiers"] = identifiers(depth)
    response = editor_client.post(admin_url(Actor, "change", actor.pk), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"identifiers": [DEPTH_MESSAGE]}
    assert Actor.objects.filter(pk=actor.pk).values().get() == before


def test_json_is_saved_as_deep_as_allowed_and_refused_one_level_deeper(editor_client):
    actor = ActorFactory(slug="kept", identifiers={"un_ref": "KPe.001"})
    data = open_change_page(editor_client, actor)
    data["identifiers"] = identifiers(MAX_DEPTH)
    response = editor_client.post(admin_url(Actor, "change", actor.pk), data)
    assert response.context["adminform"].form.errors == {"identifiers": [DEPTH_MESSAGE]}
    data["identifiers"] = identifiers(MAX_DEPTH - 1)
    response = editor_client.post(admin_url(Actor, "change", actor.pk), data)
    assert response.status_code == 302
    actor.refresh_from_db()
    assert actor.identifiers == json.loads(identifiers(MAX_DEPTH - 1))


@pytest.mark.parametrize("page", [HUGE, "-1"])
def test_a_changelist_page_that_is_no_page_is_the_invalid_lookup_answer(editor_client, monkeypatch, page):
    monkeypatch.setattr(admin.site._registry[Actor], "list_per_page", 1)  # two pages of two actors
    ActorFactory.create_batch(2)
    response = editor_client.get(admin_url(Actor, "changelist"), {"p": page})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")
