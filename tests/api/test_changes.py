"""The change feed: every create, update and delete after a moment, for delta syncs."""

import datetime

import pytest
from django.utils import timezone

from apps.evidence.models import Source
from tests.factories import ClaimFactory, SourceFactory, TransferFactory

pytestmark = pytest.mark.django_db


def etag(client, path):
    """The ETag a write must send as If-Match (the API requires it)."""
    return client.get(path)["ETag"]


def feed(client, **params):
    response = client.get("/api/v1/changes/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_changes_after_a_moment_list_create_update_delete_with_user_and_fields(records, reviewer_client, reviewer):
    since = timezone.now()
    created = reviewer_client.post(
        "/api/v1/transfers/",
        {"reference": "feed-transfer", "supplier": "IR", "recipient": "RU", "category": "munitions"},
        format="json",
    )
    assert created.status_code == 201
    path = "/api/v1/transfers/feed-transfer/"
    changed = reviewer_client.patch(
        path, {"items": "shells", "status": "confirmed"}, format="json", HTTP_IF_MATCH=etag(reviewer_client, path)
    )
    assert changed.status_code == 200, changed.content
    assert reviewer_client.delete(path, HTTP_IF_MATCH=etag(reviewer_client, path)).status_code == 204
    changes = feed(reviewer_client, since=since.isoformat())["results"]
    assert [(c["model"], c["natural_key"], c["action"]) for c in changes] == [
        ("transfers.transfer", ["feed-transfer"], "created"),
        ("transfers.transfer", ["feed-transfer"], "updated"),
        ("transfers.transfer", ["feed-transfer"], "deleted"),
    ]
    assert {c["user"] for c in changes} == {reviewer.username}
    assert {c["id"] for c in changes} == {created.json()["id"]}
    assert set(changes[1]["changed_fields"]) == {"items", "status"}


def test_changes_before_the_moment_are_left_out(records, reviewer_client):
    first = timezone.now()
    vote, transfer = records["vote"], records["transfer"]
    path = f"/api/v1/votes/{vote.pk}/"
    reviewer_client.patch(path, {"position": "abstain"}, format="json", HTTP_IF_MATCH=etag(reviewer_client, path))
    middle = timezone.now()
    path = f"/api/v1/transfers/{transfer.reference}/"
    reviewer_client.patch(path, {"items": "shells"}, format="json", HTTP_IF_MATCH=etag(reviewer_client, path))
    later = timezone.now() + datetime.timedelta(seconds=1)

    def listed(since):
        return [(c["model"], c["id"], c["action"]) for c in feed(reviewer_client, since=since.isoformat())["results"]]

    assert listed(first) == [
        ("resolutions.vote", vote.pk, "updated"),
        ("transfers.transfer", transfer.pk, "updated"),
    ]
    assert listed(middle) == [("transfers.transfer", transfer.pk, "updated")]
    assert listed(later) == []


def test_compound_natural_keys_are_shown_in_full(records, reviewer_client):
    since = timezone.now()
    vote = records["vote"]
    path = f"/api/v1/votes/{vote.pk}/"
    reviewer_client.patch(path, {"position": "abstain"}, format="json", HTTP_IF_MATCH=etag(reviewer_client, path))
    [change] = feed(reviewer_client, since=since.isoformat())["results"]
    assert change["natural_key"] == [vote.resolution.symbol, "RU"]
    assert change["changed_fields"] == ["position"]


def test_the_feed_pages_through_ties_without_losing_a_change(db, reviewer_client):
    since = timezone.now() - datetime.timedelta(seconds=1)
    sources = [SourceFactory() for _ in range(7)]
    # Seven changes at the same instant: pages of three must split the tie and lose none.
    Source.history.update(history_date=since + datetime.timedelta(milliseconds=500))
    seen = []
    page = feed(reviewer_client, since=since.isoformat(), limit=3)
    seen += page["results"]
    while page["next"]:
        page = reviewer_client.get(page["next"]).json()
        seen += page["results"]
    source_ids = [c["id"] for c in seen if c["model"] == "evidence.source"]
    assert sorted(source_ids) == sorted(s.pk for s in sources)
    assert len(seen) == len({(c["model"], c["history_id"]) for c in seen})


def test_anonymous_clients_see_no_draft_changes_and_see_unpublishing(db, anonymous, reviewer_client):
    since = timezone.now()
    TransferFactory(reference="always-draft")
    transfer = TransferFactory(reference="goes-public")
    path = "/api/v1/transfers/goes-public/"
    for status in ("published", "draft"):
        response = reviewer_client.patch(
            path, {"review_status": status}, format="json", HTTP_IF_MATCH=etag(reviewer_client, path)
        )
        assert response.status_code == 200, response.content
    changes = feed(anonymous, since=since.isoformat())["results"]
    assert [(c["natural_key"], c["action"]) for c in changes] == [
        (["goes-public"], "updated"),
        (["goes-public"], "unpublished"),
    ]
    assert changes[0]["changed_fields"] == ["review_status"]
    editors_view = feed(reviewer_client, since=since.isoformat())["results"]
    assert {tuple(c["natural_key"]) for c in editors_view} == {("always-draft",), ("goes-public",)}
    assert [c["id"] for c in changes] == [transfer.pk, transfer.pk]


def test_since_is_required_and_validated(anonymous):
    assert anonymous.get("/api/v1/changes/").status_code == 400
    assert anonymous.get("/api/v1/changes/", {"since": "yesterday"}).status_code == 400


def test_anonymous_clients_see_no_change_of_a_published_claim_about_a_draft_transfer(db, anonymous, reviewer_client):
    since = timezone.now()
    hidden = ClaimFactory(reference="on-a-draft", transfer=TransferFactory(reference="still-draft"))
    shown = ClaimFactory(
        reference="on-a-published", transfer=TransferFactory(reference="public", review_status="published")
    )
    for claim in (hidden, shown):
        claim.review_status = "published"
        claim.save()
    assert anonymous.get("/api/v1/claims/on-a-draft/").status_code == 404
    public = feed(anonymous, since=since.isoformat())["results"]
    assert {(c["model"], c["natural_key"][0]) for c in public if c["model"].startswith("transfers.")} == {
        ("transfers.transfer", "public"),
        ("transfers.claim", "on-a-published"),
    }
    editors_view = feed(reviewer_client, since=since.isoformat())["results"]
    assert ("transfers.claim", "on-a-draft") in {(c["model"], c["natural_key"][0]) for c in editors_view}
