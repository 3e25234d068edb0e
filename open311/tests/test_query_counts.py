"""Lists cost a fixed number of queries, whatever the number of rows (no query per row)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import Channel, Status
from open311.tests.helpers import body, get, make_key

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def _mixed_cases(world, count: int) -> None:
    """Cases in every shape a row can take: assigned, rejected, merged, with media."""
    for i in range(count):
        kind = i % 4
        if kind == 0:
            world.in_status(Status.ASSIGNED, channel=Channel.API)
        elif kind == 1:
            world.in_status(Status.REJECTED, channel=Channel.API)
        elif kind == 2:
            world.in_status(Status.MERGED, channel=Channel.API)
        else:
            photo = SimpleUploadedFile(f"{i}.png", PNG, content_type="image/png")
            world.report(channel=Channel.API, attachments=[(f"{i}.png", photo)])


def _count(client, path: str, **params: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = get(client, path, **params)
    assert response.status_code == 200
    return len(queries), len(body(response))


def test_listing_requests_costs_the_same_for_4_and_40_cases(world, client):
    key = make_key("county-screen", user=world.dispatcher)
    _mixed_cases(world, 4)
    _count(client, "requests", api_key=key)  # first use marks the key as used (one UPDATE a minute)
    small_anonymous, rows = _count(client, "requests")
    small_keyed, _ = _count(client, "requests", api_key=key)
    assert rows == 5  # merging made one more case
    _mixed_cases(world, 40)
    large_anonymous, rows = _count(client, "requests")
    large_keyed, _ = _count(client, "requests", api_key=key)
    assert rows == 55
    # Cases, their media, the reasons of refused ones.
    assert small_anonymous == large_anonymous == 3
    # Plus the key and the account's roles.
    assert small_keyed == large_keyed == 5


def test_listing_updates_costs_the_same_for_4_and_40_cases(world, client):
    _mixed_cases(world, 4)
    small, small_rows = _count(client, "servicerequestupdates")
    _mixed_cases(world, 40)
    large, large_rows = _count(client, "servicerequestupdates")
    assert large_rows > small_rows > 4
    # Events with their cases and types, media, names of assigned units.
    assert small == large == 3


def test_filters_add_no_query_per_row(world, client):
    _mixed_cases(world, 8)
    queries, _ = _count(
        client, "requests", service_code="resident_issue,dispute-01", status="open,closed"
    )
    # Two more to resolve the service codes (types and categories).
    assert queries == 5
    queries, rows = _count(client, "requests", page_size="2", page="2")
    assert rows == 2 and queries == 3


def test_one_request_costs_two_queries(world, client):
    case = world.report(channel=Channel.API)
    case = services.triage_case(case, actor=world.dispatcher)
    queries, _ = _count(client, f"requests/{case.number}")
    assert queries == 2  # the case; its media (none refused, no reasons read)
