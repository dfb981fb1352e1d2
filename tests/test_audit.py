"""Every write is attributable: the history row of a change names the user who made it,
whether it came through the API, the admin or a data load with ``--user``."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from rest_framework.test import APIClient

from apps.common.roles import REVIEWERS
from apps.transfers.models import Transfer
from tests.admin.forms import admin_url, open_change_page
from tests.factories import TransferFactory
from tests.ingest.conftest import STORY

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(django_user_model):
    user = django_user_model.objects.create_user(username="rev", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=REVIEWERS))
    return user


def history_users(model):
    return {(row.history_type, row.history_user and row.history_user.username) for row in model.history.all()}


def test_an_api_write_names_its_user_in_the_history(reviewer):
    client = APIClient()
    client.force_authenticate(reviewer)
    payload = {"reference": "audited", "supplier": "KP", "recipient": "RU", "category": "munitions"}
    assert client.post("/api/v1/transfers/", payload, format="json").status_code == 201
    etag = client.get("/api/v1/transfers/audited/")["ETag"]
    response = client.patch("/api/v1/transfers/audited/", {"items": "shells"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert history_users(Transfer) == {("+", "rev"), ("~", "rev")}


def test_an_admin_write_names_its_user_in_the_history(client, reviewer):
    transfer = TransferFactory(reference="admin-audited")
    client.force_login(reviewer)
    data = open_change_page(client, transfer)
    data["items"] = "shells"
    response = client.post(admin_url(Transfer, "change", transfer.pk), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert Transfer.objects.get(pk=transfer.pk).items == "shells"
    assert ("~", "rev") in history_users(Transfer)


def test_a_data_load_with_user_names_it_in_the_history(reviewer):
    call_command("import_data", str(STORY), "--user", "rev", verbosity=0)
    assert Transfer.objects.exists()
    assert {user for _, user in history_users(Transfer)} == {"rev"}
