"""The department's queue (签收), its co-handled cases (协办) and its cases in progress."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import Case, CaseEvent, Status
from cases.tests.helpers import kinds, local, module_world_fixture
from cases.tests.world import make_user
from people.models import Role

module_world = module_world_fixture()
QUEUE = reverse("department:queue")
IN_PROGRESS = reverse("department:in-progress")


@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(local(2026, 11, 24, 10), tick=False) as traveller:
        yield traveller


def co_handled(world, **overrides) -> Case:
    """Led by the other department, with the world's department as co-unit (协办)."""
    case = services.triage_case(world.report(**overrides), actor=world.dispatcher)
    return services.assign_case(
        case, actor=world.dispatcher, lead_unit=world.other_dept, co_units=[world.dept]
    )


def accept(client, case: Case, version: int | None = None):
    url = reverse("department:accept", args=[case.pk])
    return client.post(url, {f"c{case.pk}-version": version or case.version})


# --- Permission -------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    assert reverse("web:login") in client.get(QUEUE)["Location"]
    assert reverse("web:login") in client.get(IN_PROGRESS)["Location"]


@pytest.mark.parametrize("who", ["outsider", "dispatcher", "grid_worker", "leader"])
def test_the_workbench_is_for_department_staff(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get(QUEUE).status_code == 403
    assert client.get(IN_PROGRESS).status_code == 403


def test_a_department_head_has_the_workbench_too(world, client):
    case = world.assigned()
    client.force_login(make_user("head", Role.DEPT_HEAD, organisation=world.dept))
    assert [c.pk for c in client.get(QUEUE).context["cases"]] == [case.pk]


# --- The queue --------------------------------------------------------------------------------


def test_the_queue_lists_new_lead_assignments_and_co_handled_cases_apart(world, client):
    mine = services.assign_case(
        services.triage_case(world.report(title="本局主办"), actor=world.dispatcher),
        actor=world.dispatcher,
        lead_unit=world.dept,
        co_units=[world.other_dept],
    )
    helping = co_handled(world, title="本局协办")
    services.accept_case(world.assigned(title="已签收"), actor=world.handler)
    client.force_login(world.handler)
    response = client.get(QUEUE)
    assert [c.pk for c in response.context["cases"]] == [mine.pk]
    assert [c.pk for c in response.context["co_cases"]] == [helping.pk]
    body = response.content.decode()
    accept_url = reverse("department:accept", args=[mine.pk])
    assert accept_url in body
    assert reverse("department:accept", args=[helping.pk]) not in body  # co-units do not sign
    assert "补充进展" in body and "剩余 5个工作日7小时" in body
    [row] = response.context["cases"]
    assert [a.unit for a in row.co_assignments] == [world.other_dept]
    assert f'data-label="协办">{world.other_dept}</td>' in body  # the co-unit of the lead case


def test_another_department_sees_only_its_own_orders(world, client):
    world.assigned()
    helping = co_handled(world)
    client.force_login(world.other_handler)
    response = client.get(QUEUE)
    # The other department leads `helping`: it is theirs to sign for.
    assert [c.pk for c in response.context["cases"]] == [helping.pk]
    assert list(response.context["co_cases"]) == []


def test_signing_for_an_order_starts_handling(world, client):
    case = world.assigned()
    client.force_login(world.handler)
    response = accept(client, case)
    assert response.status_code == 302
    assert response["Location"] == reverse("department:case", args=[case.pk])
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS and case.accepted_at is not None
    event = CaseEvent.objects.get(case=case, kind="accepted")
    assert event.actor == world.handler and event.to_status == Status.IN_PROGRESS


def test_signing_twice_gives_the_stale_message_and_one_event(world, client):
    case = world.assigned()
    client.force_login(world.handler)
    accept(client, case)
    response = client.post(
        reverse("department:accept", args=[case.pk]),
        {f"c{case.pk}-version": case.version},
        follow=True,
    )
    assert "该事项已被他人处理（当前状态：办理）" in response.content.decode()
    assert kinds(case).count("accepted") == 1


def test_only_the_lead_unit_signs(world, client):
    case = co_handled(world)
    assert accept(client, case).status_code == 302  # anonymous: to sign in
    assert reverse("web:login") in accept(client, case)["Location"]
    client.force_login(world.handler)  # a co-unit sees the case but may not sign for it
    assert accept(client, case).status_code == 403
    mine = world.assigned()
    client.force_login(world.other_handler)  # not theirs at all
    assert accept(client, mine).status_code == 404
    client.force_login(world.dispatcher)
    assert accept(client, mine).status_code == 403
    assert "accepted" not in kinds(case) + kinds(mine)


# --- In progress ------------------------------------------------------------------------------


def test_cases_in_progress_show_time_left_and_a_pending_extension(world, client, clock):
    clock.move_to(local(2026, 11, 16, 10))
    late = services.accept_case(world.assigned(title="超期事项"), actor=world.handler)
    clock.move_to(local(2026, 11, 24, 10))
    asked = services.accept_case(world.assigned(title="申请延期"), actor=world.handler)
    services.request_extension(
        asked, actor=world.handler, until=local(2026, 12, 10, 17), reason="需要现场勘查。"
    )
    client.force_login(world.handler)
    response = client.get(IN_PROGRESS)
    assert [c.pk for c in response.context["cases"]] == [late.pk, asked.pk]
    body = response.content.decode()
    assert "已超期 1小时" in body  # due Monday 23 17:00, read on Tuesday 10:00
    assert "badge overdue" in body
    assert "剩余 5个工作日7小时" in body and "延期待批：至 12-10 17:00" in body
    assert response.context["tab_counts"]["overdue"] == 1


# --- Query counts -----------------------------------------------------------------------------


def test_the_queue_costs_the_same_queries_for_3_and_30_cases(
    world, client, django_assert_num_queries
):
    client.force_login(world.handler)
    for _ in range(3):
        services.assign_case(
            services.triage_case(world.report(), actor=world.dispatcher),
            actor=world.dispatcher,
            lead_unit=world.dept,
            co_units=[world.other_dept],
        )
        co_handled(world)
    client.get(QUEUE)
    with django_assert_num_queries(11) as three:
        client.get(QUEUE)
    for _ in range(27):
        world.assigned()
        co_handled(world)
    with django_assert_num_queries(len(three.captured_queries)):
        response = client.get(QUEUE)
    assert len(response.context["cases"]) == 30 and len(response.context["co_cases"]) == 30


def test_the_in_progress_list_costs_the_same_queries_for_3_and_30_cases(
    world, client, django_assert_num_queries
):
    client.force_login(world.handler)
    for _ in range(3):
        services.accept_case(world.assigned(), actor=world.handler)
    client.get(IN_PROGRESS)
    with django_assert_num_queries(9) as three:
        client.get(IN_PROGRESS)
    for _ in range(27):
        services.accept_case(world.assigned(), actor=world.handler)
    with django_assert_num_queries(len(three.captured_queries)):
        assert len(client.get(IN_PROGRESS).context["cases"]) == 30
