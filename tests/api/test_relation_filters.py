"""A relation filter resolves keys among the records the client may see: a draft's key
matches nothing for an anonymous client, exactly as an unknown key does, so the filters do
not tell whether a draft exists."""

import pytest

from tests.factories import ClaimFactory, TransferFactory, country

pytestmark = pytest.mark.django_db


def count(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response.json()["count"]


def test_a_drafts_key_in_a_relation_filter_matches_nothing_for_anonymous_clients(anonymous, editor_client):
    draft = TransferFactory(reference="secret-draft", review_status="draft")
    shown = TransferFactory(reference="public", supplier=country("RU"), recipient=country("KP"))
    shown.review_status = "published"
    shown.save()
    shown.in_exchange_for.add(draft)
    ClaimFactory(reference="claim-on-draft", transfer=draft, review_status="published")

    for key in ("secret-draft", "no-such-transfer"):
        assert count(anonymous, "/api/v1/transfers/", in_exchange_for=key) == 0
        assert count(anonymous, "/api/v1/claims/", transfer=key) == 0
    assert count(editor_client, "/api/v1/transfers/", in_exchange_for="secret-draft") == 1
    draft.review_status = "published"
    draft.save()
    assert count(anonymous, "/api/v1/transfers/", in_exchange_for="secret-draft") == 1
