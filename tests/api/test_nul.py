"""A NUL character (``\\x00``) in an API write is a 400 naming the field, never a 500:
PostgreSQL can neither store one nor look one up, whether it comes in a relation key, a plain
string, or a string or key nested in a JSON field. Nothing is written."""

import pytest
from rest_framework.exceptions import ValidationError

from apps.actors.models import Actor
from apps.common.api.fields import NaturalKeyRelatedField
from apps.common.nul import NUL_MESSAGE
from apps.geo.models import Country
from apps.resolutions.models import Provision
from apps.transfers.models import Transfer

pytestmark = pytest.mark.django_db

NEW_TRANSFER = {
    "reference": "new-transfer",
    "supplier": "IR",
    "recipient": "RU",
    "category": "missiles",
}
NEW_ACTOR = {"slug": "new-actor", "kind": "company", "name": "New Actor Ltd", "identifiers": {"un_ref": "KPe.999"}}


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"supplier": "K\x00"}, {"supplier": [NUL_MESSAGE]}),
        ({"supplier": ["K\x00"]}, {"supplier": [f"{NUL_MESSAGE} (at [0])"]}),
        ({"via": ["CN", "C\x00"]}, {"via": [f"{NUL_MESSAGE} (at [1])"]}),
        ({"items": "KN-23\x00"}, {"items": [NUL_MESSAGE]}),
        ({"supplier": "K\x00", "items": "\x00"}, {"supplier": [NUL_MESSAGE], "items": [NUL_MESSAGE]}),
    ],
    ids=["relation key", "relation key as a list", "many-to-many key", "plain string", "two fields"],
)
def test_posting_a_transfer_with_a_nul_is_refused_naming_the_field(editor_client, changes, errors):
    response = editor_client.post("/api/v1/transfers/", {**NEW_TRANSFER, **changes}, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == errors
    assert not Transfer.objects.filter(reference="new-transfer").exists()


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"supplier": "K\x00"}, {"supplier": [NUL_MESSAGE]}),
        ({"in_exchange_for": ["x\x00"]}, {"in_exchange_for": [f"{NUL_MESSAGE} (at [0])"]}),
        ({"description": "a\x00b"}, {"description": [NUL_MESSAGE]}),
    ],
    ids=["relation key", "many-to-many key", "plain string"],
)
def test_patching_a_transfer_with_a_nul_is_refused_naming_the_field(records, editor_client, changes, errors):
    transfer = records["transfer"]
    before = Transfer.objects.filter(pk=transfer.pk).values().get()
    response = editor_client.patch(f"/api/v1/transfers/{transfer.reference}/", changes, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == errors
    assert Transfer.objects.filter(pk=transfer.pk).values().get() == before


@pytest.mark.parametrize(
    ("identifiers", "where"),
    [
        ({"un_ref": "KPe.\x00"}, "['un_ref']"),
        ({"un_ref\x00": "KPe.999"}, "['un_ref\\x00'] (the key)"),
        ({"addresses": ["Pyongyang", {"line": ["a", "\x00"]}]}, "['addresses'][1]['line'][1]"),
    ],
    ids=["a value", "a key", "deep inside"],
)
def test_a_nul_inside_identifiers_is_refused_on_post_and_patch(records, editor_client, identifiers, where):
    expected = {"identifiers": [f"{NUL_MESSAGE} (at {where})"]}
    response = editor_client.post("/api/v1/actors/", {**NEW_ACTOR, "identifiers": identifiers}, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == expected
    assert not Actor.objects.filter(slug="new-actor").exists()

    actor = records["actor"]
    stored = Actor.objects.get(pk=actor.pk).identifiers
    response = editor_client.patch(f"/api/v1/actors/{actor.slug}/", {"identifiers": identifiers}, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == expected
    assert Actor.objects.get(pk=actor.pk).identifiers == stored


def test_a_write_without_nul_still_goes_through(records, editor_client):
    response = editor_client.post(
        "/api/v1/actors/", {**NEW_ACTOR, "identifiers": {"addresses": ["Pyongyang", {"line": ["a"]}]}}, format="json"
    )
    assert response.status_code == 201, response.content
    response = editor_client.patch("/api/v1/transfers/new-transfer/", {"items": "x"}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("model", "key"),
    [
        (Country, "K\x00"),
        (Country, ["K\x00"]),
        (Provision, "S/RES/1718 (2006)|8\x00"),
        (Provision, ["S/RES/1718", "\x00"]),
    ],
    ids=["one value", "one value as a list", "compound, joined", "compound, as a list"],
)
def test_a_natural_key_field_refuses_a_nul_before_looking_it_up(model, key):
    """The relation field on its own (any serializer may use it): a validation error, not the
    database's DataError."""
    field = NaturalKeyRelatedField(queryset=model.objects.all())
    with pytest.raises(ValidationError) as refused:
        field.run_validation(key)
    assert refused.value.detail == [f"{NUL_MESSAGE} (in the key {key!r})"]
