"""Roles: editors add and change, records they create start as drafts; only reviewers
publish, return to draft and delete; anonymous visitors are sent to the login page."""

import pytest

from apps.common.choices import ReviewStatus
from apps.transfers.models import Claim, Transfer
from tests import factories as f
from tests.admin.forms import admin_url, open_change_page

pytestmark = pytest.mark.django_db


def publish(client, queryset, action="publish"):
    return client.post(
        admin_url(queryset.model, "changelist"),
        {"action": action, "_selected_action": [str(pk) for pk in queryset.values_list("pk", flat=True)]},
        follow=True,
    )


def test_anonymous_visitor_is_sent_to_login(client):
    transfer = f.TransferFactory()
    for path in [admin_url(Transfer, "changelist"), admin_url(Transfer, "change", transfer.pk)]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_editor_creates_a_draft_recorded_as_theirs_even_when_posting_published(editor_client, editor):
    response = editor_client.get(admin_url(Transfer, "add"))
    assert "review_status" not in response.context["adminform"].form.fields
    data = {
        "reference": "kp-ru-missiles",
        "supplier": f.country("KP").pk,
        "recipient": f.country("RU").pk,
        "category": "missiles",
        "date_precision": "month",
        "status": "alleged",
        "review_status": "published",
        "claims-TOTAL_FORMS": "0",
        "claims-INITIAL_FORMS": "0",
    }
    response = editor_client.post(admin_url(Transfer, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    transfer = Transfer.objects.get(reference="kp-ru-missiles")
    assert transfer.review_status == ReviewStatus.DRAFT
    assert transfer.created_by == editor and transfer.updated_by == editor
    assert transfer.history.get().history_user == editor


def test_editor_cannot_change_review_status_on_the_change_form(editor_client):
    transfer = f.TransferFactory()
    data = open_change_page(editor_client, transfer)
    assert "review_status" not in data
    data["review_status"] = "published"
    assert editor_client.post(admin_url(Transfer, "change", transfer.pk), data).status_code == 302
    transfer.refresh_from_db()
    assert transfer.review_status == ReviewStatus.DRAFT


def test_editor_is_not_offered_publish_and_cannot_run_it(editor_client):
    transfer = f.TransferFactory()
    actions = editor_client.get(admin_url(Transfer, "changelist")).context["action_form"].fields["action"].choices
    names = {name for name, _ in actions}
    assert "publish" not in names and "return_to_draft" not in names and "delete_selected" not in names
    publish(editor_client, Transfer.objects.filter(pk=transfer.pk))
    transfer.refresh_from_db()
    assert transfer.review_status == ReviewStatus.DRAFT


def test_editor_cannot_delete(editor_client):
    transfer = f.TransferFactory()
    assert editor_client.get(admin_url(Transfer, "delete", transfer.pk)).status_code == 403
    assert editor_client.post(admin_url(Transfer, "delete", transfer.pk), {"post": "yes"}).status_code == 403
    assert Transfer.objects.filter(pk=transfer.pk).exists()


def test_reviewer_publishes_and_returns_to_draft(reviewer_client, reviewer):
    claim = f.ClaimFactory()
    response = publish(reviewer_client, Claim.objects.filter(pk=claim.pk))
    assert "1 claims marked published" in response.content.decode()
    claim.refresh_from_db()
    assert claim.review_status == ReviewStatus.PUBLISHED
    assert claim.updated_by == reviewer
    assert claim.history.latest().history_user == reviewer

    publish(reviewer_client, Claim.objects.filter(pk=claim.pk), action="return_to_draft")
    claim.refresh_from_db()
    assert claim.review_status == ReviewStatus.DRAFT


def test_reviewer_changes_review_status_on_the_change_form(reviewer_client):
    transfer = f.TransferFactory()
    data = open_change_page(reviewer_client, transfer)
    data["review_status"] = "published"
    assert reviewer_client.post(admin_url(Transfer, "change", transfer.pk), data).status_code == 302
    transfer.refresh_from_db()
    assert transfer.review_status == ReviewStatus.PUBLISHED


def test_reviewer_deletes(reviewer_client):
    transfer = f.TransferFactory()
    response = reviewer_client.post(admin_url(Transfer, "delete", transfer.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Transfer.objects.filter(pk=transfer.pk).exists()
