"""Closing after the return visit (销号), or sending the case back to be redone (重办)."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from cases.models import Case, CaseEvent, Status
from cases.tests.helpers import kinds, local, module_world_fixture
from cases.tests.world import make_user
from people.models import Role

module_world = module_world_fixture()
CLOSING = reverse("dispatch:closing")


@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(local(2026, 11, 24, 10), tick=False) as traveller:
        yield traveller


def post(client, name: str, case: Case, note: str = "", version: int | None = None):
    url = reverse(f"dispatch:{name}", args=[case.pk])
    return client.post(
        url, {f"c{case.pk}-version": version or case.version, f"c{case.pk}-note": note}
    )


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    assert reverse("web:login") in client.get(CLOSING)["Location"]


@pytest.mark.parametrize("who", ["outsider", "handler", "grid_worker", "leader"])
def test_the_list_is_for_dispatchers(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get(CLOSING).status_code == 403


def test_verified_cases_are_listed_with_the_visit_result(world, client):
    passed = world.verified()
    failed = world.verified(passed=False, title="下水道堵塞")
    world.answered(title="尚未回访")
    client.force_login(world.dispatcher)
    response = client.get(CLOSING)
    body = response.content.decode()
    assert {c.pk for c in response.context["cases"]} == {passed.pk, failed.pk}
    assert "回访通过" in body and "回访未通过" in body and "不满意" in body
    assert "已维修路灯，恢复照明。" in body


def test_a_passed_case_is_closed(world, client):
    case = world.verified()
    client.force_login(world.dispatcher)
    response = post(client, "close", case)
    assert response.status_code == 302 and response["Location"] == CLOSING
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.closed_at is not None
    event = CaseEvent.objects.get(case=case, kind="closed")
    assert event.actor == world.dispatcher and event.data == {"visit_passed": True}


def test_closing_a_failed_visit_needs_a_reason(world, client):
    case = world.verified(passed=False)
    client.force_login(world.dispatcher)
    response = post(client, "close", case)
    assert response.status_code == 400
    [row] = response.context["cases"]
    assert row.form.errors["note"] == ["回访未通过的事项销号必须说明理由。"]
    assert Case.objects.get(pk=case.pk).status == Status.VERIFIED
    assert post(client, "close", case, note="诉求超出政策范围，已解释。").status_code == 302
    assert CaseEvent.objects.get(case=case, kind="closed").reason == "诉求超出政策范围，已解释。"


def test_a_failed_case_is_reopened_to_the_same_unit(world, client):
    case = world.verified(passed=False)
    client.force_login(world.dispatcher)
    assert post(client, "reopen", case).status_code == 400  # a reason is required
    response = post(client, "reopen", case, note="路灯仍不亮，请重新处理。")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS and case.lead_unit == world.dept
    assert case.rework_count == 1
    event = CaseEvent.objects.get(case=case, kind="reopened")
    assert event.reason == "路灯仍不亮，请重新处理。" and event.data["rework"] is True


def test_closing_twice_gives_the_stale_message_and_one_event(world, client):
    case = world.verified()
    client.force_login(world.dispatcher)
    post(client, "close", case)
    response = post(client, "close", case)
    assert response["Location"] == reverse("caseviews:case-detail", args=[case.pk])
    assert kinds(case).count("closed") == 1


def test_closing_is_for_dispatchers_of_the_case(world, client):
    case = world.verified()
    assert post(client, "close", case).status_code == 302  # anonymous: to sign in
    client.force_login(world.handler)
    assert post(client, "close", case).status_code == 403
    client.force_login(make_user("town_dispatcher", Role.DISPATCHER, region=world.other_town))
    assert post(client, "close", case).status_code == 404
    assert post(client, "reopen", case, note="重办").status_code == 404
    assert Case.objects.get(pk=case.pk).status == Status.VERIFIED


def test_the_list_costs_the_same_queries_for_3_and_30_cases(
    world, client, django_assert_num_queries
):
    client.force_login(world.dispatcher)
    for _ in range(3):
        world.verified()
    client.get(CLOSING)
    with django_assert_num_queries(8) as three:
        client.get(CLOSING)
    for index in range(27):
        world.verified(passed=bool(index % 2))
    with django_assert_num_queries(len(three.captured_queries)):
        assert len(client.get(CLOSING).context["cases"]) == 30
