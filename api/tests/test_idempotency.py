"""``Idempotency-Key`` on case creation: one case per key and body, a 409 for another body."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from api.idempotency import source_key
from api.models import IdempotencyRecord
from api.tests.helpers import assert_error
from cases.models import Case
from people.apikeys import create_api_key


def body(world, **overrides):
    return {
        "case_type": "resident_issue",
        "region": world.grid.code,
        "title": "路灯不亮",
        "description": "第一网格主路三盏路灯不亮。",
        **overrides,
    }


def post(client, data, key):
    return client.post("/api/v1/cases/", data, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_the_same_key_and_body_make_one_case_201_then_200(world, client_for):
    client = client_for(world.grid_worker)
    first = post(client, body(world), "req-0001")
    again = post(client, body(world), "req-0001")

    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert again["Idempotency-Replayed"] == "true"
    assert "Idempotency-Replayed" not in first
    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert case.source_key == source_key(world.grid_worker, "req-0001")
    record = IdempotencyRecord.objects.get()
    assert (record.user_id, record.key, record.case_id) == (
        world.grid_worker.pk,
        "req-0001",
        case.pk,
    )


def test_the_replay_shows_the_case_as_it_is_now(world, client_for):
    from cases import services

    client = client_for(world.dispatcher)
    case_id = post(client, body(world), "k").json()["id"]
    services.triage_case(Case.objects.get(pk=case_id), actor=world.dispatcher)
    assert post(client, body(world), "k").json()["status"] == "triaged"


def test_json_spacing_and_key_order_do_not_change_the_body(world, client_for):
    client = client_for(world.dispatcher)
    post(client, body(world), "k")
    reordered = dict(reversed(list(body(world).items())))
    assert post(client, reordered, "k").status_code == 200


def test_the_same_key_with_another_body_is_a_409(world, client_for):
    client = client_for(world.grid_worker)
    post(client, body(world), "req-0001")
    response = post(client, body(world, title="另一件事"), "req-0001")
    error = assert_error(response, 409, "idempotency_key_reused", field="Idempotency-Key")
    assert "different request body" in error["errors"][0]["message_en"]
    assert Case.objects.count() == 1


def test_keys_belong_to_their_user(world, client_for):
    post(client_for(world.grid_worker), body(world), "shared")
    response = post(client_for(world.dispatcher), body(world), "shared")
    assert response.status_code == 201
    assert Case.objects.count() == 2


def test_a_refused_creation_keeps_no_key(world, client_for):
    client = client_for(world.grid_worker)
    refused = post(client, body(world, region=world.other_grid.code), "k")
    assert refused.status_code == 403
    assert not IdempotencyRecord.objects.exists()
    assert post(client, body(world), "k").status_code == 201


@pytest.mark.parametrize("key", ["", "x" * 256, "带中文", "has space"])
def test_a_malformed_key_is_a_400(world, client_for, key):
    response = post(client_for(world.grid_worker), body(world), key)
    assert_error(response, 400, "invalid", field="Idempotency-Key")
    assert not Case.objects.exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_racing_requests_with_one_key_make_one_case():
    """Two threads, two connections, one key: the unique record and source_key keep one case."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    from cases.tests.world import World

    world = World.build()
    _, raw = create_api_key("race", user=world.dispatcher)
    results: list[int] = []
    barrier = threading.Barrier(2)

    def send() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        barrier.wait()
        results.append(post(client, body(world), "race-key").status_code)
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 201]
    assert Case.objects.count() == 1
