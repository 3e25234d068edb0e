"""discovery.json|xml: the endpoint, its formats and a changeset that moves with the catalog."""

import re
from datetime import UTC, datetime

import pytest
import time_machine

from cases.models import Category
from open311.tests.helpers import (
    DISCOVERY_FIELDS,
    ENDPOINT_FIELDS,
    W3C_UTC,
    body,
    children,
    get,
    xml_dict,
)


def test_it_describes_the_endpoint_in_json(world, client):
    data = body(get(client, "discovery", "json"))
    assert list(data) == DISCOVERY_FIELDS
    assert re.match(W3C_UTC, data["changeset"])
    assert data["contact"] and data["key_service"]
    [endpoint] = data["endpoints"]
    assert list(endpoint) == ENDPOINT_FIELDS
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]


def test_it_describes_the_endpoint_in_xml(world, client):
    root = body(get(client, "discovery", "xml"))
    assert root.tag == "discovery"
    assert children(root) == DISCOVERY_FIELDS
    [endpoint] = root.find("endpoints")
    assert endpoint.tag == "endpoint"
    assert children(endpoint) == ENDPOINT_FIELDS
    assert xml_dict(endpoint)["url"] == "http://testserver/open311/v2"
    assert [f.tag for f in endpoint.find("formats")] == ["format", "format"]
    assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_changeset_stays_until_the_catalog_changes(world, client, fmt):
    def changeset() -> str:
        response = get(client, "discovery", fmt)
        data = body(response)
        return data["changeset"] if fmt == "json" else data.find("changeset").text

    with time_machine.travel(datetime(2026, 3, 1, 2, 0, tzinfo=UTC), tick=False):
        first = changeset()
    with time_machine.travel(datetime(2026, 3, 2, 2, 0, tzinfo=UTC), tick=False):
        assert changeset() == first == "2026-03-01T02:00:00Z"
        Category.objects.create(case_type=world.types["hazard"], code="99", name="粉尘")
        assert changeset() == "2026-03-02T02:00:00Z"
