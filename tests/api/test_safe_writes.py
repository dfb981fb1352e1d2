"""ETags and If-Match: a write based on a stale read is refused with 412."""

import pytest

pytestmark = pytest.mark.django_db


def test_patch_with_the_current_etag_succeeds_and_returns_the_new_one(records, editor_client):
    path = f"/api/v1/transfers/{records['transfer'].reference}/"
    etag = editor_client.get(path)["ETag"]
    response = editor_client.patch(path, {"items": "KN-23"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response["ETag"] != etag
    assert editor_client.get(path)["ETag"] == response["ETag"]


def test_patch_and_put_with_a_stale_etag_get_412_and_change_nothing(records, editor_client):
    path = f"/api/v1/transfers/{records['transfer'].reference}/"
    read = editor_client.get(path)
    stale = read["ETag"]
    assert editor_client.patch(path, {"items": "first edit"}, format="json", HTTP_IF_MATCH=stale).status_code == 200
    response = editor_client.patch(path, {"items": "second edit"}, format="json", HTTP_IF_MATCH=stale)
    assert response.status_code == 412
    body = {k: v for k, v in read.json().items() if k not in ("id", "api_url", "created_at", "updated_at")}
    body["items"] = "third edit"
    assert editor_client.put(path, body, format="json", HTTP_IF_MATCH=stale).status_code == 412
    records["transfer"].refresh_from_db()
    assert records["transfer"].items == "first edit"


def test_delete_with_a_stale_etag_gets_412(records, reviewer_client):
    path = f"/api/v1/sources/{records['source'].pk}/"
    stale = reviewer_client.get(path)["ETag"]
    assert reviewer_client.patch(path, {"title": "changed"}, format="json", HTTP_IF_MATCH=stale).status_code == 200
    assert reviewer_client.delete(path, HTTP_IF_MATCH=stale).status_code == 412


def test_if_none_match_with_the_current_etag_is_not_modified(records, anonymous):
    path = "/api/v1/countries/KP/"
    etag = anonymous.get(path)["ETag"]
    assert anonymous.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_writes_without_if_match_get_428_with_the_reason_and_change_nothing(records, reviewer_client):
    path = f"/api/v1/transfers/{records['transfer'].reference}/"
    read = reviewer_client.get(path).json()
    body = {k: v for k, v in read.items() if k not in ("id", "api_url", "created_at", "updated_at")}
    for response in (
        reviewer_client.patch(path, {"items": "unconditional"}, format="json"),
        reviewer_client.put(path, {**body, "items": "unconditional"}, format="json"),
        reviewer_client.delete(path),
    ):
        assert response.status_code == 428, response.content
        assert response.json()["detail"].startswith("If-Match required: send the ETag you read")
    records["transfer"].refresh_from_db()
    assert records["transfer"].items == read["items"]


def test_if_match_star_writes_whatever_the_record_now_is(records, editor_client):
    path = f"/api/v1/transfers/{records['transfer'].reference}/"
    assert editor_client.patch(path, {"items": "KN-24"}, format="json", HTTP_IF_MATCH="*").status_code == 200


def test_the_requirement_can_be_turned_off(records, editor_client, settings):
    settings.API_REQUIRE_IF_MATCH = False
    path = f"/api/v1/transfers/{records['transfer'].reference}/"
    assert editor_client.patch(path, {"items": "KN-24"}, format="json").status_code == 200


def test_the_schema_marks_if_match_required_on_every_write(anonymous):
    paths = anonymous.get("/api/schema/", {"format": "json"}).json()["paths"]
    writes = [(path, method) for path, item in paths.items() for method in item if method in ("put", "patch", "delete")]
    assert writes
    for path, method in writes:
        [header] = [p for p in paths[path][method]["parameters"] if p["name"] == "If-Match"]
        assert (header["in"], header["required"]) == ("header", True), (path, method)
