"""Every page carries a Content-Security-Policy: scripts only from this site or inline with the
response's nonce, no inline event handlers, no eval, no framing, no plugins."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def nonce_of(response) -> str | None:
    for source in directives(response)["script-src"]:
        if source.startswith("'nonce-"):
            return source[len("'nonce-") : -1]
    return None


def test_the_sign_in_page_has_the_policy(client):
    policy = directives(client.get(reverse("web:login")))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == policy["base-uri"] == policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


@pytest.mark.parametrize(
    "url",
    [reverse("web:home"), reverse("admin:index"), reverse("api:docs"), "/api/v1/me/", "/nowhere/"],
)
def test_pages_the_admin_the_api_and_errors_have_it_too(world, client, url):
    client.force_login(world.admin)
    assert "script-src 'self'" in client.get(url)["Content-Security-Policy"]


def pages(world) -> list[tuple[object, str]]:
    """Pages with inline scripts, each with a user who may open it."""
    return [
        (world.grid_worker, reverse("grid:report")),
        (world.dispatcher, reverse("meetings:meeting-new")),
        (world.dispatcher, reverse("dispatch:triage", args=[world.report().pk])),
        (world.handler, reverse("department:duty-list")),
    ]


def test_every_inline_script_carries_the_responses_nonce(world, client):
    for user, url in pages(world):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        nonce = nonce_of(response)
        inline = [
            attributes
            for attributes in SCRIPT.findall(body)
            if "src=" not in attributes and "application/json" not in attributes
        ]
        assert inline, f"{url} no longer has an inline script: pick another page"
        for attributes in inline:
            assert f'nonce="{nonce}"' in attributes, (
                f"{url}: <script{attributes}> without the nonce"
            )
        assert not EVENT_HANDLER.search(body), f"{url} has an inline event handler (on…=)"


def test_each_response_has_its_own_nonce(world, client):
    client.force_login(world.grid_worker)
    first, second = (nonce_of(client.get(reverse("grid:report"))) for _ in range(2))
    assert first and second and first != second
