"""What the change feed tells a client without drafts when a record leaves public view: the
key it knew, and everything that leaves with it."""

import pytest
from django.utils import timezone

from tests.factories import ClaimFactory, TransferFactory

pytestmark = pytest.mark.django_db


def feed(client, since):
    response = client.get("/api/v1/changes/", {"since": since.isoformat()})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def published_transfer_with_a_claim():
    transfer = TransferFactory(reference="known-transfer", review_status="published")
    ClaimFactory(reference="known-claim", transfer=transfer, review_status="published")
    return transfer


def test_an_unpublishing_shows_the_key_the_client_knew_not_the_drafts_new_one(anonymous, editor_client):
    transfer = published_transfer_with_a_claim()
    since = timezone.now()
    transfer.reference = "renamed-in-draft"
    transfer.review_status = "draft"
    transfer.save()

    (change,) = [c for c in feed(anonymous, since) if c["model"] == "transfers.transfer"]
    assert (change["action"], change["natural_key"]) == ("unpublished", ["known-transfer"])
    assert "renamed-in-draft" not in str(feed(anonymous, since))
    (seen_by_editor,) = [c for c in feed(editor_client, since) if c["model"] == "transfers.transfer"]
    assert (seen_by_editor["action"], seen_by_editor["natural_key"]) == ("updated", ["renamed-in-draft"])


def test_an_unpublished_transfer_takes_its_claims_out_of_public_view_in_the_feed(anonymous, editor_client):
    transfer = published_transfer_with_a_claim()
    ClaimFactory(reference="draft-claim", transfer=transfer, review_status="draft")
    since = timezone.now()
    transfer.review_status = "draft"
    transfer.save()

    (change,) = feed(anonymous, since)
    assert change["action"] == "unpublished"
    assert [(r["model"], r["natural_key"]) for r in change["retracted_with_it"]] == [
        ("transfers.claim", ["known-claim"])
    ]
    assert anonymous.get("/api/v1/claims/known-claim/").status_code == 404
    (seen_by_editor,) = feed(editor_client, since)
    assert seen_by_editor["retracted_with_it"] == []
