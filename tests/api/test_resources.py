"""One generic test class run over every resource: list, detail, create, update and delete
with the right roles, and drafts invisible to anonymous clients."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.common.roles import is_reviewer
from tests.api.resources import CURATED, RESOURCES, by_name

pytestmark = pytest.mark.django_db


def publish(instance):
    if hasattr(instance, "review_status"):
        type(instance).objects.filter(pk=instance.pk).update(review_status="published")
        instance.refresh_from_db()


def publish_for_anonymous(resource, record):
    """Publish the record and the related records it is hidden behind."""
    publish(record)
    for name in resource.publish_also:
        publish(getattr(record, name))


def etag(client, path):
    """The ETag a write must send as If-Match (the API requires it)."""
    return client.get(path)["ETag"]


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def relation_fields(model):
    """The foreign keys and many-to-many fields of the contract (bookkeeping users aside)."""
    return {
        field.name: field
        for field in model._meta.get_fields()
        if field.concrete and field.is_relation and field.name not in ("created_by", "updated_by")
    }


def as_shown(field, value):
    """A many-to-many list in a fixed order (the API may list it in any)."""
    return sorted(value, key=str) if field is not None and field.many_to_many else value


def stored_keys(instance, field):
    """The natural keys of ``instance``'s many-to-many ``field`` as stored in the database."""
    return sorted(tuple(related.natural_key()) for related in getattr(instance, field.name).all())


def posted_keys(value):
    """The natural keys a client posted: ``"CN"`` or ``["S/RES/1 (1946)", "8(b)"]`` each."""
    return sorted(tuple(key) if isinstance(key, list) else (key,) for key in value)


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
class TestResource:
    def test_list_shows_published_records_with_relations_as_natural_keys(self, resource, records, anonymous):
        record = records[resource.record]
        publish_for_anonymous(resource, record)
        expected = resource.shown(records)
        relations = relation_fields(resource.model)
        assert set(expected) == set(relations), f"{resource.name}: shown must give every relation"
        response = anonymous.get(resource.list_path, {"page_size": 500})
        assert response.status_code == 200, response.content
        row = next(row for row in response.json()["results"] if row["id"] == record.pk)
        for name, field in relations.items():
            assert as_shown(field, row[name]) == as_shown(field, expected[name]), name
        assert set(row) >= set(record.contract_field_names())

    def test_detail_is_reached_by_its_natural_key_and_carries_an_etag(self, resource, records, anonymous):
        record = records[resource.record]
        publish_for_anonymous(resource, record)
        response = anonymous.get(resource.detail_path(record))
        assert response.status_code == 200, response.content
        assert response.json()["id"] == record.pk
        assert response.json()["api_url"].endswith(resource.detail_path(record))
        assert response["ETag"] == f'"{record.pk}-{record.version}"'
        expected = resource.shown(records)
        for name, field in relation_fields(resource.model).items():
            assert as_shown(field, response.json()[name]) == as_shown(field, expected[name]), name

    def test_anonymous_clients_cannot_write(self, resource, records, anonymous):
        record = records[resource.record]
        publish_for_anonymous(resource, record)
        assert anonymous.post(resource.list_path, resource.create(records), format="json").status_code in (401, 403)
        assert anonymous.patch(resource.detail_path(record), resource.update, format="json").status_code in (401, 403)
        assert anonymous.delete(resource.detail_path(record)).status_code in (401, 403)

    def test_editor_creates_a_record_recorded_in_history_with_the_user(self, resource, records, editor_client, editor):
        response = editor_client.post(resource.list_path, resource.create(records), format="json")
        assert response.status_code == 201, response.content
        instance = resource.model.objects.get(pk=response.json()["id"])
        assert instance.created_by == editor and instance.updated_by == editor
        assert response["ETag"] == f'"{instance.pk}-{instance.version}"'
        created = instance.history.get(history_type="+")
        assert created.history_user == editor
        if resource.curated:
            assert instance.review_status == "draft"
        payload = resource.create(records)
        expected = {**payload, **resource.created_shows}
        relations = relation_fields(resource.model)
        for name in payload:
            field = relations.get(name)
            assert as_shown(field, response.json()[name]) == as_shown(field, expected[name]), name

    def test_create_stores_every_many_to_many_value_posted(self, resource, records, editor_client):
        many_to_many = resource.model._meta.many_to_many
        payload = resource.create(records)
        assert {field.name for field in many_to_many} <= set(payload), f"{resource.name}: post every link"
        response = editor_client.post(resource.list_path, payload, format="json")
        assert response.status_code == 201, response.content
        instance = resource.model.objects.get(pk=response.json()["id"])
        for field in many_to_many:
            assert payload[field.name], f"{resource.name}.{field.name}: post at least one value"
            assert stored_keys(instance, field) == posted_keys(payload[field.name]), field.name
            assert sorted(response.json()[field.name], key=str) == sorted(payload[field.name], key=str), field.name

    def test_editor_updates_a_record_and_the_version_goes_up(self, resource, records, editor_client, editor):
        record = records[resource.record]
        path = resource.detail_path(record)
        response = editor_client.patch(path, resource.update, format="json", HTTP_IF_MATCH=etag(editor_client, path))
        assert response.status_code == 200, response.content
        record.refresh_from_db()
        for name, value in resource.update.items():
            assert getattr(record, name) == value
        assert response.json()["version"] == record.version
        assert response["ETag"] == f'"{record.pk}-{record.version}"'
        assert record.updated_by == editor
        assert record.history.latest("history_id").history_user == editor

    def test_only_reviewers_delete(self, resource, records, editor_client, reviewer_client, reviewer):
        response = reviewer_client.post(resource.list_path, resource.create(records), format="json")
        assert response.status_code == 201, response.content
        instance = resource.model.objects.get(pk=response.json()["id"])
        path = resource.detail_path(instance)
        assert editor_client.delete(path).status_code == 403
        assert reviewer_client.delete(path, HTTP_IF_MATCH=etag(reviewer_client, path)).status_code == 204
        assert not resource.model.objects.filter(pk=instance.pk).exists()
        deleted = resource.model.history.get(id=instance.pk, history_type="-")
        assert deleted.history_user == reviewer

    def test_validation_errors_name_the_field(self, resource, records, editor_client):
        payload = resource.create(records)
        required = next(iter(payload))
        del payload[required]
        response = editor_client.post(resource.list_path, payload, format="json")
        assert response.status_code == 400
        assert required in response.json()

    def test_csv_format_lists_contract_fields_in_the_header(self, resource, records, editor_client):
        response = editor_client.get(resource.list_path, {"format": "csv"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        header = response.content.decode().splitlines()[0].split(",")
        assert set(resource.model.contract_field_names()) <= set(header)


@pytest.mark.parametrize("resource", CURATED, ids=lambda r: r.name)
class TestDrafts:
    def test_anonymous_clients_do_not_see_drafts(self, resource, records, anonymous):
        record = records[resource.record]
        assert record.review_status == "draft"
        assert record.pk not in ids(anonymous.get(resource.list_path, {"page_size": 500}))
        assert anonymous.get(resource.detail_path(record)).status_code == 404

    def test_editors_see_drafts(self, resource, records, editor_client):
        record = records[resource.record]
        assert record.pk in ids(editor_client.get(resource.list_path, {"page_size": 500}))
        assert editor_client.get(resource.detail_path(record)).status_code == 200

    def test_editors_cannot_publish(self, resource, records, editor_client, editor):
        assert not is_reviewer(editor)
        record = records[resource.record]
        response = editor_client.patch(resource.detail_path(record), {"review_status": "published"}, format="json")
        assert response.status_code == 403
        assert "review_status" in response.json()
        record.refresh_from_db()
        assert record.review_status == "draft"
        create = {**resource.create(records), "review_status": "published"}
        assert editor_client.post(resource.list_path, create, format="json").status_code == 403

    def test_reviewers_publish(self, resource, records, reviewer_client):
        record = records[resource.record]
        path = resource.detail_path(record)
        response = reviewer_client.patch(
            path, {"review_status": "published"}, format="json", HTTP_IF_MATCH=etag(reviewer_client, path)
        )
        assert response.status_code == 200, response.content
        record.refresh_from_db()
        assert record.review_status == "published"


def test_a_claim_on_a_draft_transfer_stays_hidden_from_anonymous_clients(records, anonymous):
    claim = records["claim"]
    publish(claim)
    assert anonymous.get(by_name("claims").detail_path(claim)).status_code == 404
    publish(claim.transfer)
    assert anonymous.get(by_name("claims").detail_path(claim)).status_code == 200


def test_draft_transfers_given_in_exchange_are_hidden_from_anonymous_clients(records, anonymous, editor_client):
    transfer = records["transfer"]
    publish(transfer)
    path = by_name("transfers").detail_path(transfer)
    assert anonymous.get(path).json()["in_exchange_for"] == []
    assert len(editor_client.get(path).json()["in_exchange_for"]) == 1


def test_token_authenticated_writes_record_the_user_in_history(records, editor):
    token = Token.objects.create(user=editor)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    transfer = records["transfer"]
    path = by_name("transfers").detail_path(transfer)
    response = client.patch(path, {"items": "Hwasong-11"}, format="json", HTTP_IF_MATCH=etag(client, path))
    assert response.status_code == 200, response.content
    assert transfer.history.latest("history_id").history_user == editor
    response = client.post("/api/v1/transfers/", by_name("transfers").create(records), format="json")
    assert response.status_code == 201, response.content
    created = by_name("transfers").model.history.get(id=response.json()["id"], history_type="+")
    assert created.history_user == editor


def test_natural_key_lookups_are_normalised(records, anonymous):
    assert anonymous.get("/api/v1/countries/kp/").json()["iso2"] == "KP"


def test_expand_shows_the_related_record_instead_of_its_key(records, editor_client):
    transfer = records["transfer"]
    path = by_name("transfers").detail_path(transfer)
    plain = editor_client.get(path).json()
    assert plain["supplier"] == "KP"
    expanded = editor_client.get(path, {"expand": "supplier,sources"}).json()
    assert expanded["supplier"]["iso2"] == "KP" and expanded["supplier"]["name"]
    assert expanded["sources"][0]["url"] == records["source"].url
    assert expanded["recipient"] == "RU"


def test_relations_are_written_by_natural_key_and_unknown_keys_are_named(records, editor_client):
    payload = {**by_name("transfers").create(records), "supplier": "ZZ"}
    response = editor_client.post("/api/v1/transfers/", payload, format="json")
    assert response.status_code == 400
    assert "supplier" in response.json()


def test_model_rules_are_enforced_with_the_field_named(records, editor_client):
    payload = {**by_name("transfers").create(records), "recipient": "IR"}
    response = editor_client.post("/api/v1/transfers/", payload, format="json")
    assert response.status_code == 400
    assert "recipient" in response.json()
