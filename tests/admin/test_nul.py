"""A NUL character (``\\x00``) typed into an admin form, in a JSON field (``"\\u0000"`` in the
JSON text, or a key), in a one-per-line list or in plain text, is a form error naming the
field, on the add form as on the change form and in an inline row, never a 500: PostgreSQL
stores no NUL. Nothing is written."""

import pytest

from apps.actors.models import Actor
from apps.common.nul import NUL_MESSAGE
from tests.admin.forms import admin_url, open_change_page, page_data
from tests.factories import ActorFactory, DesignationFactory

pytestmark = pytest.mark.django_db

# (field, value as typed into the form, the error on that field)
CASES = [
    ("identifiers", '{"un_ref": "KPe.\\u0000"}', f"{NUL_MESSAGE} (at ['un_ref'])"),
    ("identifiers", '{"un_ref\\u0000": "KPe.1"}', f"{NUL_MESSAGE} (at ['un_ref\\x00'] (the key))"),
    ("identifiers", '{"addresses": ["a", {"line": "\\u0000"}]}', f"{NUL_MESSAGE} (at ['addresses'][1]['line'])"),
    ("aliases", "Good alias\nBad\x00alias", f"{NUL_MESSAGE} (at [1])"),
    ("description", "a\x00b", NUL_MESSAGE),
    ("name", "Na\x00me", NUL_MESSAGE),
]
IDS = ["identifiers value", "identifiers key", "identifiers deep", "aliases line", "description", "name"]


def form_errors(response):
    assert response.status_code == 200, "the form should be shown again with its errors"
    return response.context["adminform"].form.errors


@pytest.mark.parametrize(("field", "typed", "message"), CASES, ids=IDS)
def test_change_form_refuses_a_nul_naming_the_field(editor_client, field, typed, message):
    actor = ActorFactory(slug="kept", name="Kept", identifiers={"un_ref": "KPe.001"}, aliases=["Kept alias"])
    before = Actor.objects.filter(pk=actor.pk).values().get()
    data = open_change_page(editor_client, actor)
    data[field] = typed
    response = editor_client.post(admin_url(Actor, "change", actor.pk), data)
    assert form_errors(response) == {field: [message]}
    assert Actor.objects.filter(pk=actor.pk).values().get() == before
    assert actor.history.count() == 1


@pytest.mark.parametrize(("field", "typed", "message"), CASES, ids=IDS)
def test_add_form_refuses_a_nul_naming_the_field(editor_client, field, typed, message):
    data = page_data(editor_client.get(admin_url(Actor, "add")))
    data.update(slug="new-actor", name="New actor", kind="company", identifiers="{}")
    data[field] = typed
    response = editor_client.post(admin_url(Actor, "add"), data)
    assert form_errors(response) == {field: [message]}
    assert not Actor.objects.filter(slug="new-actor").exists()


def test_an_inline_row_with_a_nul_is_refused_naming_its_field(editor_client):
    designation = DesignationFactory(reason="listed")
    actor = designation.actor
    data = open_change_page(editor_client, actor)
    prefix = next(key for key in data if key.endswith("-0-reason")).removesuffix("reason")
    data[prefix + "reason"] = "lis\x00ted"
    response = editor_client.post(admin_url(Actor, "change", actor.pk), data)
    assert response.status_code == 200
    inline_errors = [form.errors for inline in response.context["inline_admin_formsets"] for form in inline.formset]
    assert {"reason": [NUL_MESSAGE]} in inline_errors
    designation.refresh_from_db()
    assert designation.reason == "listed"


def test_a_valid_json_edit_still_saves(editor_client):
    actor = ActorFactory(slug="saved", identifiers={})
    data = open_change_page(editor_client, actor)
    data["identifiers"] = '{"un_ref": "KPe.002"}'
    data["aliases"] = "One\nTwo"
    response = editor_client.post(admin_url(Actor, "change", actor.pk), data)
    assert response.status_code == 302, form_errors(response)
    actor.refresh_from_db()
    assert actor.identifiers == {"un_ref": "KPe.002"} and actor.aliases == ["One", "Two"]
