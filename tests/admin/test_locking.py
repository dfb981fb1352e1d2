"""No lost edits: when two editors open the same record and both save, the second save is
refused with what the other editor changed; saving again after reading it is deliberate."""

import pytest
from django.test import Client

from apps.resolutions.models import Resolution, Vote
from apps.transfers.models import Transfer
from tests import factories as f
from tests.admin.forms import admin_url, open_change_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_client(other_editor):
    client = Client()
    client.force_login(other_editor)
    return client


def errors_of(response):
    return " ".join(str(error) for error in response.context["adminform"].form.non_field_errors())


def test_second_save_of_a_record_is_refused_with_the_other_editors_changes(editor_client, other_client):
    transfer = f.TransferFactory(items="ballistic missiles")
    mine = open_change_page(editor_client, transfer)
    theirs = open_change_page(other_client, transfer)

    theirs["items"] = "KN-23 and KN-24 short-range ballistic missiles"
    assert other_client.post(admin_url(Transfer, "change", transfer.pk), theirs).status_code == 302

    mine["description"] = "Debris found in Kharkiv."
    response = editor_client.post(admin_url(Transfer, "change", transfer.pk), mine)
    assert response.status_code == 200
    message = errors_of(response)
    assert "NOT saved" in message
    assert "other-editor" in message
    assert "items: ballistic missiles → KN-23 and KN-24 short-range ballistic missiles" in message
    transfer.refresh_from_db()
    assert transfer.items == "KN-23 and KN-24 short-range ballistic missiles"
    assert transfer.description == ""


def test_saving_again_after_the_refusal_replaces_their_changes_deliberately(editor_client, other_client):
    transfer = f.TransferFactory(items="ballistic missiles")
    mine = open_change_page(editor_client, transfer)
    theirs = open_change_page(other_client, transfer)
    theirs["items"] = "artillery shells"
    other_client.post(admin_url(Transfer, "change", transfer.pk), theirs)

    mine["items"] = "KN-23 missiles"
    refused = editor_client.post(admin_url(Transfer, "change", transfer.pk), mine)
    assert refused.status_code == 200
    again = refused.context["adminform"].form.data.dict()
    again.update({key: mine[key] for key in mine if isinstance(mine[key], list)})
    assert editor_client.post(admin_url(Transfer, "change", transfer.pk), again).status_code == 302
    transfer.refresh_from_db()
    assert transfer.items == "KN-23 missiles"


def test_stale_inline_row_is_refused(editor_client, other_client):
    resolution = f.ResolutionFactory()
    vote = f.VoteFactory(resolution=resolution, country=f.country("RU"), position="yes")
    mine = open_change_page(editor_client, resolution)

    # Someone corrects the vote on its own page meanwhile.
    theirs = open_change_page(other_client, vote)
    theirs["position"] = "abstain"
    assert other_client.post(admin_url(Vote, "change", vote.pk), theirs).status_code == 302

    mine["votes-0-position"] = "no"
    response = editor_client.post(admin_url(Resolution, "change", resolution.pk), mine)
    assert response.status_code == 200
    inline_errors = " ".join(
        str(error) for formset in response.context["inline_admin_formsets"] for error in formset.formset.errors
    )
    assert "NOT saved" in inline_errors and "position: yes → abstain" in inline_errors
    vote.refresh_from_db()
    assert vote.position == "abstain"


def test_inline_row_changed_by_someone_else_is_not_reverted_even_if_untouched(editor_client, other_client):
    resolution = f.ResolutionFactory(title="Old title")
    vote = f.VoteFactory(resolution=resolution, country=f.country("RU"), position="yes")
    mine = open_change_page(editor_client, resolution)
    theirs = open_change_page(other_client, vote)
    theirs["position"] = "abstain"
    other_client.post(admin_url(Vote, "change", vote.pk), theirs)

    mine["title"] = "New title"  # the vote row still says "yes", as the editor saw it
    assert editor_client.post(admin_url(Resolution, "change", resolution.pk), mine).status_code == 200
    vote.refresh_from_db()
    assert vote.position == "abstain"


def test_inline_row_saved_again_without_changes_does_not_block_a_save(editor_client, other_client):
    resolution = f.ResolutionFactory(title="Old title")
    vote = f.VoteFactory(resolution=resolution, country=f.country("RU"), position="yes")
    mine = open_change_page(editor_client, resolution)
    # Someone saves the vote without changing it: its version moves, its values do not.
    theirs = open_change_page(other_client, vote)
    assert other_client.post(admin_url(Vote, "change", vote.pk), theirs).status_code == 302

    mine["title"] = "New title"
    assert editor_client.post(admin_url(Resolution, "change", resolution.pk), mine).status_code == 302
    resolution.refresh_from_db()
    assert resolution.title == "New title"


def test_save_without_a_version_is_refused(editor_client):
    transfer = f.TransferFactory(items="shells")
    data = open_change_page(editor_client, transfer)
    del data["loaded_version"]
    data["items"] = "rockets"
    response = editor_client.post(admin_url(Transfer, "change", transfer.pk), data)
    assert response.status_code == 200
    transfer.refresh_from_db()
    assert transfer.items == "shells"
