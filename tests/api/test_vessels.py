"""Vessels in the API: found by IMO number, shown with their flags, an IMO number checked, and
the ships a transfer was carried by."""

import pytest
from django.core.exceptions import ValidationError

from apps.actors.models import Actor
from tests.factories import ActorFactory, TransferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ships():
    return [
        ActorFactory(slug="an-san-1", kind="vessel", name="AN SAN 1", imo="7303803", flags=[{"country": "KP"}]),
        ActorFactory(slug="chon-ma-san", kind="vessel", name="CHON MA SAN", imo="8660313"),
        ActorFactory(slug="no-number", kind="vessel", name="NO NUMBER"),
    ]


def slugs(response):
    assert response.status_code == 200, response.content
    return sorted(row["slug"] for row in response.json()["results"])


def test_actors_are_found_by_imo_number_as_lists_write_it(anonymous, ships):
    assert slugs(anonymous.get("/api/v1/actors/", {"imo": "7303803"})) == ["an-san-1"]
    assert slugs(anonymous.get("/api/v1/actors/", {"imo": "IMO 8660313"})) == ["chon-ma-san"]
    assert slugs(anonymous.get("/api/v1/actors/", {"imo": ["7303803", "8660313"]})) == ["an-san-1", "chon-ma-san"]
    # Not a number with its check digit: nothing.
    assert slugs(anonymous.get("/api/v1/actors/", {"imo": "7303804"})) == []


def test_a_vessel_is_shown_with_its_imo_number_and_flags(anonymous, ships):
    shown = anonymous.get("/api/v1/actors/an-san-1/").json()
    assert (shown["imo"], shown["flags"]) == ("7303803", [{"country": "KP"}])


def test_an_imo_number_with_a_wrong_check_digit_is_refused_naming_imo(editor_client):
    actor = Actor(slug="bad-ship", kind="vessel", name="BAD SHIP", imo="7303804")
    with pytest.raises(ValidationError) as refused:
        actor.full_clean()
    assert "imo" in refused.value.message_dict
    response = editor_client.post(
        "/api/v1/actors/", {"slug": "bad-ship", "kind": "vessel", "name": "BAD SHIP", "imo": "7303804"}, format="json"
    )
    assert response.status_code == 400
    assert "not an IMO number" in str(response.json()["imo"])
    assert not Actor.objects.filter(slug="bad-ship").exists()


def test_a_transfer_is_carried_by_vessels_only(editor_client, ships):
    transfer = TransferFactory(reference="ru-kp-fuel-2024-03")
    url = f"/api/v1/transfers/{transfer.reference}/"
    response = editor_client.patch(
        url, {"vessels": ["an-san-1", "chon-ma-san"]}, format="json", HTTP_IF_MATCH=editor_client.get(url)["ETag"]
    )
    assert response.status_code == 200, response.content
    assert sorted(response.json()["vessels"]) == ["an-san-1", "chon-ma-san"]
    assert sorted(transfer.vessels.values_list("slug", flat=True)) == ["an-san-1", "chon-ma-san"]
    ActorFactory(slug="a-company", kind="company")
    refused = editor_client.patch(
        url, {"vessels": ["a-company"]}, format="json", HTTP_IF_MATCH=editor_client.get(url)["ETag"]
    )
    assert refused.status_code == 400
    assert "not vessels: a-company" in str(refused.json()["vessels"])
    shown = editor_client.get("/api/v1/transfers/", {"vessels": "an-san-1"}).json()["results"]
    assert [row["reference"] for row in shown] == ["ru-kp-fuel-2024-03"]
