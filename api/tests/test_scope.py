"""The API applies the same scope as everywhere: a case outside it is a 404, a move the caller's
role or scope does not allow is a 403, and a refused move changes nothing."""

from __future__ import annotations

import pytest

from api.tests.helpers import assert_error, case_url
from cases.models import Channel, Status
from cases.tests.helpers import module_world_fixture, snapshot

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    return module_world


def test_another_department_cannot_see_or_move_a_case_it_does_not_handle(world, client_for):
    case = world.in_status(Status.IN_PROGRESS)
    client = client_for(world.other_handler)
    assert_error(client.get(case_url(case.pk)), 404, "not_found")
    assert_error(client.get(case_url(case.pk, "events")), 404, "not_found")
    before = snapshot(case)
    response = client.post(
        case_url(case.pk, "answer"), {"version": case.version, "answer": "x"}, format="json"
    )
    assert_error(response, 404, "not_found")
    assert snapshot(case) == before
    assert client.get("/api/v1/cases/").json()["results"] == []


def test_a_grid_worker_sees_the_case_of_its_grid_but_cannot_triage_it(world, client_for):
    case = world.report()
    client = client_for(world.grid_worker)
    assert client.get(case_url(case.pk)).status_code == 200
    before = snapshot(case)
    response = client.post(case_url(case.pk, "triage"), {"version": case.version}, format="json")
    body = assert_error(response, 403, "forbidden", field=None)
    assert (
        body["errors"][0]["message_en"]
        == "You do not have permission to perform this action on this case."
    )
    assert snapshot(case) == before


def test_a_grid_worker_of_another_grid_gets_a_404(world, client_for):
    case = world.report()
    response = client_for(world.other_grid_worker).post(
        case_url(case.pk, "resolve-on-spot"), {"version": 1, "answer": "x"}, format="json"
    )
    assert_error(response, 404, "not_found")


def test_a_co_unit_may_note_progress_but_not_answer(world, client_for):
    from cases import services

    case = services.triage_case(world.report(), actor=world.dispatcher)
    case = services.assign_case(
        case, actor=world.dispatcher, lead_unit=world.dept, co_units=[world.other_dept]
    )
    case = services.accept_case(case, actor=world.handler)
    client = client_for(world.other_handler)
    answer = client.post(
        case_url(case.pk, "answer"), {"version": case.version, "answer": "x"}, format="json"
    )
    assert_error(answer, 403, "forbidden")
    note = client.post(
        case_url(case.pk, "notes"), {"version": case.version, "note": "协办意见"}, format="json"
    )
    assert note.status_code == 200


def test_a_leader_reads_everything_and_may_only_supervise_and_urge(world, client_for):
    case = world.assigned()
    client = client_for(world.leader)
    data = client.get(case_url(case.pk)).json()
    assert [m["action"] for m in data["allowed_moves"]] == ["supervise", "urge"]
    response = client.post(case_url(case.pk, "accept"), {"version": case.version}, format="json")
    assert_error(response, 403, "forbidden")


def test_an_outsider_sees_only_what_they_reported(world, client_for):
    theirs = world.report(actor=world.outsider, region=world.town, channel=Channel.WEB)
    world.report()
    client = client_for(world.outsider)
    assert [row["id"] for row in client.get("/api/v1/cases/").json()["results"]] == [theirs.pk]
    response = client.post(
        case_url(theirs.pk, "reject"), {"version": 1, "reason": "x"}, format="json"
    )
    assert_error(response, 403, "forbidden")


def test_metrics_count_only_visible_cases(world, client_for):
    world.report()
    world.report(region=world.other_grid)
    mine = client_for(world.grid_worker).get("/api/v1/metrics/").json()
    everything = client_for(world.admin).get("/api/v1/metrics/").json()
    assert mine["totals"]["received"] == 1
    assert everything["totals"]["received"] == 2
