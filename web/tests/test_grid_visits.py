"""今日回访: answered cases of one's own grid, the requester's phone to call, the visit form."""

from datetime import timedelta

import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, CaseEvent, Satisfaction, Status
from cases.tests.helpers import local

REACHED = {
    "reached": "1",
    "contacted": "1",
    "resolved": "1",
    "satisfaction": Satisfaction.SATISFIED,
    "note": "电话回访，群众表示路灯已亮。",
}


def visit(client, case, **data):
    return client.post(reverse("grid:visit", args=[case.pk]), {"version": case.version, **data})


def test_the_list_shows_the_grids_answered_cases_oldest_first_with_a_phone_to_call(world, client):
    with time_machine.travel(local(2026, 9, 14, 10), tick=False) as clock:
        older = world.answered(requester_phone="13900000001")
        clock.shift(timedelta(hours=2))
        newer = world.answered(requester_phone="13900000002")
        world.assigned()  # not answered yet
        theirs = world.answered(region=world.other_grid)
    client.force_login(world.grid_worker)
    response = client.get(reverse("grid:visit-list"))
    assert [row["case"].pk for row in response.context["rows"]] == [older.pk, newer.pk]
    body = response.content.decode()
    assert 'href="tel:13900000001"' in body and 'href="tel:13900000002"' in body
    assert "已维修路灯，恢复照明。" in body  # the answer the requester is asked about
    assert theirs.number not in body
    assert body.count('action="' + reverse("grid:visit", args=[older.pk])) == 1


def test_a_reached_visit_verifies_the_case_and_records_the_answers(world, client):
    case = world.answered()
    client.force_login(world.grid_worker)
    response = visit(client, case, **REACHED)
    assert response["Location"] == reverse("grid:visit-list")
    case.refresh_from_db()
    assert case.status == Status.VERIFIED
    assert (case.visit_valid, case.visit_contacted, case.visit_resolved) == (True, True, True)
    assert case.visit_satisfaction == Satisfaction.SATISFIED
    event = CaseEvent.objects.get(case=case, kind="visited")
    assert event.actor == world.grid_worker and event.reason == REACHED["note"]
    assert event.data == {
        "contacted": True,
        "resolved": True,
        "satisfaction": "satisfied",
        "passed": True,
    }


def test_an_unsatisfied_requester_is_recorded_as_such(world, client):
    case = world.answered()
    client.force_login(world.grid_worker)
    visit(client, case, **{**REACHED, "resolved": "0", "satisfaction": "unsatisfied"})
    case.refresh_from_db()
    assert (case.status, case.visit_resolved, case.visit_passed) == (Status.VERIFIED, False, False)


def test_a_visit_that_does_not_reach_the_requester_leaves_the_case_waiting(world, client):
    case = world.answered()
    client.force_login(world.grid_worker)
    response = visit(client, case, reached="0", note="电话无人接听")
    case.refresh_from_db()
    assert case.status == Status.ANSWERED and not case.visit_valid
    event = CaseEvent.objects.get(case=case, kind="visit_failed_to_reach")
    assert event.reason == "电话无人接听"
    assert any("未联系上" in str(m) for m in get_messages(response.wsgi_request))
    assert case.pk in [r["case"].pk for r in client.get(reverse("grid:visit-list")).context["rows"]]


def test_a_reached_visit_must_answer_every_question_beside_each_field(world, client):
    case = world.answered()
    client.force_login(world.grid_worker)
    response = visit(client, case, reached="1")
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"contacted", "resolved", "satisfaction"}
    assert "有效回访必须选择满意度。" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Status.ANSWERED


def test_a_resubmitted_visit_is_not_recorded_twice(world, client):
    case = world.answered()
    client.force_login(world.grid_worker)
    visit(client, case, **REACHED)
    response = visit(client, case, **REACHED)
    assert response["Location"] == reverse("caseviews:case-detail", args=[case.pk])
    assert CaseEvent.objects.filter(case=case, kind="visited").count() == 1


def test_a_grid_worker_cannot_visit_another_grids_case(world, client):
    case = world.answered(region=world.other_grid)
    client.force_login(world.grid_worker)
    assert visit(client, case, **REACHED).status_code == 404
    assert Case.objects.get(pk=case.pk).status == Status.ANSWERED


def test_a_case_not_waiting_for_a_visit_sends_the_worker_to_its_page(world, client):
    case = world.assigned()
    client.force_login(world.grid_worker)
    response = client.get(reverse("grid:visit", args=[case.pk]))
    assert response["Location"] == reverse("caseviews:case-detail", args=[case.pk])
    response = visit(client, case, **REACHED)
    assert response["Location"] == reverse("caseviews:case-detail", args=[case.pk])
    assert not CaseEvent.objects.filter(case=case, kind="visited").exists()


def test_the_single_visit_page_shows_the_phone_and_the_form(world, client):
    case = world.answered(requester_phone="13911112222")
    client.force_login(world.grid_worker)
    body = client.get(reverse("grid:visit", args=[case.pk])).content.decode()
    assert 'href="tel:13911112222"' in body and "满意度" in body and "基本满意" in body


def test_the_visit_list_costs_the_same_queries_with_more_cases(world, client):
    client.force_login(world.grid_worker)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("grid:visit-list")).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        world.answered()
    few = count()
    for _ in range(27):
        world.answered()
    assert count() == few <= 8
