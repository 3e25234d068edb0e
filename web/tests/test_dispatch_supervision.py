"""The supervision board: overdue and soon-overdue cases in handling, and one-click 督办."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import Case, CaseEvent, Priority
from cases.tests.helpers import kinds, local, module_world_fixture
from cases.tests.world import make_user
from people.models import Role

module_world = module_world_fixture()
BOARD = reverse("dispatch:supervision")
NOW = local(2026, 11, 24, 10)  # a Tuesday; 8 working hours later is Wednesday 10:00


@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def overdue(world, clock, **overrides) -> Case:
    """Assigned urgently (4 working hours) last Monday at 10:00: overdue since 14:00 that day."""
    clock.move_to(local(2026, 11, 16, 10))
    case = urgent(world, **overrides)
    clock.move_to(NOW)
    return case


def urgent(world, **overrides) -> Case:
    """Assigned now with an urgent priority: due in 4 working hours."""
    case = world.report(**overrides)
    case = services.triage_case(case, actor=world.dispatcher, priority=Priority.URGENT)
    return services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)


INSTRUCTION = "请于本周五前办结并报告"


def supervise(
    client, case: Case, version: int | None = None, htmx: bool = True, note: str = INSTRUCTION
):
    url = reverse("dispatch:supervise", args=[case.pk])
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url, {"version": version or case.version, "note": note}, headers=headers)


def test_an_anonymous_visitor_is_sent_to_sign_in(world, client):
    assert reverse("web:login") in client.get(BOARD)["Location"]


@pytest.mark.parametrize("who", ["outsider", "handler", "grid_worker"])
def test_the_board_is_for_dispatchers_and_leaders(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get(BOARD).status_code == 403
    client.force_login(world.leader)
    body = client.get(BOARD).content.decode()
    assert "超期督办" in body and f'href="{reverse("dispatch:inbox")}"' not in body


def test_it_lists_overdue_then_soon_overdue_cases_with_time_left(world, client, clock):
    late = overdue(world, clock, title="超期未办")
    soon = urgent(world)  # due at 14:00 today: inside the window
    world.assigned(title="期限充裕")  # normal: 5 working days, not on the board
    client.force_login(world.dispatcher)
    response = client.get(BOARD)
    assert [c.pk for c in response.context["cases"]] == [late.pk, soon.pk]
    body = response.content.decode()
    assert "已超期 5个工作日4小时" in body  # Mon 16 14:00 → Tue 24 10:00, in working hours
    assert "剩余 4小时" in body and str(world.dept) in body
    only_late = client.get(BOARD, {"show": "overdue"}).context["cases"]
    assert [c.pk for c in only_late] == [late.pk]
    assert [c.pk for c in client.get(BOARD, {"show": "soon"}).context["cases"]] == [soon.pk]


def test_a_dispatcher_of_another_town_sees_nothing_of_it(world, client, clock):
    overdue(world, clock)
    client.force_login(make_user("town_dispatcher", Role.DISPATCHER, region=world.other_town))
    assert list(client.get(BOARD).context["cases"]) == []


def test_one_click_supervision_updates_the_row_in_place(world, client, clock):
    case = overdue(world, clock)
    client.force_login(world.dispatcher)
    response = supervise(client, case)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.strip().startswith(f'<tr id="case-{case.pk}">')
    assert "已督办 1 次" in body and 'role="status"' in body
    case.refresh_from_db()
    assert case.supervision_level == 1
    event = CaseEvent.objects.get(case=case, kind="supervised")
    assert event.actor == world.dispatcher and event.data == {"level": 1}
    assert (event.reason, event.via) == (INSTRUCTION, "web")
    # The row carries the new version: the next click is a second, deliberate supervision.
    assert f'value="{case.version}"' in body


def test_a_supervision_without_an_instruction_is_refused_in_the_row(world, client, clock):
    case = overdue(world, clock)
    client.force_login(world.dispatcher)
    response = supervise(client, case, note="  ")
    assert "请填写督办意见" in response.content.decode()
    assert "supervised" not in kinds(case)


def test_a_double_click_gives_the_message_in_the_row_and_no_second_event(world, client, clock):
    case = overdue(world, clock)
    client.force_login(world.dispatcher)
    supervise(client, case)
    response = supervise(client, case)  # the same, old version
    body = response.content.decode()
    assert response.status_code == 200 and "该事项已被他人处理" in body
    assert kinds(case).count("supervised") == 1


def test_without_htmx_it_redirects_to_the_board(world, client, clock):
    case = overdue(world, clock)
    client.force_login(world.dispatcher)
    response = supervise(client, case, htmx=False)
    assert response.status_code == 302 and response["Location"] == BOARD
    stale = supervise(client, case, htmx=False)
    assert stale["Location"] == reverse("caseviews:case-detail", args=[case.pk])
    assert kinds(case).count("supervised") == 1


def test_a_leader_may_supervise(world, client, clock):
    case = overdue(world, clock)
    client.force_login(world.leader)
    assert supervise(client, case).status_code == 200
    assert CaseEvent.objects.get(case=case, kind="supervised").actor == world.leader


def test_supervising_is_refused_outside_the_scope(world, client, clock):
    case = overdue(world, clock)
    assert supervise(client, case, htmx=False).status_code == 302  # anonymous: to sign in
    client.force_login(world.handler)
    assert supervise(client, case).status_code == 403
    client.force_login(make_user("town_dispatcher", Role.DISPATCHER, region=world.other_town))
    assert supervise(client, case).status_code == 404
    assert "supervised" not in kinds(case)


def test_the_board_costs_the_same_queries_for_3_and_30_cases(
    world, client, clock, django_assert_num_queries
):
    client.force_login(world.dispatcher)
    for _ in range(3):
        overdue(world, clock)
    client.get(BOARD)
    with django_assert_num_queries(10) as three:
        client.get(BOARD)
    for _ in range(27):
        overdue(world, clock)
    with django_assert_num_queries(len(three.captured_queries)):
        assert len(client.get(BOARD).context["cases"]) == 30


def test_a_case_the_ladder_sent_to_the_board_is_on_it_long_before_its_deadline(
    world, client, clock
):
    far = world.assigned(title="企业用地手续咨询")  # five working days left
    client.force_login(world.dispatcher)
    assert far.title not in client.get(BOARD).content.decode()
    services.escalate_case(far, stage="sign", level=3, target="board", hours_past=9)
    page = client.get(BOARD).content.decode()
    assert far.title in page and "已督办至督办台" in page
