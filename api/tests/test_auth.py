"""Signing in to the API: an API key as Token or Bearer, or the session with CSRF enforced."""

from __future__ import annotations

from django.core.management import call_command
from rest_framework.test import APIClient

from api.tests.helpers import assert_error
from people.apikeys import create_api_key, revoke_api_key
from people.models import ApiKey


def test_no_credentials_is_a_401_that_names_the_scheme(world):
    response = APIClient().get("/api/v1/cases/")
    body = assert_error(response, 401, "not_authenticated", field=None)
    assert response["WWW-Authenticate"] == 'Token realm="api"'
    assert body["errors"][0]["message_en"].startswith("Send an API key")


def test_a_token_and_a_bearer_key_both_sign_in(world):
    _, raw = create_api_key("hotline", user=world.dispatcher)
    for scheme in ("Token", "Bearer", "bearer"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"{scheme} {raw}")
        response = client.get("/api/v1/me/")
        assert response.status_code == 200, scheme
        assert response.json()["username"] == "dispatcher"
    assert ApiKey.objects.get(name="hotline").last_used_at is not None


def test_a_wrong_or_revoked_key_is_a_401(world):
    _, raw = create_api_key("hotline", user=world.dispatcher)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token lx_not-a-key")
    assert_error(client.get("/api/v1/me/"), 401, "authentication_failed", field=None)

    assert revoke_api_key("hotline")
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    body = assert_error(client.get("/api/v1/me/"), 401, "authentication_failed", field=None)
    assert body["errors"][0]["message_en"] == "The API key is invalid or has been revoked."


def test_a_malformed_authorization_header_is_a_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token two parts")
    assert_error(client.get("/api/v1/me/"), 401, "authentication_failed", field=None)


def test_a_key_of_an_inactive_account_is_a_401(world):
    _, raw = create_api_key("hotline", user=world.dispatcher)
    world.dispatcher.is_active = False
    world.dispatcher.save(update_fields=["is_active"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert_error(client.get("/api/v1/me/"), 401, "authentication_failed")


def test_the_management_command_makes_a_key_that_signs_in_as_a_service_account(world, capsys):
    call_command("create_api_key", "mini-program")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    data = client.get("/api/v1/me/").json()
    assert data["username"] == "api-mini-program" and data["roles"] == []
    # A service account without roles sees no case until an administrator grants it a scope.
    assert client.get("/api/v1/cases/").json()["results"] == []


def test_session_authentication_enforces_csrf(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.dispatcher)
    assert client.get("/api/v1/me/").status_code == 200

    body = {
        "case_type": "resident_issue",
        "region": world.grid.code,
        "title": "t",
        "description": "d",
    }
    refused = client.post("/api/v1/cases/", body, format="json")
    response = assert_error(refused, 403, "permission_denied", field=None)
    assert "CSRF" in response["errors"][0]["message"]
    assert "X-CSRFToken" in response["errors"][0]["message_en"]

    # The pages send the csrftoken cookie's value back as X-CSRFToken.
    token = "k" * 32
    client.cookies["csrftoken"] = token
    accepted = client.post("/api/v1/cases/", body, format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201, accepted.json()
