"""A URL under api/ that matches no route answers JSON like the API's own 404s (before:
Django's HTML page, a content type the schema does not document; found by schemathesis with
a detail URL whose id is not a number)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/votes/2x/", "/api/v1/no-such-resource/"])
def test_an_api_url_matching_no_route_is_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_url_outside_the_api_keeps_the_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
