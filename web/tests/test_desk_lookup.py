"""The desk's endpoints: the caller panel (earlier cases of a number, 重复来电), the place search
and the deadline preview — each inside the user's scope, each saying no to bad input in Chinese."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from cases.models import Case, Priority, Status
from cases.tests.helpers import local
from cases.tests.world import make_user
from people.models import Role
from web.desk.views import REPEAT_CALL_DAYS

CALLER = reverse("desk:caller")
REGIONS = reverse("desk:regions")
DEADLINE = reverse("desk:deadline")
PHONE = "13700002222"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(local(2026, 11, 24, 10), tick=False) as traveller:
        yield traveller


def panel(client, phone: str = PHONE, **extra) -> str:
    response = client.get(CALLER, {"requester_phone": phone, **extra}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


# --- The caller panel -------------------------------------------------------------------------


def test_a_new_caller_has_no_history_and_no_flag(world, client):
    client.force_login(world.operator)
    body = panel(client)
    assert "以往诉求 0 件，未办结 0 件" in body and "重复来电" not in body
    assert "输入来电号码" in panel(client, "137")  # not a number yet: the panel waits


def test_earlier_cases_show_open_ones_first_with_the_repeat_flag(world, client, clock):
    clock.move_to(local(2026, 9, 1, 10))
    old_open = world.report(requester_phone=PHONE, title="老旧小区下水道堵塞")
    closed = world.in_status(Status.REJECTED, requester_phone=PHONE, title="要求减免物业费")
    clock.move_to(local(2026, 11, 24, 10))
    client.force_login(world.operator)
    body = panel(client)
    assert 'data-testid="repeat-flag"' in body and "重复来电" in body
    assert "以往诉求 2 件，未办结 1 件" in body
    assert body.index(old_open.number) < body.index(closed.number)
    # One key links the new call to the open case; a closed case offers no link.
    assert f'data-link-case="{old_open.number}"' in body
    assert f'data-link-case="{closed.number}"' not in body


def test_the_repeat_rule_open_case_or_one_in_the_window(world, client, clock):
    clock.move_to(local(2026, 9, 1, 10))
    world.in_status(Status.REJECTED, requester_phone=PHONE)
    clock.move_to(local(2026, 11, 24, 10))
    client.force_login(world.operator)
    assert "重复来电" not in panel(client)  # only a closed case, long ago
    clock.move_to(local(2026, 11, 24, 10) - timedelta(days=REPEAT_CALL_DAYS - 1))
    world.in_status(Status.REJECTED, requester_phone=PHONE)
    clock.move_to(local(2026, 11, 24, 10))
    assert "重复来电" in panel(client)  # a case within the window, though closed


def test_the_number_is_found_on_the_requester_too(world, client):
    case = world.report(requester=world.resident.person, requester_phone="")
    Case.objects.filter(pk=case.pk).update(requester_phone="")
    client.force_login(world.operator)
    assert case.number in panel(client, "13959001234")


def test_an_operator_of_another_town_sees_nothing_of_the_caller(world, client):
    world.report(requester_phone=PHONE)  # in 浔中镇's grid
    client.force_login(make_user("other_operator", Role.OPERATOR, region=world.other_town))
    body = panel(client)
    assert "以往诉求 0 件" in body and "LX" not in body and "重复来电" not in body


def test_a_phone_of_another_grids_case_is_not_leaked(world, client):
    mine = world.report(requester_phone=PHONE, title="本镇的事项")
    theirs = world.report(requester_phone=PHONE, region=world.other_grid, title="龙浔的事项")
    client.force_login(make_user("town_operator", Role.OPERATOR, region=world.town))
    body = panel(client)
    assert mine.number in body and theirs.number not in body and "龙浔的事项" not in body
    assert "以往诉求 1 件" in body


def test_the_requester_name_is_masked_for_an_operator_not_for_the_dispatcher(world, client):
    world.report(requester_phone=PHONE, requester_name="张三丰")
    client.force_login(world.operator)
    assert "张**" in panel(client)
    client.force_login(world.dispatcher)
    assert "张三丰" in panel(client)


@pytest.mark.parametrize("bad", ["abc", "1" * 21, "1370\x00000", "<script>"])
def test_a_bad_number_is_refused_in_chinese(world, client, bad):
    client.force_login(world.operator)
    response = client.get(CALLER, {"requester_phone": bad})
    assert response.status_code == 400
    body = response.content.decode()
    assert "电话号码只能包含数字" in body and "Traceback" not in body and "<script>" not in body


def test_the_caller_panel_costs_the_same_queries_with_more_cases(
    world, client, django_assert_max_num_queries
):
    client.force_login(world.operator)
    panel(client)
    for _ in range(6):
        world.report(requester_phone=PHONE)
    with django_assert_max_num_queries(8):
        panel(client)


# --- The place search -------------------------------------------------------------------------


def results(response) -> list[dict]:
    assert response.status_code == 200
    return response.json()["results"]


def test_the_place_search_answers_chinese_initials_and_pinyin(world, client):
    client.force_login(world.operator)
    for q in ("浔中村", "xzc", "xunzhongcun"):
        [first, *_] = results(client.get(REGIONS, {"q": q}))
        assert first == {
            "id": world.village.pk,
            "name": "浔中村",
            "path": "德化县 › 浔中镇 › 浔中村",
            "level": "村/社区",
        }
    assert results(client.get(REGIONS, {"q": ""})) == []


def test_the_place_search_ranks_exact_before_prefix_and_towns_first(world, client):
    client.force_login(world.operator)
    names = [r["name"] for r in results(client.get(REGIONS, {"q": "浔"}))]
    assert names == ["浔中镇", "浔中村", "龙浔镇", "龙浔第一网格"]


def test_the_place_search_stays_in_the_users_town(world, client):
    client.force_login(make_user("town_operator", Role.OPERATOR, region=world.town))
    assert results(client.get(REGIONS, {"q": "龙浔"})) == []
    assert results(client.get(REGIONS, {"q": "lxz"})) == []
    assert [r["name"] for r in results(client.get(REGIONS, {"q": "xzc"}))] == ["浔中村"]


@pytest.mark.parametrize("bad", ["浔" * 51, "xz\x00c"])
def test_a_bad_place_query_is_refused_in_chinese(world, client, bad):
    client.force_login(world.operator)
    response = client.get(REGIONS, {"q": bad})
    assert response.status_code == 400
    assert response.json()["error"] in {"查询内容过长（最多 50 个字）。", "查询内容包含无效字符。"}


# --- The deadline preview ---------------------------------------------------------------------


def test_the_deadline_preview_follows_type_and_priority(world, client):
    client.force_login(world.operator)
    resident = world.types["resident_issue"].pk
    body = client.get(DEADLINE, {"case_type": resident, "priority": Priority.IMPORTANT})
    assert "办理期限：2026年11月27日 17:00（3个工作日）" in body.content.decode()
    default = client.get(DEADLINE, {"case_type": resident, "priority": ""}).content.decode()
    assert "（5个工作日）" in default
    manual = client.get(DEADLINE, {"case_type": resident, "deadline": "2026-12-10T12:00"})
    assert "（人工指定）" in manual.content.decode()
    assert "选择事项类型" in client.get(DEADLINE, {"case_type": "x"}).content.decode()
