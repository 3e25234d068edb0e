"""Shared helpers of the Open311 tests: calls in either format, XML checks, the spec's field lists."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

from django.test import Client
from django.test.client import MULTIPART_CONTENT

from people.apikeys import create_api_key
from people.models import User

BASE = "/open311/v2/"
DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'

# The fields the GeoReport v2 specification prints for each resource, in its order.
DISCOVERY_FIELDS = ["changeset", "contact", "key_service", "endpoints"]
ENDPOINT_FIELDS = ["specification", "url", "changeset", "type", "formats"]
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
# The specification's four, then the expected time the acknowledgement also keeps.
CREATED_FIELDS = [
    "service_request_id",
    "service_notice",
    "account_id",
    "token",
    "expected_datetime",
]
TOKEN_FIELDS = ["service_request_id", "token"]
UPDATE_FIELDS = [
    "update_id",
    "service_request_id",
    "status",
    "updated_datetime",
    "description",
    "media_url",
]
W3C_UTC = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"


def make_key(name: str, user: User | None = None) -> str:
    """A raw api_key; without ``user``, for a new service account with no role."""
    return create_api_key(name, user=user)[1]


def get(client: Client, path: str, fmt: str = "json", **params: Any):
    return client.get(f"{BASE}{path}.{fmt}", params)


def post(client: Client, fmt: str = "json", *, multipart: bool = False, **data: Any):
    if multipart:
        return client.post(f"{BASE}requests.{fmt}", data, content_type=MULTIPART_CONTENT)
    return client.post(f"{BASE}requests.{fmt}", data)


def body(response) -> Any:
    """The parsed body of a response, checked for its format's content type and encoding."""
    content_type = response["Content-Type"]
    if content_type.startswith("application/json"):
        assert content_type == "application/json; charset=utf-8"
        return json.loads(response.content.decode("utf-8"))
    return xml_root(response)


def xml_root(response) -> ElementTree.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(DECLARATION + b"\n")
    return ElementTree.fromstring(response.content)


def children(element: ElementTree.Element) -> list[str]:
    return [child.tag for child in element]


def xml_dict(element: ElementTree.Element) -> dict[str, str | None]:
    """A flat element's children as text (None for an empty element)."""
    return {child.tag: child.text for child in element}
