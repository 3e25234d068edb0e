"""The OpenAPI schema is exact: the committed api/openapi.yaml is what the code generates, every
URL under /api/v1/ is in it (with its methods) and nothing else is; the docs are served locally."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.urls import URLPattern, URLResolver
from rest_framework.test import APIClient

import api.urls

COMMITTED = Path(api.urls.__file__).parent / "openapi.yaml"
REFRESH = (
    ".venv/bin/python manage.py spectacular --lang zh-hans --file api/openapi.yaml "
    "--validate --fail-on-warn"
)
METHODS = ("get", "post", "put", "patch", "delete")


def test_the_committed_schema_is_what_the_code_generates(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command(
        "spectacular", "--lang", "zh-hans", "--file", str(generated), "--validate", "--fail-on-warn"
    )
    assert generated.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8"), (
        f"api/openapi.yaml is out of date; refresh it with:\n    {REFRESH}"
    )


def _routes(patterns: list, prefix: str = "") -> dict[str, set[str]]:
    """Every URL pattern under ``patterns`` as an OpenAPI path, with the methods it answers."""
    routes: dict[str, set[str]] = {}
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            for path, methods in _routes(pattern.url_patterns, route).items():
                routes.setdefault(path, set()).update(methods)
            continue
        assert isinstance(pattern, URLPattern)
        # <pk> is documented as {id}; other parameters keep their names ({award_id}, {year}).
        named = re.sub(
            r"<(?:\w+:)?(\w+)>", lambda m: "{id}" if m[1] == "pk" else f"{{{m[1]}}}", route
        )
        path = "/api/v1/" + named.lstrip("^").rstrip("$")
        # as_view() marks the callback with its class (and a viewset's with its actions).
        view: Any = pattern.callback
        if getattr(view, "actions", None):  # a viewset route: method → action
            methods = set(view.actions) & set(METHODS)
        else:
            methods = {m for m in METHODS if hasattr(view.view_class, m)}
        routes.setdefault(path, set()).update(methods)
    return routes


def test_every_v1_url_is_in_the_schema_and_nothing_else(client):
    import yaml

    schema = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    documented = {
        path: {method for method in operations if method in METHODS}
        for path, operations in schema["paths"].items()
    }
    assert _routes(api.urls.v1) == documented


def test_every_operation_documents_its_errors_in_one_shape():
    import yaml

    schema = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for code in ("401", "403", "429"):
                body = responses[code]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}, (method, path, code)
            if "{id}" in path:
                assert "404" in responses, (method, path)
            if method == "post":
                assert {"400", "409"} <= set(responses), (method, path)
            assert operation.get("operationId") and operation.get("summary"), (method, path)


def test_the_schema_and_the_docs_are_served_without_a_cdn():
    client = APIClient()
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    assert "/api/v1/cases/{id}/triage/" in schema.json()["paths"]
    for url in ("/api/docs/", "/api/redoc/"):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert "drf_spectacular_sidecar" in html, url
        assert not re.search(r"(src|href)=\"https?://", html), url
