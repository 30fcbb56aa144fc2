"""Every API failure answers the same JSON shape, and the schema is valid and warning-free."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_an_unknown_api_url_is_a_json_404(client: Client) -> None:
    response = client.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "No API endpoint at this URL.", "details": {}}
    }


def test_a_wrong_method_is_a_json_405(api: APIClient) -> None:
    response = api.delete("/api/v1/topics/")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_malformed_json_is_a_400(api: APIClient) -> None:
    response = api.post("/api/v1/auth/register/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"


def test_a_missing_login_is_a_401(api: APIClient) -> None:
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_garbage_token_is_a_401(api: APIClient) -> None:
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_an_unexpected_error_is_a_json_500(api: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from prepdeck.catalog import selectors

    def broken() -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "topics_with_counts", broken)
    response = api.get("/api/v1/topics/")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert "boom" not in response.content.decode()


def test_the_schema_is_valid_and_has_no_warnings(tmp_path: object) -> None:
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path) + "/schema.yml")


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/", "/api/schema/"])
def test_the_docs_render_with_local_assets(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    if path == "/api/docs/":
        assert b"/static/drf_spectacular_sidecar/" in response.content
    if path == "/api/redoc/":  # the sidecar's bundle, served by us without its one remote image
        assert b'<script src="/api/redoc/redoc.standalone.js">' in response.content
    assert b"https://" not in response.content
